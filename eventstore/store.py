"""Append events to streams and load them, inside the caller's transaction.

Appends are buffered by ``unit_of_work()`` and written last, just before the
transaction commits. Writing them takes the lock on the chain head row, which
serializes appenders so that positions follow commit order with no holes; the
lock is therefore held for that last instant only, never while the caller
talks to storage.
"""

import contextlib
import dataclasses
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from eventstore import context, projections
from eventstore.canonical import GENESIS_HASH, chain_hash
from eventstore.events import DomainEvent, RecordedEvent
from eventstore.exceptions import ChainHeadMissing, ConcurrencyConflict, NoUnitOfWork
from eventstore.models import AuditEntry, ChainHead, Event

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class _PendingAppend:
    stream_type: str
    stream_id: uuid.UUID
    expected_version: int
    events: Sequence[DomainEvent]
    metadata: dict


@dataclasses.dataclass
class UnitOfWork:
    """What one transaction will write to the logs when it is about to commit."""

    appends: list[_PendingAppend] = dataclasses.field(default_factory=list)
    audit_entries: list[AuditEntry] = dataclasses.field(default_factory=list)
    recorded: list[RecordedEvent] = dataclasses.field(default_factory=list)

    def next_version(self, stream_id: uuid.UUID) -> int | None:
        versions = [
            pending.expected_version + len(pending.events)
            for pending in self.appends
            if pending.stream_id == stream_id
        ]
        return versions[-1] if versions else None


_local = threading.local()


@contextlib.contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Run the block in a transaction and write its events and audit last.

    Nested calls join the outermost unit of work.
    """
    current = getattr(_local, "unit_of_work", None)
    if current is not None:
        yield current
        return

    work = UnitOfWork()
    _local.unit_of_work = work
    try:
        with transaction.atomic():
            yield work
            _write(work)
    finally:
        _local.unit_of_work = None


def append(
    stream_type: str,
    stream_id: uuid.UUID,
    events: Sequence[DomainEvent],
    expected_version: int,
) -> None:
    """Append ``events`` to a stream that must now be at ``expected_version``.

    The version is checked at once, so a stale caller learns it before doing
    any other work, and again when the events are written.
    """
    work = _current_unit_of_work()
    current = work.next_version(stream_id)
    if current is None:
        current = stream_version(stream_id)
    if current != expected_version:
        raise ConcurrencyConflict(stream_id, expected_version)

    work.appends.append(
        _PendingAppend(
            stream_type=stream_type,
            stream_id=stream_id,
            expected_version=expected_version,
            events=list(events),
            metadata=context.current().metadata(),
        )
    )


def add_audit_entry(entry: AuditEntry) -> None:
    """Write ``entry`` with the current unit of work's events."""
    _current_unit_of_work().audit_entries.append(entry)


def load_stream(stream_id: uuid.UUID) -> list[RecordedEvent]:
    rows = Event.objects.filter(stream_id=stream_id).order_by("version")
    return [row.to_recorded_event() for row in rows]


def stream_version(stream_id: uuid.UUID) -> int:
    last = (
        Event.objects.filter(stream_id=stream_id)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return last or 0


def _current_unit_of_work() -> UnitOfWork:
    work = getattr(_local, "unit_of_work", None)
    if work is None:
        raise NoUnitOfWork()
    return work


def _write(work: UnitOfWork) -> None:
    # Events before audit, always: two chains locked in one order never
    # deadlock.
    if work.appends:
        _write_events(work)
    if work.audit_entries:
        _write_audit_entries(work.audit_entries)


def _write_events(work: UnitOfWork) -> None:
    recorded_at = timezone.now()
    head = _lock_head(ChainHead.EVENTS)
    rows = []
    for pending in work.appends:
        for offset, event in enumerate(pending.events, start=1):
            head.last_position += 1
            row = Event(
                position=head.last_position,
                stream_type=pending.stream_type,
                stream_id=pending.stream_id,
                version=pending.expected_version + offset,
                event_type=event.event_type(),
                schema_version=event.schema_version,
                data=event.to_data(),
                metadata=pending.metadata,
                recorded_at=recorded_at,
            )
            row.hash = head.last_hash = chain_hash(head.last_hash, row.chained_fields())
            rows.append(row)

    try:
        Event.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ConcurrencyConflict(_conflicting_stream(error, work)) from error
    _save_head(head)

    work.recorded = [row.to_recorded_event() for row in rows]
    projections.handle(work.recorded)
    logger.info(
        "appended events %s-%s to %s",
        rows[0].position,
        rows[-1].position,
        ", ".join(sorted({str(pending.stream_id) for pending in work.appends})),
    )


def _write_audit_entries(entries: list[AuditEntry]) -> None:
    head = _lock_head(ChainHead.AUDIT)
    for entry in entries:
        head.last_position += 1
        entry.position = head.last_position
        entry.hash = head.last_hash = chain_hash(head.last_hash, entry.chained_fields())
    AuditEntry.objects.bulk_create(entries)
    _save_head(head)


def _lock_head(chain: str) -> ChainHead:
    try:
        return ChainHead.objects.select_for_update().get(chain=chain)
    except ChainHead.DoesNotExist:
        raise ChainHeadMissing(chain) from None


def _save_head(head: ChainHead) -> None:
    ChainHead.objects.filter(chain=head.chain).update(
        last_position=head.last_position, last_hash=head.last_hash
    )


UUID_PATTERN = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _conflicting_stream(error: IntegrityError, work: UnitOfWork) -> uuid.UUID:
    """Name the stream whose (stream id, version) was taken by another writer."""
    detail = getattr(getattr(error.__cause__, "diag", None), "message_detail", "")
    found = UUID_PATTERN.search(detail or "")
    if found:
        return uuid.UUID(found.group())
    return work.appends[0].stream_id


def ensure_chain_heads(**kwargs) -> None:
    """Create missing head rows from the logs themselves (post_migrate, flush)."""
    for chain, model in ((ChainHead.EVENTS, Event), (ChainHead.AUDIT, AuditEntry)):
        if ChainHead.objects.filter(chain=chain).exists():
            continue
        last = model.objects.order_by("-position").first()
        ChainHead.objects.create(
            chain=chain,
            last_position=last.position if last else 0,
            last_hash=last.hash if last else GENESIS_HASH,
        )
