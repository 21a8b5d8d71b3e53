"""Append events to streams and load them, inside the caller's transaction.

Appends are buffered by ``unit_of_work()`` and written last, just before the
transaction commits. Writing them takes the lock on each chain, which
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

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from eventstore import context, projections
from eventstore.canonical import GENESIS_HASH
from eventstore.events import DomainEvent, RecordedEvent
from eventstore.exceptions import ConcurrencyConflict, NoUnitOfWork
from eventstore.models import AuditEntry, ChainHead, Event

logger = logging.getLogger(__name__)

IDLE = psycopg.pq.TransactionStatus.IDLE
INERROR = psycopg.pq.TransactionStatus.INERROR

# The database functions that append to each chain (migration 0006), in the
# order they are called: events before audit, always.
APPEND_EVENTS = "eventstore_append_events"
APPEND_AUDIT = "eventstore_append_audit"


@dataclasses.dataclass
class UnitOfWork:
    """What one transaction will write to the logs when it is about to commit."""

    events: list[RecordedEvent] = dataclasses.field(default_factory=list)
    audit_entries: list[AuditEntry] = dataclasses.field(default_factory=list)
    # Stream versions read or appended in this transaction.
    known_versions: dict[uuid.UUID, int] = dataclasses.field(default_factory=dict)


_local = threading.local()


@contextlib.contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """Run the block in a transaction and write its events and audit last.

    Nested calls join the outermost unit of work, in a savepoint of their own.
    Inside a transaction that the caller opened, the writing happens when the
    block ends, and the chain lock is then held until the caller's transaction
    ends.
    """
    current = getattr(_local, "unit_of_work", None)
    if current is not None:
        yield from _nested(current)
        return

    work = UnitOfWork()
    _local.unit_of_work = work
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            yield work
            _write(work, commit=outermost)
    finally:
        _local.unit_of_work = None


def _nested(work: UnitOfWork) -> Iterator[UnitOfWork]:
    """Join the outer unit of work; on failure, drop what this block added.

    The outer block may catch the error and go on: the failed block's events
    must not be written with its own.
    """
    events, entries = len(work.events), len(work.audit_entries)
    versions = dict(work.known_versions)
    with transaction.atomic():
        try:
            yield work
        except BaseException:
            del work.events[events:], work.audit_entries[entries:]
            work.known_versions = versions
            raise


def append(
    stream_type: str,
    stream_id: uuid.UUID,
    events: Sequence[DomainEvent],
    expected_version: int,
) -> None:
    """Append ``events`` to a stream that must now be at ``expected_version``.

    A version this transaction does not know yet is read at once, so that a
    stale caller learns it before doing any other work. When the events are
    written, the unique (stream, version) pair catches any writer that got in
    between, and a stream that should be new but is not.
    """
    work = _current_unit_of_work()
    current = work.known_versions.get(stream_id)
    if current is None and expected_version != 0:
        current = stream_version(stream_id)
    if current is not None and current != expected_version:
        raise ConcurrencyConflict(stream_id, expected_version)

    metadata = context.current().metadata()
    recorded_at = timezone.now()
    for version, event in enumerate(events, start=expected_version + 1):
        work.events.append(
            RecordedEvent(
                position=None,
                stream_type=stream_type,
                stream_id=stream_id,
                version=version,
                event=event,
                metadata=metadata,
                recorded_at=recorded_at,
            )
        )
    work.known_versions[stream_id] = expected_version + len(events)


def add_audit_entry(entry: AuditEntry) -> None:
    """Write ``entry`` with the current unit of work's events."""
    _current_unit_of_work().audit_entries.append(entry)


def load_stream(stream_id: uuid.UUID) -> list[RecordedEvent]:
    rows = Event.objects.filter(stream_id=stream_id).order_by("version")
    history = [row.to_recorded_event() for row in rows]

    work = getattr(_local, "unit_of_work", None)
    if work is not None:
        work.known_versions[stream_id] = history[-1].version if history else 0
    return history


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


def _write(work: UnitOfWork, commit: bool) -> None:
    """Write the events and audit entries, then commit if the transaction is ours.

    Read models are written first: they need no chain lock, so they stay out
    of the serialized instant that follows. They see no positions yet.
    """
    chains: dict[str, list[str]] = {}
    if work.events:
        projections.handle(work.events)
        chains[APPEND_EVENTS] = [Event.body_of(event) for event in work.events]
    if work.audit_entries:
        chains[APPEND_AUDIT] = [entry.chained_body() for entry in work.audit_entries]

    try:
        links = _append_to_chains(chains, commit)
    except IntegrityError as error:
        raise ConcurrencyConflict(_conflicting_stream(error, work)) from error

    for entry, (position, digest) in zip(
        work.audit_entries, links.get(APPEND_AUDIT, []), strict=True
    ):
        entry.position, entry.hash = position, digest
    if work.events and logger.isEnabledFor(logging.INFO):
        appended = links[APPEND_EVENTS]
        logger.info(
            "appended events %s-%s to %s",
            appended[0][0],
            appended[-1][0],
            ", ".join(sorted({str(event.stream_id) for event in work.events})),
        )


def _append_to_chains(
    chains: dict[str, list[str]], commit: bool
) -> dict[str, list[tuple[int, str]]]:
    """Append each chain's rows from their bodies; return their (position, hash).

    This is the serialized instant: the database function numbers the rows
    under a lock on the chain that lasts until commit, so every other
    appender waits (events before audit, always, so that two chains never
    deadlock). The calls and the commit, when the transaction is ours, travel
    in one message with their values bound here: no round trip to us happens
    while a chain is locked. Django's own commit then finds nothing left to do.
    """
    if not chains:
        return {}  # Nothing to append; Django commits the rest as usual.

    # The bodies travel as lines of one string: canonical JSON escapes every
    # newline, and one string is far cheaper to quote than an array.
    statements = [
        f"SELECT appended_position, appended_hash"
        f" FROM {function}(string_to_array(%s, E'\\n'))"
        for function in chains
    ]
    parameters = ["\n".join(bodies) for bodies in chains.values()]
    connection.ensure_connection()
    raw = connection.connection
    # A transaction that has sent nothing yet opens in that message too,
    # instead of costing a round trip for its BEGIN alone.
    opens_here = commit and raw.info.transaction_status == IDLE
    if commit:
        statements.append("COMMIT")

    with connection.wrap_database_errors:
        cursor = psycopg.ClientCursor(raw)
        if opens_here:
            with _begun_by_us(raw):
                cursor.execute("; ".join(["BEGIN", *statements]), parameters)
            cursor.nextset()
        else:
            cursor.execute("; ".join(statements), parameters)
        links = {}
        for function in chains:
            links[function] = cursor.fetchall()
            cursor.nextset()
    return links


@contextlib.contextmanager
def _begun_by_us(raw: psycopg.Connection) -> Iterator[None]:
    """Keep psycopg from sending BEGIN alone: our statements include their own.

    On failure the transaction is rolled back here, so that the connection is
    back to where Django left it: idle, outside autocommit.
    """
    raw.autocommit = True
    try:
        yield
    finally:
        if raw.info.transaction_status == INERROR:
            raw.rollback()
        if raw.info.transaction_status == IDLE:
            raw.autocommit = False


UUID_PATTERN = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def _conflicting_stream(error: IntegrityError, work: UnitOfWork) -> uuid.UUID:
    """Name the stream whose (stream id, version) was taken by another writer."""
    detail = getattr(getattr(error.__cause__, "diag", None), "message_detail", "")
    found = UUID_PATTERN.search(detail or "")
    if found:
        return uuid.UUID(found.group())
    return work.events[0].stream_id


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
