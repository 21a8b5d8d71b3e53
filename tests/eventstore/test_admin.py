"""The event and audit pages are read-only for everybody, superusers included."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eventstore import store
from eventstore.audit import Attempt, Outcome, record
from eventstore.models import AuditEntry, Event
from tests.factories import UserFactory
from tests.ledger.domain import Ledger

PAGES = ["event", "auditentry"]


@pytest.fixture
def history(db):
    for owner in ["ada", "grace"]:
        with store.unit_of_work():
            Ledger.open(owner).save()
    record(Attempt("archive_document", object_id="doc-1"), Outcome.DENIED, "no")
    record(Attempt("archive_document", object_id="doc-2"), Outcome.SUCCEEDED)
    record(Attempt("create_document", object_id="=HYPERLINK()"), Outcome.SUCCEEDED)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("page", PAGES)
def test_the_change_list_shows_rows_and_no_add_button(admin_client, history, page):
    response = admin_client.get(reverse(f"admin:eventstore_{page}_changelist"))

    assert response.status_code == 200
    assert reverse(f"admin:eventstore_{page}_add").encode() not in response.content
    assert b"Export CSV" in response.content


@pytest.mark.parametrize("page", PAGES)
def test_adding_is_refused(admin_client, history, page):
    response = admin_client.post(reverse(f"admin:eventstore_{page}_add"), {})

    assert response.status_code == 403


def test_changing_an_event_is_refused(admin_client, history):
    url = reverse("admin:eventstore_event_change", args=[1])

    response = admin_client.post(url, {"event_type": "Forged"})

    assert Event.objects.get(position=1).event_type == "LedgerOpened"
    assert b"Forged" not in response.content
    assert b'name="event_type"' not in admin_client.get(url).content


def test_deleting_an_event_is_refused(admin_client, history):
    response = admin_client.post(
        reverse("admin:eventstore_event_delete", args=[1]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Event.objects.count() == 2


def test_deleting_audit_entries_in_bulk_is_not_offered(admin_client, history):
    response = admin_client.post(
        reverse("admin:eventstore_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [1, 2], "post": "yes"},
    )

    assert AuditEntry.objects.count() == 3
    assert b"delete_selected" not in response.content


def test_the_audit_log_filters_by_outcome(admin_client, history):
    response = admin_client.get(
        reverse("admin:eventstore_auditentry_changelist"), {"outcome__exact": "denied"}
    )

    assert [e.object_id for e in response.context["cl"].result_list] == ["doc-1"]


def filter_choices(response, title: str) -> list[str]:
    (spec,) = [f for f in response.context["cl"].filter_specs if f.title == title]
    return list(spec.lookup_choices)


def test_the_event_log_filters_by_the_event_types_it_holds(admin_client, history):
    changelist = reverse("admin:eventstore_event_changelist")

    everything = admin_client.get(changelist)
    opened = admin_client.get(changelist, {"event_type": "LedgerOpened"})

    assert filter_choices(everything, "event type") == ["LedgerOpened"]
    assert opened.context["cl"].result_count == 2


def test_the_audit_log_filters_by_the_actions_attempted(admin_client, history):
    response = admin_client.get(reverse("admin:eventstore_auditentry_changelist"))

    assert filter_choices(response, "action") == ["archive_document", "create_document"]


def test_a_stream_links_to_its_own_events_alone(admin_client, history):
    stream_id = Event.objects.first().stream_id
    changelist = reverse("admin:eventstore_event_changelist")

    listing = admin_client.get(changelist)
    one_stream = admin_client.get(changelist, {"stream_id": str(stream_id)})

    assert f'href="?stream_id={stream_id}"'.encode() in listing.content
    assert [e.stream_id for e in one_stream.context["cl"].result_list] == [stream_id]


def days_from_today(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [(0, 0, 2), (-3, 0, 2), (0, 3, 2), (1, 3, 0), (-3, -1, 0)],
)
def test_the_event_log_shows_the_days_from_one_date_to_another_both_included(
    admin_client, history, first, last, shown
):
    response = admin_client.get(
        reverse("admin:eventstore_event_changelist"),
        {
            "recorded_at__from": days_from_today(first),
            "recorded_at__to": days_from_today(last),
        },
    )

    assert response.context["cl"].result_count == shown


def test_an_impossible_date_gets_a_clear_message_and_filters_nothing(
    admin_client, history
):
    response = admin_client.get(
        reverse("admin:eventstore_auditentry_changelist"),
        {"occurred_at__to": "2026-02-30"},
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    assert "2026-02-30 is not a date like 2026-12-31." in [
        str(message) for message in response.context["messages"]
    ]


def test_the_csv_export_follows_the_date_range(admin_client, history):
    response = admin_client.get(
        reverse("admin:eventstore_event_export"),
        {"recorded_at__from": days_from_today(1)},
    )

    assert read_csv(response)[1:] == []


def test_the_date_form_keeps_the_other_filters(admin_client, history):
    response = admin_client.get(
        reverse("admin:eventstore_auditentry_changelist"), {"outcome__exact": "denied"}
    )

    assert b'<input type="hidden" name="outcome__exact" value="denied">' in (
        response.content
    )


@pytest.mark.parametrize("page", PAGES)
def test_a_change_list_never_reads_every_row_for_its_filters(
    admin_client, history, page
):
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(reverse(f"admin:eventstore_{page}_changelist"))

    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]


def test_the_csv_export_holds_the_filtered_rows(admin_client, history):
    response = admin_client.get(
        reverse("admin:eventstore_auditentry_export"),
        {"action__exact": "archive_document"},
    )

    rows = read_csv(response)
    assert rows[0][:5] == [
        "position",
        "occurred_at",
        "actor_id",
        "actor_name",
        "action",
    ]
    assert sorted(row[6] for row in rows[1:]) == ["doc-1", "doc-2"]


def test_the_csv_export_defuses_spreadsheet_formulas(admin_client, history):
    response = admin_client.get(
        reverse("admin:eventstore_auditentry_export"), {"q": "=HYPERLINK()"}
    )

    assert read_csv(response)[1][6] == "'=HYPERLINK()"


def test_the_event_export_writes_payloads_as_json(admin_client, history):
    response = admin_client.get(reverse("admin:eventstore_event_export"))

    rows = read_csv(response)
    assert rows[1][7] == '{"owner": "grace"}'


def test_an_export_is_itself_audited(admin_client, history, superuser):
    admin_client.get(reverse("admin:eventstore_event_export"))

    entry = AuditEntry.objects.order_by("-position").first()
    assert (entry.action, entry.actor_name, entry.outcome) == (
        "export_event_csv",
        superuser.username,
        "succeeded",
    )


def test_staff_without_view_permission_cannot_export(client, history):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:eventstore_auditentry_export"))

    assert response.status_code == 403
    assert AuditEntry.objects.order_by("-position").first().outcome == "denied"


def test_staff_with_view_permission_reads_the_audit_log(client, history):
    auditor = UserFactory()
    auditor.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(auditor)

    response = client.get(reverse("admin:eventstore_auditentry_changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3
