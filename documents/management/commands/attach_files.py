import json
import mimetypes
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from documents import services
from documents.exceptions import DocumentError
from documents.management.commands._actor import actor, add_actor_argument
from documents.models import Status
from eventstore.context import system_actor


class Command(BaseCommand):
    help = (
        "Attach local files to a customer, as the named user, through the same "
        "service as the admin: for bulk imports. Exits with status 1 if any file "
        "could not be attached."
    )

    def add_arguments(self, parser):
        parser.add_argument("customer", help="Customer id.")
        parser.add_argument("paths", nargs="+", help="Files to attach.")
        add_actor_argument(parser)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON."
        )

    def handle(self, *args, customer, paths, username, as_json, **options):
        user = actor(username)
        results = []
        with system_actor("attach_files"):
            for path in tqdm(paths, unit="file", disable=as_json):
                results.append(self._attach(user, customer, Path(path)))

        if as_json:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            for result in results:
                self.stdout.write(f"{result['path']}: {result['outcome']}")
        attached = sum(result["outcome"] == "attached" for result in results)
        self.stderr.write(f"Attached {attached} of {len(results)} files.")
        if attached < len(results):
            raise SystemExit(1)

    def _attach(self, user, customer, path: Path) -> dict:
        result = {"path": str(path), "document_id": None}
        if not path.is_file():
            return result | {"outcome": "not a readable file"}
        content_type = mimetypes.guess_type(path.name)[0]
        try:
            with path.open("rb") as handle:
                file = UploadedFile(
                    handle, path.name, content_type, path.stat().st_size
                )
                document = services.attach_document(user, customer, file)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except DocumentError as error:
            return result | {"outcome": f"refused: {error}"}
        result["document_id"] = str(document.id)
        if document.status == Status.FAILED:
            return result | {"outcome": f"failed, to retry: {document.upload_error}"}
        return result | {"outcome": "attached"}
