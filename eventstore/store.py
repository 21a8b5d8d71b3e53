"""Append events to streams and load them, inside the caller's transaction.

Appends are buffered by ``unit_of_work()`` and written last, just before the
transaction commits. Writing them takes the lock on the chain head row, which
serializes appenders so that positions follow commit order with no holes; the
lock is therefore held for that last instant only, never while the caller
talks to storage.
"""

import contextlib
import dataclasses
import functools
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Sequence

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Model
from django.utils import timezone

from eventstore import context, projections
from eventstore.canonical import GENESIS_HASH
from eventstore.events import DomainEvent, RecordedEvent
from eventstore.exceptions import ConcurrencyConflict, NoUnitOfWork
from eventstore.models import AuditEntry, ChainHead, Event

logger = logging.getLogger(__name__)


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
    chains: list[tuple[str, type[Model], list]] = []
    if work.events:
        projections.handle(work.events)
        rows = [Event.from_recorded_event(event) for event in work.events]
        chains.append((ChainHead.EVENTS, Event, rows))
    if work.audit_entries:
        chains.append((ChainHead.AUDIT, AuditEntry, work.audit_entries))

    try:
        _append_to_chains(chains, commit)
    except IntegrityError as error:
        raise ConcurrencyConflict(_conflicting_stream(error, work)) from error

    if work.events:
        work.events = [
            dataclasses.replace(event, position=row.position)
            for event, row in zip(work.events, rows, strict=True)
        ]
        logger.info(
            "appended events %s-%s to %s",
            rows[0].position,
            rows[-1].position,
            ", ".join(sorted({str(row.stream_id) for row in rows})),
        )


def _append_to_chains(chains: list[tuple], commit: bool) -> None:
    """Insert each chain's rows after its head, numbered and hashed as they go in.

    This is the serialized instant: the database function that numbers the
    rows locks each head until commit, so every other appender waits (events
    before audit, always, so that two chains never deadlock). Everything goes
    in one pipeline, commit included when the transaction is ours: no round
    trip to us happens while a head is locked. Django's own commit then finds
    nothing left to do. The statements are prepared once per connection, and
    their values travel as one array per column, bound on the server.
    """
    if not chains:
        return  # Nothing to append; Django commits the rest as usual.

    connection.ensure_connection()
    raw = connection.connection
    cursors = []
    with connection.wrap_database_errors:
        with raw.pipeline():
            for chain, model, rows in chains:
                cursor = psycopg.Cursor(raw)
                cursor.execute(
                    _insert_statement(model),
                    _insert_parameters(chain, model, rows),
                    prepare=True,
                )
                cursors.append(cursor)
            if commit:
                # As a plain statement, not raw.commit(), which would sync
                # once more on its own.
                psycopg.Cursor(raw).execute("COMMIT")
        # Read once the pipeline has ended and synced.
        links = [sorted(cursor.fetchall()) for cursor in cursors]

    for (_, _, rows), chain_links in zip(chains, links, strict=True):
        for row, (position, hash) in zip(rows, chain_links, strict=True):
            row.position, row.hash = position, hash


def _insert_parameters(chain: str, model: type[Model], rows: list) -> list:
    columns = [
        [
            field.get_db_prep_save(getattr(row, field.attname), connection)
            for row in rows
        ]
        for field in _chained_fields(model)
    ]
    return [chain, [row.chained_body() for row in rows], *columns]


def _chained_fields(model: type[Model]) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.attname not in ("position", "hash")
    ]


@functools.cache
def _insert_statement(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    fields = _chained_fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%b::{_array_type(field)}[]" for field in fields)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} (position, hash, {columns})"
        f" SELECT link_position, link_hash, {columns}"
        " FROM eventstore_next_links(%b, %b)"
        " WITH ORDINALITY AS link (link_position, link_hash, number)"
        f" JOIN unnest({arrays}) WITH ORDINALITY AS new_row ({columns}, number)"
        " USING (number)"
        " ORDER BY number RETURNING position, hash"
    )


def _array_type(field) -> str:
    # An explicit cast to varchar(n) would cut a longer value short, silently;
    # as text, a value too long for its column is refused on insert.
    if isinstance(field, CharField):
        return "text"
    return field.db_type(connection)


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
