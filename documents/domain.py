"""The customer document as an event-sourced entity: its lifecycle and rules."""

import datetime
import uuid

from django.utils.translation import gettext as _

from documents import rules
from documents.events import (
    DocumentArchived,
    DocumentCreated,
    DocumentDeleted,
    DownloadLinkGenerated,
    FileUploaded,
    UploadFailed,
)
from documents.exceptions import TransitionRefused
from documents.models import Status
from eventstore.aggregates import Aggregate
from eventstore.events import DomainEvent

STREAM_TYPE = "customer_document"


class CustomerDocument(Aggregate):
    """A file attached to a customer: New, then Active or Failed, then Archived,
    then Deleted."""

    stream_type = STREAM_TYPE

    def __init__(self, id: uuid.UUID):
        super().__init__(id)
        self.status = Status.NEW
        self.customer_id: uuid.UUID | None = None
        self.original_filename = ""
        self.content_type = ""
        self.storage_key = ""
        self.storage_alias = ""
        self.bucket = ""

    @classmethod
    def create(
        cls,
        customer_id: uuid.UUID,
        filename: str,
        content_type: str | None,
        storage_alias: str,
        bucket: str,
    ) -> "CustomerDocument":
        document = cls(uuid.uuid4())
        essence = rules.content_type_essence(content_type)
        document.record(
            DocumentCreated(
                customer_id=customer_id,
                original_filename=rules.normalized_filename(filename),
                sanitized_filename=rules.sanitize_filename(filename),
                content_type=essence,
                storage_key=rules.storage_key(document.id, essence),
                storage_alias=storage_alias,
                bucket=bucket,
            )
        )
        return document

    def file_uploaded(self, size: int, sha256: str) -> None:
        self._require({Status.NEW, Status.FAILED}, _("upload"))
        self.record(FileUploaded(size=size, sha256=sha256))

    def upload_failed(self, error: str) -> None:
        self._require({Status.NEW, Status.FAILED}, _("upload"))
        self.record(UploadFailed(error=error))

    def check_retry(self) -> None:
        self._require({Status.FAILED}, _("retry the upload of"))

    def download_link_generated(self, expires_at: datetime.datetime, inline: bool):
        self._require({Status.ACTIVE, Status.ARCHIVED}, _("download"))
        self.record(DownloadLinkGenerated(expires_at=expires_at, inline=inline))

    def archive(self) -> None:
        self._require({Status.ACTIVE}, _("archive"))
        self.record(DocumentArchived())

    def check_delete(self) -> None:
        self._require({Status.ACTIVE, Status.ARCHIVED, Status.FAILED}, _("delete"))

    def delete(self) -> None:
        self.check_delete()
        self.record(DocumentDeleted())

    def apply(self, event: DomainEvent) -> None:
        match event:
            case DocumentCreated():
                self.customer_id = event.customer_id
                self.original_filename = event.original_filename
                self.content_type = event.content_type
                self.storage_key = event.storage_key
                self.storage_alias = event.storage_alias
                self.bucket = event.bucket
            case FileUploaded():
                self.status = Status.ACTIVE
            case UploadFailed():
                self.status = Status.FAILED
            case DocumentArchived():
                self.status = Status.ARCHIVED
            case DocumentDeleted():
                self.status = Status.DELETED

    def _require(self, allowed: set[str], action: str) -> None:
        if self.status not in allowed:
            raise TransitionRefused(self.id, str(Status(self.status).label), action)
