import datetime
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from eventstore.admin import AuditEntryAdmin
from eventstore.exports import FORMATS, export
from eventstore.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Export audit entries, oldest first, as CSV or JSON lines, filtered by "
        "time, customer, actor or action. Rows stream out: millions of them need "
        "no more memory than a few."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=FORMATS, default="csv", dest="output_format"
        )
        parser.add_argument("--output", help="File to write; default: standard output.")
        parser.add_argument("--since", help="From this date or time, inclusive.")
        parser.add_argument("--until", help="Up to this date or time, exclusive.")
        parser.add_argument("--customer", help="Customer id.")
        parser.add_argument("--actor", help="Actor name, as recorded.")
        parser.add_argument("--action", help="Action, such as delete_document.")

    def handle(self, *args, output_format, output, **options):
        entries = self._filtered(AuditEntry.objects.order_by("position"), options)

        fields = AuditEntryAdmin.export_fields
        written = export(entries, fields, output, output_format, self.stdout)
        self.stderr.write(f"Exported {written} audit entries.")

    def _filtered(self, entries, options):
        if options["since"]:
            entries = entries.filter(occurred_at__gte=moment(options["since"], "since"))
        if options["until"]:
            entries = entries.filter(occurred_at__lt=moment(options["until"], "until"))
        if options["customer"]:
            entries = entries.filter(customer_id=customer_id(options["customer"]))
        if options["actor"]:
            entries = entries.filter(actor_name=options["actor"])
        if options["action"]:
            entries = entries.filter(action=options["action"])
        return entries


def moment(text: str, option: str) -> datetime.datetime:
    """A date means its midnight; a time without zone is in the server's zone."""
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(
                f"--{option} takes a date (2026-12-31) or a time "
                f"(2026-12-31T09:30), not {text!r}"
            )
        value = datetime.datetime.combine(day, datetime.time.min)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def customer_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise CommandError(f"--customer takes a customer id, not {text!r}") from None
