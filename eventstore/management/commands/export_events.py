import uuid

from django.core.management.base import BaseCommand, CommandError

from eventstore.admin import EventAdmin
from eventstore.exports import FORMATS, export
from eventstore.models import Event


class Command(BaseCommand):
    help = (
        "Export the events of the given streams (a document's id is its stream "
        "id), in log order, as CSV or JSON lines, streamed."
    )

    def add_arguments(self, parser):
        parser.add_argument("streams", nargs="+", help="Stream ids.")
        parser.add_argument(
            "--format", choices=FORMATS, default="csv", dest="output_format"
        )
        parser.add_argument("--output", help="File to write; default: standard output.")

    def handle(self, *args, streams, output_format, output, **options):
        events = Event.objects.filter(stream_id__in=_ids(streams)).order_by("position")

        fields = EventAdmin.export_fields
        written = export(events, fields, output, output_format, self.stdout)
        self.stderr.write(f"Exported {written} events of {len(streams)} streams.")


def _ids(streams: list[str]) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(stream) for stream in streams]
    except ValueError as error:
        raise CommandError(f"Stream ids are UUIDs: {error}") from None
