"""What can happen to a customer document, in the order it can happen."""

import dataclasses
import datetime
import uuid

from eventstore.events import DomainEvent, register


@register
@dataclasses.dataclass(frozen=True)
class DocumentCreated(DomainEvent):
    customer_id: uuid.UUID
    original_filename: str
    sanitized_filename: str
    content_type: str
    storage_key: str
    storage_alias: str
    bucket: str


@register
@dataclasses.dataclass(frozen=True)
class FileUploaded(DomainEvent):
    size: int
    sha256: str


@register
@dataclasses.dataclass(frozen=True)
class UploadFailed(DomainEvent):
    error: str


@register
@dataclasses.dataclass(frozen=True)
class DownloadLinkGenerated(DomainEvent):
    """A link was handed out; the link itself is a credential and never stored."""

    expires_at: datetime.datetime
    inline: bool


@register
@dataclasses.dataclass(frozen=True)
class DocumentArchived(DomainEvent):
    pass


@register
@dataclasses.dataclass(frozen=True)
class DocumentDeleted(DomainEvent):
    pass
