from documents.domain import STREAM_TYPE
from documents.events import (
    DocumentArchived,
    DocumentCreated,
    DocumentDeleted,
    FileUploaded,
    UploadFailed,
)
from documents.models import CustomerDocument, Status
from eventstore.events import RecordedEvent
from eventstore.exceptions import ProjectionOutOfStep
from eventstore.projections import Projection, register


@register
class CustomerDocumentProjection(Projection):
    """Keep one row per document: its names, storage, status, size and times."""

    name = "customer_documents"
    stream_types = frozenset({STREAM_TYPE})
    read_models = (CustomerDocument,)

    def handle(self, events: list[RecordedEvent]) -> None:
        for recorded in events:
            if isinstance(recorded.event, DocumentCreated):
                self._create(recorded, recorded.event)
            else:
                self._update(recorded)

    def _create(self, recorded: RecordedEvent, event: DocumentCreated) -> None:
        CustomerDocument.objects.create(
            id=recorded.stream_id,
            customer_id=event.customer_id,
            original_filename=event.original_filename,
            sanitized_filename=event.sanitized_filename,
            content_type=event.content_type,
            storage_key=event.storage_key,
            storage_alias=event.storage_alias,
            bucket=event.bucket,
            status=Status.NEW,
            version=recorded.version,
            created_at=recorded.recorded_at,
            updated_at=recorded.recorded_at,
        )

    def _update(self, recorded: RecordedEvent) -> None:
        changes = {"version": recorded.version, "updated_at": recorded.recorded_at}
        match recorded.event:
            case FileUploaded(size=size, sha256=sha256):
                changes |= {"status": Status.ACTIVE, "size": size, "sha256": sha256}
                changes["upload_error"] = ""
            case UploadFailed(error=error):
                changes |= {"status": Status.FAILED, "upload_error": error}
            case DocumentArchived():
                changes |= {"status": Status.ARCHIVED}
                changes["archived_at"] = recorded.recorded_at
            case DocumentDeleted():
                changes |= {"status": Status.DELETED}
                changes["deleted_at"] = recorded.recorded_at
        updated = CustomerDocument.objects.filter(id=recorded.stream_id).update(
            **changes
        )
        if not updated:
            raise ProjectionOutOfStep(self.name, recorded.stream_id)
