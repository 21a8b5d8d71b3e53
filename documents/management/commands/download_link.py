from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from documents import services
from documents.exceptions import DocumentError
from documents.management.commands._actor import actor, add_actor_argument
from eventstore.context import system_actor


class Command(BaseCommand):
    help = (
        "Print a time-limited download link for a document, as the named user, "
        "audited as in the admin. The link is a credential: share it with care."
    )

    def add_arguments(self, parser):
        parser.add_argument("document", help="Document id.")
        add_actor_argument(parser)
        parser.add_argument(
            "--inline", action="store_true", help="Preview (PDFs and images only)."
        )

    def handle(self, *args, document, username, inline, **options):
        with system_actor("download_link"):
            try:
                link = services.generate_download_link(
                    actor(username), document, inline
                )
            except (DocumentError, PermissionDenied) as error:
                raise CommandError(str(error) or "Permission denied.") from error
        self.stderr.write(
            f"Link to {link.filename}, valid until {link.expires_at.isoformat()}:"
        )
        self.stdout.write(link.url)
