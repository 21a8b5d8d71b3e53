"""Compare storage with the document records, in both directions.

Reads bucket listings and HEADs, never whole objects. Both sides are walked in
key order and merged, so memory stays flat however many documents there are.
Only orphans (objects no record knows) older than a grace period are ever
removed; anything a record points to is reported, never touched.
"""

import dataclasses
import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from django.db.models.functions import Collate
from django.utils import timezone

from documents import storage
from documents.exceptions import StorageError
from documents.models import CustomerDocument, Status
from documents.rules import KEY_PREFIX
from eventstore.audit import audited

logger = logging.getLogger(__name__)

HEAD_BATCH = 256


class Kind:
    ORPHAN = "orphan"
    MISSING = "missing"
    SIZE_MISMATCH = "size_mismatch"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    STUCK_IN_NEW = "stuck_in_new"
    LEFT_AFTER_DELETE = "left_after_delete"

    DESCRIPTIONS = {
        ORPHAN: "objects that no document knows",
        MISSING: "Active or Archived documents whose object is missing",
        SIZE_MISMATCH: "objects whose size differs from the record",
        CHECKSUM_MISMATCH: "objects whose SHA-256 differs from the record",
        STUCK_IN_NEW: "documents stuck in New past the grace period",
        LEFT_AFTER_DELETE: "objects of deleted documents still in storage",
    }


@dataclasses.dataclass
class Finding:
    kind: str
    location: storage.Location
    key: str
    document_id: uuid.UUID | None = None
    detail: str = ""
    modified: datetime.datetime | None = None
    fixed: bool = False

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "storage": self.location.alias,
            "bucket": self.location.bucket,
            "key": self.key,
            "document_id": str(self.document_id) if self.document_id else None,
            "detail": self.detail,
            "fixed": self.fixed,
        }


@dataclasses.dataclass
class Report:
    objects: int = 0
    documents: int = 0
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(finding.kind for finding in self.findings)

    @property
    def unresolved(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.fixed]


def reconcile(
    grace: datetime.timedelta,
    fix: bool = False,
    on_item: Callable[[], None] = lambda: None,
) -> Report:
    """Check every location that holds documents; remove old orphans if asked."""
    report = Report()
    cutoff = timezone.now() - grace
    for location in _locations():
        _compare(location, report, on_item)
    report.findings += _stuck_in_new(cutoff)
    if fix:
        _remove_orphans(report, cutoff)
    return report


def _locations() -> list[storage.Location]:
    recorded = CustomerDocument.objects.values_list("storage_alias", "bucket")
    known = {storage.Location(*pair) for pair in recorded.distinct()}
    return sorted(
        known | {storage.current_location()}, key=lambda x: (x.alias, x.bucket)
    )


def _compare(location: storage.Location, report: Report, on_item) -> None:
    objects = storage.list_objects(location, KEY_PREFIX)
    records = (
        CustomerDocument.objects.filter(
            storage_alias=location.alias, bucket=location.bucket
        )
        .order_by(Collate("storage_key", "C"))
        .only("id", "storage_key", "status", "size", "sha256")
        .iterator(chunk_size=2000)
    )
    to_hash = []
    for listed, record in _merged(objects, records):
        on_item()
        report.objects += listed is not None
        report.documents += record is not None
        finding = _compare_one(location, listed, record)
        if finding is not None:
            report.findings.append(finding)
        elif listed is not None and record is not None and record.sha256:
            to_hash.append(record)
        if len(to_hash) >= HEAD_BATCH:
            report.findings += _checksum_mismatches(location, to_hash)
            to_hash = []
    report.findings += _checksum_mismatches(location, to_hash)


def _merged(
    objects: Iterable[storage.ListedObject], records: Iterable[CustomerDocument]
) -> Iterator[tuple]:
    """Pair objects and records by key; either side may be None."""
    objects, records = iter(objects), iter(records)
    listed, record = next(objects, None), next(records, None)
    while listed is not None or record is not None:
        if record is None or (listed is not None and listed.key < record.storage_key):
            yield listed, None
            listed = next(objects, None)
        elif listed is None or record.storage_key < listed.key:
            yield None, record
            record = next(records, None)
        else:
            yield listed, record
            listed, record = next(objects, None), next(records, None)


def _compare_one(location, listed, record) -> Finding | None:
    if record is None:
        return Finding(
            Kind.ORPHAN,
            location,
            listed.key,
            detail=f"stored {listed.modified.isoformat(timespec='seconds')}",
            modified=listed.modified,
        )
    stored_states = {Status.ACTIVE, Status.ARCHIVED}
    if listed is None:
        if record.status in stored_states:
            return Finding(Kind.MISSING, location, record.storage_key, record.id)
        return None
    if record.status == Status.DELETED:
        return Finding(Kind.LEFT_AFTER_DELETE, location, listed.key, record.id)
    if record.status in stored_states and listed.size != record.size:
        return Finding(
            Kind.SIZE_MISMATCH,
            location,
            listed.key,
            record.id,
            f"{listed.size} bytes stored, {record.size} recorded",
        )
    return None


def _checksum_mismatches(location, records: list[CustomerDocument]) -> list[Finding]:
    """HEAD the objects a batch at a time; report those whose SHA-256 differs."""
    described = storage.describe_many(location, [r.storage_key for r in records])
    findings = []
    for record, stored in zip(records, described, strict=True):
        if stored is None or stored.sha256 == record.sha256:
            continue
        # An object written by something else carries no checksum of ours.
        sha256 = f"{stored.sha256[:12]}..." if stored.sha256 else "none"
        findings.append(
            Finding(
                Kind.CHECKSUM_MISMATCH,
                location,
                record.storage_key,
                record.id,
                f"stored SHA-256 {sha256}, recorded {record.sha256[:12]}...",
            )
        )
    return findings


def _stuck_in_new(cutoff: datetime.datetime) -> list[Finding]:
    stuck = CustomerDocument.objects.filter(status=Status.NEW, created_at__lt=cutoff)
    return [
        Finding(
            Kind.STUCK_IN_NEW,
            storage.Location(document.storage_alias, document.bucket),
            document.storage_key,
            document.id,
            f"created {document.created_at.isoformat(timespec='seconds')}",
        )
        for document in stuck.iterator()
    ]


def _remove_orphans(report: Report, cutoff: datetime.datetime) -> None:
    orphans = [f for f in report.findings if f.kind == Kind.ORPHAN]
    for finding in orphans:
        if finding.modified is None or finding.modified >= cutoff:
            finding.detail += "; within the grace period, kept"
            continue
        try:
            with audited(
                "remove_orphaned_object",
                object_type="storage_object",
                object_id=finding.key,
            ):
                storage.delete(finding.location, finding.key)
        except StorageError as error:
            finding.detail += f"; could not remove: {error}"
            continue
        finding.fixed = True
