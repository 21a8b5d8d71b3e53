"""A base for event-sourced entities: state is whatever the events made it."""

import uuid
from typing import ClassVar, Self

from eventstore import store
from eventstore.events import DomainEvent


class Aggregate:
    """Subclass, set ``stream_type``, and update state in ``apply``.

    Methods that change the entity validate first, then ``record`` an event;
    ``save`` appends the recorded events at the version the entity was loaded
    at, so a concurrent change to the same stream is refused.
    """

    stream_type: ClassVar[str]

    def __init__(self, id: uuid.UUID):
        self.id = id
        self.version = 0
        self.pending_events: list[DomainEvent] = []

    @classmethod
    def load(cls, id: uuid.UUID) -> Self | None:
        """Rebuild the entity from its stream; None when the stream is empty."""
        history = store.load_stream(id)
        if not history:
            return None
        entity = cls(id)
        for recorded in history:
            entity.apply(recorded.event)
            entity.version = recorded.version
        return entity

    def apply(self, event: DomainEvent) -> None:
        raise NotImplementedError

    def record(self, event: DomainEvent) -> None:
        self.apply(event)
        self.pending_events.append(event)

    def save(self) -> None:
        """Append the recorded events; call inside ``store.unit_of_work()``."""
        if not self.pending_events:
            return
        store.append(self.stream_type, self.id, self.pending_events, self.version)
        self.version += len(self.pending_events)
        self.pending_events = []
