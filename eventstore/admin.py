"""Read-only admin pages for the event log and the audit log, with CSV export."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from eventstore.audit import audited
from eventstore.csv_export import csv_rows
from eventstore.models import AuditEntry, Event


class NoEditing:
    """Nobody, not even a superuser, adds, changes or deletes rows here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """Offer a column's distinct values, found by hopping through its index.

    Django's own filter asks for SELECT DISTINCT, which reads the whole log on
    every page load. With an index that starts with the column, one index
    probe per distinct value finds them all, however long the log.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = _distinct_values(model._meta.db_table, field.column)


class DateRangeFilter(admin.DateFieldListFilter):
    """The usual presets, and a form for the days from one date to another.

    Both days are included. They become a range on the column itself, in the
    current time zone, so that the log's block-range index serves it.
    """

    template = "admin/eventstore/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg_from = f"{field_path}__from"
        self.lookup_kwarg_to = f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)

        self.first_day = _day(
            request, self.used_parameters.pop(self.lookup_kwarg_from, [])
        )
        self.last_day = _day(
            request, self.used_parameters.pop(self.lookup_kwarg_to, [])
        )
        own = {*self.expected_parameters(), "p", "e"}
        self.kept_parameters = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in own
            for value in values
        ]

    def expected_parameters(self):
        return [
            *super().expected_parameters(),
            self.lookup_kwarg_from,
            self.lookup_kwarg_to,
        ]

    def queryset(self, request, queryset):
        queryset = super().queryset(request, queryset)
        if self.first_day:
            queryset = queryset.filter(
                **{self.lookup_kwarg_since: _start_of(self.first_day)}
            )
        if self.last_day:
            day_after = self.last_day + datetime.timedelta(days=1)
            queryset = queryset.filter(
                **{self.lookup_kwarg_until: _start_of(day_after)}
            )
        return queryset


def _day(request, values: list[str]) -> datetime.date | None:
    """The date in a From or To field; a clear message, and no filter, if none."""
    text = values[-1].strip() if values else ""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        messages.error(
            request, _("%(text)s is not a date like 2026-12-31.") % {"text": text}
        )
        return None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


# One index probe per value: each step asks for the next value after the last.
DISTINCT_VALUES = """
WITH RECURSIVE found (value) AS (
    (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
    UNION ALL
    SELECT (
        SELECT {column} FROM {table}
        WHERE {column} > found.value ORDER BY {column} LIMIT 1
    )
    FROM found WHERE found.value IS NOT NULL
)
SELECT value FROM found WHERE value IS NOT NULL
"""


def _distinct_values(table: str, column: str) -> list[str]:
    # Both names come from the model's metadata, quoted: no user input.
    quote = connection.ops.quote_name
    query = DISTINCT_VALUES.format(table=quote(table), column=quote(column))
    with connection.cursor() as cursor:
        cursor.execute(query)
        return [value for (value,) in cursor.fetchall()]


class ReadOnlyAdmin(NoEditing, admin.ModelAdmin):
    """A read-only log, with CSV export of what the change list shows."""

    export_fields: list[str] = []
    change_list_template = "admin/eventstore/change_list_with_export.html"
    # Counting every row, for the total or for each filter choice, reads the
    # whole log; a bank's log is long.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name=self._export_url_name(),
        )
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse(f"admin:{self._export_url_name()}"),
        }
        return super().changelist_view(request, extra_context)

    def _export_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_export"

    def export_csv(self, request):
        """Stream the rows that the change list shows, with its filters applied."""
        with audited(f"export_{self.opts.model_name}_csv", object_type="admin"):
            if not self.has_view_permission(request):
                raise PermissionDenied
            changelist = self.get_changelist_instance(request)
            queryset = changelist.get_queryset(request)

        rows = queryset.values_list(*self.export_fields).iterator(chunk_size=2000)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(
            csv_rows(self.export_fields, rows), content_type="text/csv"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.opts.model_name}-{stamp}.csv"'
        )
        return response


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The event log: every fact about every stream, in commit order."""

    list_display = [
        "position",
        "recorded_at",
        "event_type",
        "stream",
        "version",
        "actor",
    ]
    # No date hierarchy and no filter built from SELECT DISTINCT: either would
    # read the whole log on every page load.
    list_filter = [
        ("event_type", IndexedValuesFilter),
        ("recorded_at", DateRangeFilter),
    ]
    # TODO(search): Django ORs the search fields together, and these include
    # substring matches, so a search reads the whole log; exact, indexed
    # matches (or trigram indexes) would keep it quick on a long log.
    search_fields = ["=stream_id", "event_type", "metadata__actor_name"]
    ordering = ["-position"]
    export_fields = [
        "position",
        "recorded_at",
        "stream_type",
        "stream_id",
        "version",
        "event_type",
        "schema_version",
        "data",
        "metadata",
        "hash",
    ]

    @admin.display(description=_("actor"))
    def actor(self, event: Event) -> str:
        return event.metadata.get("actor_name", "")

    @admin.display(description=_("stream"), ordering="stream_id")
    def stream(self, event: Event) -> str:
        """The stream's id, linked to the list of that stream's events alone."""
        return format_html(
            '<a href="?stream_id={}">{}</a>',
            event.stream_id,
            shortened(str(event.stream_id)),
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Every attempted operation, allowed or denied, with who, when and where."""

    list_display = [
        "position",
        "occurred_at",
        "actor_name",
        "action",
        "outcome",
        "object",
        "client_address",
    ]
    list_filter = [
        "outcome",
        ("action", IndexedValuesFilter),
        ("occurred_at", DateRangeFilter),
    ]
    # TODO(search): as on the event log, a search reads the whole log.
    search_fields = [
        "actor_name",
        "=object_id",
        "=customer_id",
        "=request_id",
        "client_address",
    ]

    @admin.display(description=_("object"), ordering="object_id")
    def object(self, entry: AuditEntry) -> str:
        return shortened(entry.object_id) if entry.object_id else "-"

    export_fields = [
        "position",
        "occurred_at",
        "actor_id",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "customer_id",
        "outcome",
        "error",
        "client_address",
        "request_id",
        "hash",
    ]


def shortened(identifier: str) -> str:
    """The start of a long id (of a key, its last part); the whole on hover."""
    if len(identifier) <= 12:
        return identifier
    start = identifier.rsplit("/", 1)[-1][:8]
    return format_html('<span title="{}">{}…</span>', identifier, start)
