"""A small event-sourced entity used to exercise the store: a ledger of notes."""

import dataclasses
import uuid

from eventstore.aggregates import Aggregate
from eventstore.events import DomainEvent, register


class LedgerClosedError(Exception):
    pass


@register
@dataclasses.dataclass(frozen=True)
class LedgerOpened(DomainEvent):
    owner: str


@register
@dataclasses.dataclass(frozen=True)
class NoteWritten(DomainEvent):
    """Version 1 stored ``text``; version 2 splits it into ``title`` and ``body``."""

    title: str
    body: str

    schema_version = 2
    upgrades = {
        1: lambda data: {"title": data["text"][:20].rstrip(), "body": data["text"]},
    }


@register
@dataclasses.dataclass(frozen=True)
class LedgerClosed(DomainEvent):
    closed_by: uuid.UUID


class Ledger(Aggregate):
    stream_type = "ledger"

    def __init__(self, id: uuid.UUID):
        super().__init__(id)
        self.owner = ""
        self.notes: list[str] = []
        self.closed = False

    @classmethod
    def open(cls, owner: str) -> "Ledger":
        ledger = cls(uuid.uuid4())
        ledger.record(LedgerOpened(owner=owner))
        return ledger

    def write(self, title: str, body: str) -> None:
        if self.closed:
            raise LedgerClosedError(f"Ledger {self.id} is closed")
        self.record(NoteWritten(title=title, body=body))

    def close(self, by: uuid.UUID) -> None:
        self.record(LedgerClosed(closed_by=by))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case LedgerOpened(owner=owner):
                self.owner = owner
            case NoteWritten(title=title):
                self.notes.append(title)
            case LedgerClosed():
                self.closed = True
