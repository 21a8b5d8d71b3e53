"""Typed domain events, registered by name, with upgrades of old payloads.

An event is a frozen dataclass whose class name is its stored type::

    @register
    @dataclass(frozen=True)
    class DocumentArchived(DomainEvent):
        reason: str

When an event's shape changes, raise its ``schema_version`` and add an upgrade
from the previous version to ``upgrades``; stored events are upgraded as they
are loaded, and the stored rows never change.
"""

import dataclasses
import datetime
import typing
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from eventstore.exceptions import UnknownEventType

Payload = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """Base of every event: a fact, named in the past tense."""

    schema_version: ClassVar[int] = 1
    # {n: function} turns a version-n payload into a version-n+1 payload.
    upgrades: ClassVar[dict[int, Callable[[Payload], Payload]]] = {}

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    def to_data(self) -> Payload:
        return {
            field.name: _to_json(getattr(self, field.name))
            for field in dataclasses.fields(self)
        }

    @classmethod
    def from_data(cls, data: Payload, schema_version: int) -> "DomainEvent":
        for version in range(schema_version, cls.schema_version):
            data = cls.upgrades[version](data)
        hints = _field_types(cls)
        return cls(
            **{
                field.name: _from_json(data[field.name], hints[field.name])
                for field in dataclasses.fields(cls)
                if field.name in data
            }
        )


@dataclasses.dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: its place in the log, its stream and its metadata.

    ``position`` is None while the event is being appended: positions are handed
    out in the last instant before commit, after inline projections ran.
    """

    position: int | None
    stream_type: str
    stream_id: uuid.UUID
    version: int
    event: DomainEvent
    metadata: Payload
    recorded_at: datetime.datetime

    @property
    def event_type(self) -> str:
        return self.event.event_type()


_field_types_of: dict[type[DomainEvent], dict[str, Any]] = {}


def _field_types(event_class: type[DomainEvent]) -> dict[str, Any]:
    if event_class not in _field_types_of:
        _field_types_of[event_class] = typing.get_type_hints(event_class)
    return _field_types_of[event_class]


_registry: dict[str, type[DomainEvent]] = {}


EventClass = typing.TypeVar("EventClass", bound=type[DomainEvent])


def register(event_class: EventClass) -> EventClass:
    """Register an event class under its class name; use as a decorator."""
    name = event_class.event_type()
    known = _registry.get(name)
    if known is not None and _origin(known) != _origin(event_class):
        raise ValueError(
            f"Two event classes are named {name!r}: {_origin(known)} "
            f"and {_origin(event_class)}"
        )
    _registry[name] = event_class
    return event_class


def _origin(event_class: type) -> str:
    return f"{event_class.__module__}.{event_class.__qualname__}"


def event_class_for(event_type: str) -> type[DomainEvent]:
    try:
        return _registry[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def _to_json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def _from_json(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    if uuid.UUID in (hint, *typing.get_args(hint)):
        return uuid.UUID(value)
    if datetime.datetime in (hint, *typing.get_args(hint)):
        return datetime.datetime.fromisoformat(value)
    return value
