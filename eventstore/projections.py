"""Read models kept up to date from the events, and rebuilt from them.

A projection handles recorded events in the transaction that appends them, so
its tables never lag the log. Because the log is the source of truth, any
projection can be emptied and replayed from position 1 at any time.
"""

import logging
from collections.abc import Callable, Iterator

from django.db import connection, models, transaction

from eventstore.events import RecordedEvent
from eventstore.models import Event

logger = logging.getLogger(__name__)


class Projection:
    """Subclass, name it, list its tables, and handle the events it cares for.

    Events arrive in batches, in log order: those of one transaction as it
    commits, or those of one page of the log during a rebuild, and only those
    of the stream types listed. A projection must not depend on positions,
    which inline handling does not know yet.
    """

    name: str
    stream_types: frozenset[str]
    read_models: tuple[type[models.Model], ...] = ()

    def handle(self, events: list[RecordedEvent]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        for model in self.read_models:
            model._default_manager.all().delete()


_projections: dict[str, Projection] = {}


def register(projection_class: type[Projection]) -> type[Projection]:
    """Register a projection under its name; use as a class decorator."""
    _projections[projection_class.name] = projection_class()
    return projection_class


def registered() -> dict[str, Projection]:
    return dict(_projections)


def handle(events: list[RecordedEvent]) -> None:
    """Apply newly appended events to the projections of their stream types."""
    for projection in _projections.values():
        relevant = [e for e in events if e.stream_type in projection.stream_types]
        if relevant:
            projection.handle(relevant)


def rebuild(
    projection: Projection,
    batch_size: int = 1000,
    on_batch: Callable[[int], None] = lambda count: None,
) -> int:
    """Empty the projection's tables and replay every event; return the count."""
    with transaction.atomic():
        _lock_out_writers(projection)
        projection.clear()
        replayed = 0
        log = Event.objects.filter(stream_type__in=projection.stream_types)
        for batch in _batches(log.order_by("position"), batch_size):
            projection.handle([row.to_recorded_event() for row in batch])
            replayed += len(batch)
            on_batch(len(batch))
    logger.info("rebuilt projection %s from %s events", projection.name, replayed)
    return replayed


def differences_after_rebuild(
    projection: Projection, **rebuild_options
) -> dict[str, int]:
    """Rebuild in a transaction that is rolled back; count the rows that differ.

    Returns, for each table that differs, the number of rows found on one side
    only. Nothing is kept: the snapshot and the rebuilt rows vanish with the
    rollback.
    """
    differences = {}
    with transaction.atomic():
        _lock_out_writers(projection)
        for model in projection.read_models:
            _snapshot(model)
        rebuild(projection, **rebuild_options)
        for model in projection.read_models:
            changed = _rows_on_one_side(model)
            if changed:
                differences[model._meta.db_table] = changed
        transaction.set_rollback(True)
    return differences


def _lock_out_writers(projection: Projection) -> None:
    """Hold writers of the read models until the rebuild commits.

    A writer updates its read-model rows before its events commit. Without the
    lock it could update a row the rebuild has just emptied, while its events
    come too late for the replay, and so be lost to both. Readers go on.
    """
    with connection.cursor() as cursor:
        for model in projection.read_models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


def _snapshot(model: type[models.Model]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    snapshot = connection.ops.quote_name(f"snapshot_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {snapshot} ON COMMIT DROP AS SELECT * FROM {table}"
        )


def _rows_on_one_side(model: type[models.Model]) -> int:
    # Whole rows compared as text: works for every column type, json included.
    # The only names put into the SQL are our own tables', quoted.
    table = connection.ops.quote_name(model._meta.db_table)
    snapshot = connection.ops.quote_name(f"snapshot_{model._meta.db_table}")
    rebuilt = f"SELECT r::text FROM {table} r"
    before = f"SELECT s::text FROM {snapshot} s"
    query = (
        f"SELECT count(*) FROM (({rebuilt} EXCEPT ALL {before})"
        f" UNION ALL ({before} EXCEPT ALL {rebuilt})) differing"
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _batches(queryset, size: int) -> Iterator[list]:
    """Walk a queryset ordered by its primary key in keyset-paginated batches."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        batch = list(page[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk
