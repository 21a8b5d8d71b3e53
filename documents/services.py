"""The operations on customer documents: the only way in, for every caller.

Each service checks its permission, runs in its own audited unit of work (one
audit entry per attempt, whatever the outcome) and logs one line. Admin views,
management commands and tests all call these functions.
"""

import contextlib
import dataclasses
import datetime
import hashlib
import logging
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from documents import permissions, rules, storage
from documents.domain import STREAM_TYPE, CustomerDocument
from documents.exceptions import (
    CustomerNotFound,
    DocumentChanged,
    DocumentNotFound,
    InvalidUpload,
    StorageError,
)
from documents.models import CustomerDocument as DocumentRecord
from eventstore import context
from eventstore.audit import Attempt, audited
from eventstore.events import RecordedEvent
from eventstore.exceptions import ConcurrencyConflict
from eventstore.store import load_stream

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
HASH_CHUNK_SIZE = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class DownloadLink:
    """A presigned URL: a bearer credential, handed out and never stored."""

    url: str
    expires_at: datetime.datetime
    filename: str


def attach_document(user, customer_id: uuid.UUID, file: File) -> DocumentRecord:
    """Create a document for the customer and upload its bytes.

    If storage fails, the document is kept as Failed, with the error, for a
    retry; if the database fails after the bytes were stored, they are removed.
    """
    with (
        _removed_unless_committed() as stored,
        _operation(
            user, "attach_document", customer_id=_as_uuid(customer_id)
        ) as attempt,
    ):
        customer = _customer(customer_id)
        _require(user, permissions.CREATE, customer)
        size, sha256 = _checked_upload(file)

        location = storage.current_location()
        document = CustomerDocument.create(
            customer.id,
            file.name or "",
            getattr(file, "content_type", None),
            location.alias,
            location.bucket,
        )
        attempt.object_id = str(document.id)
        _upload(document, file, size, sha256, attempt, stored)
        document.save()

    return DocumentRecord.objects.get(id=document.id)


def retry_upload(
    user, document_id: uuid.UUID, file: File, expected_version: int | None = None
) -> DocumentRecord:
    """Upload the file again for a Failed document, to the same key."""
    with (
        _removed_unless_committed() as stored,
        _operation(user, "retry_upload", object_id=document_id) as attempt,
    ):
        record = _record(document_id, attempt, lock=True)
        _require(user, permissions.CREATE, record.customer)
        document = _load(record)
        _check_version(document, expected_version)
        document.check_retry()
        size, sha256 = _checked_upload(file)

        _upload(document, file, size, sha256, attempt, stored)
        document.save()

    return DocumentRecord.objects.get(id=document_id)


def list_documents(user, customer_id: uuid.UUID, page: int = 1) -> Page:
    """The customer's documents, newest first, deleted ones left out."""
    with _operation(
        user,
        "list_documents",
        object_type="customer",
        customer_id=_as_uuid(customer_id),
    ):
        customer = _customer(customer_id)
        _require(user, permissions.LIST, customer)
        documents = DocumentRecord.objects.visible().filter(customer=customer)
        return Paginator(documents.order_by("-created_at"), PAGE_SIZE).get_page(page)


def view_document(
    user, document_id: uuid.UUID
) -> tuple[DocumentRecord, list[RecordedEvent]]:
    """One document and its history, oldest event first."""
    with _operation(user, "view_document", object_id=document_id) as attempt:
        record = _record(document_id, attempt)
        _require(user, permissions.READ, record.customer)
        return record, load_stream(record.id)


def generate_download_link(
    user, document_id: uuid.UUID, inline: bool = False
) -> DownloadLink:
    """Hand out a time-limited link; only PDFs and images are ever inline."""
    with _operation(user, "generate_download_link", object_id=document_id) as attempt:
        record = _record(document_id, attempt)
        _require(user, permissions.GENERATE_DOWNLOAD_LINK, record.customer)
        document = _load(record)
        inline = inline and rules.can_preview_inline(document.content_type)
        expires_in = settings.DOCUMENTS_DOWNLOAD_LINK_EXPIRY
        expires_at = timezone.now() + datetime.timedelta(seconds=expires_in)
        document.download_link_generated(expires_at, inline)
        document.save()

        url = storage.download_url(
            _location(document),
            document.storage_key,
            document.original_filename,
            document.content_type,
            inline,
            expires_in,
        )
    return DownloadLink(url, expires_at, document.original_filename)


def archive_document(
    user, document_id: uuid.UUID, expected_version: int | None = None
) -> DocumentRecord:
    """Mark an Active document as no longer current; its bytes stay."""
    with _operation(user, "archive_document", object_id=document_id) as attempt:
        record = _record(document_id, attempt, lock=True)
        _require(user, permissions.DELETE, record.customer)
        document = _load(record)
        _check_version(document, expected_version)
        document.archive()
        document.save()
    return DocumentRecord.objects.get(id=document_id)


def delete_document(
    user, document_id: uuid.UUID, expected_version: int | None = None
) -> DocumentRecord:
    """Remove the bytes from storage, then record the deletion.

    The document's row is locked first, so a concurrent change is found before
    any byte is touched. An object that is already missing does not block the
    deletion; a storage that refuses does, and then nothing changes.
    """
    with _operation(user, "delete_document", object_id=document_id) as attempt:
        record = _record(document_id, attempt, lock=True)
        _require(user, permissions.DELETE, record.customer)
        document = _load(record)
        _check_version(document, expected_version)
        document.check_delete()

        storage.delete(_location(document), document.storage_key)
        document.delete()
        document.save()
    return DocumentRecord.objects.get(id=document_id)


# The steps the services share.


@contextlib.contextmanager
def _operation(
    user, action: str, object_type: str = STREAM_TYPE, **target
) -> Iterator[Attempt]:
    """Act as ``user`` in one audited unit of work; conflicts read as such."""
    try:
        with (
            context.acting_user(user),
            audited(action, object_type=object_type, **target) as attempt,
        ):
            yield attempt
    except ConcurrencyConflict as conflict:
        raise DocumentChanged(conflict.stream_id) from conflict


@contextlib.contextmanager
def _removed_unless_committed() -> Iterator[list]:
    """Delete the objects stored inside the block if its transaction fails.

    It must wrap the audited unit of work: the commit happens as that exits.
    """
    stored: list[tuple[storage.Location, str]] = []
    try:
        yield stored
    except BaseException:
        for location, key in stored:
            try:
                storage.delete(location, key)
            except StorageError:
                # Reconciling storage finds what is left; the first error
                # is the one the operator needs to see.
                logger.exception("could not remove %s after a failed attach", key)
            else:
                logger.warning("removed %s: its transaction did not commit", key)
        raise


def _as_uuid(value) -> uuid.UUID | None:
    """The id as a UUID for the audit entry; None when it is not one at all."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _customer(customer_id: uuid.UUID) -> Customer:
    try:
        return Customer.objects.get(id=customer_id)
    except (Customer.DoesNotExist, ValidationError, ValueError):
        raise CustomerNotFound(customer_id) from None


def _require(user, codename: str, customer: Customer) -> None:
    if not permissions.has_permission(user, codename, customer):
        raise PermissionDenied(_("You may not do this with this customer's documents."))


def _record(
    document_id: uuid.UUID, attempt: Attempt, lock: bool = False
) -> DocumentRecord:
    """The document's row, with its customer; locked, when the caller will
    change storage, so that concurrent changes queue here first."""
    records = DocumentRecord.objects.select_related("customer")
    if lock:
        records = records.select_for_update(of=("self",))
    try:
        record = records.get(id=document_id)
    except (DocumentRecord.DoesNotExist, ValidationError, ValueError):
        raise DocumentNotFound(document_id) from None
    attempt.customer_id = record.customer_id
    return record


def _load(record: DocumentRecord) -> CustomerDocument:
    document = CustomerDocument.load(record.id)
    if document is None:  # A read-model row with no events: rebuild it.
        raise DocumentNotFound(record.id)
    return document


def _check_version(document: CustomerDocument, expected_version: int | None):
    """A form shows one version; acting on a newer one would surprise its user."""
    if expected_version is not None and document.version != expected_version:
        raise DocumentChanged(document.id)


def _location(document: CustomerDocument) -> storage.Location:
    return storage.Location(document.storage_alias, document.bucket)


def _checked_upload(file: File) -> tuple[int, str]:
    """Check the name and size, hashing the bytes on the way; return both."""
    rules.normalized_filename(file.name or "")
    limit = settings.DOCUMENTS_MAX_UPLOAD_SIZE
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in file.chunks(HASH_CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            raise InvalidUpload(
                _("The file is larger than the limit of %(limit)s bytes.")
                % {"limit": limit}
            )
        digest.update(chunk)
    if size == 0:
        raise InvalidUpload(_("The file is empty."))
    file.seek(0)
    return size, digest.hexdigest()


def _upload(
    document: CustomerDocument,
    file: File,
    size: int,
    sha256: str,
    attempt: Attempt,
    stored: list,
) -> None:
    """Upload and record the outcome: FileUploaded, or UploadFailed to retry."""
    location = _location(document)
    try:
        storage.upload(
            location, document.storage_key, file, document.content_type, sha256
        )
    except StorageError as error:
        document.upload_failed(str(error))
        attempt.fail(str(error))
        return
    stored.append((location, document.storage_key))
    document.file_uploaded(size, sha256)
