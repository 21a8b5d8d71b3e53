"""Errors of the event store; each carries the ids an operator needs."""

import uuid


class EventStoreError(Exception):
    """Base class of every event store error."""


class ConcurrencyConflict(EventStoreError):
    """Another writer appended to the stream since it was loaded."""

    def __init__(self, stream_id: uuid.UUID, expected_version: int | None = None):
        self.stream_id = stream_id
        self.expected_version = expected_version
        message = f"Stream {stream_id} was changed by someone else meanwhile"
        if expected_version is not None:
            message += f" (expected version {expected_version})"
        super().__init__(message)


class UnknownEventType(EventStoreError):
    """A stored event names a type that no event class is registered for."""

    def __init__(self, event_type: str):
        self.event_type = event_type
        super().__init__(f"No event class is registered for {event_type!r}")


class NoUnitOfWork(EventStoreError):
    """Events were appended outside ``unit_of_work()``."""

    def __init__(self):
        super().__init__(
            "Append events inside eventstore.store.unit_of_work(), which writes "
            "them last, just before the transaction commits"
        )


class ProjectionOutOfStep(EventStoreError):
    """A read model lacks the row an event updates: rebuild the projection."""

    def __init__(self, projection: str, stream_id: uuid.UUID):
        self.projection = projection
        self.stream_id = stream_id
        super().__init__(
            f"The {projection} read model has no row for stream {stream_id}; "
            f"run manage.py rebuild_projections {projection}"
        )
