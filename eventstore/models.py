"""The append-only event log, the audit log, and the heads of their hash chains."""

import datetime
import uuid

from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from eventstore.canonical import canonical_json
from eventstore.events import RecordedEvent, event_class_for


class ChainHead(models.Model):
    """The last position and hash of one chain (``events`` or ``audit``).

    Appenders lock the chain for the instant before commit and move its head
    (migration 0006): positions are then handed out in commit order with no
    holes, and a rolled-back transaction gives its numbers back.
    """

    EVENTS = "events"
    AUDIT = "audit"

    chain = models.CharField(primary_key=True, max_length=20)
    last_position = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} at {self.last_position}"


class Event(models.Model):
    """One fact in the history of a stream; rows are never changed."""

    position = models.BigIntegerField(_("position"), primary_key=True)
    stream_type = models.CharField(_("stream type"), max_length=100)
    stream_id = models.UUIDField(_("stream id"))
    version = models.PositiveIntegerField(_("version"))
    event_type = models.CharField(_("event type"), max_length=100)
    schema_version = models.PositiveSmallIntegerField(_("schema version"))
    data = models.JSONField(_("data"))
    metadata = models.JSONField(_("metadata"))
    recorded_at = models.DateTimeField(_("recorded"))
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["stream_id", "version"], name="eventstore_event_stream_version"
            ),
        ]
        # Few indexes: each one is written while appenders wait on the chain.
        # These serve the admin's filters by event type and by date. Times
        # rise with positions, so a block-range index serves the dates at a
        # fraction of a B-tree's upkeep.
        indexes = [
            models.Index(fields=["event_type", "position"]),
            BrinIndex(fields=["recorded_at"], name="eventstore_event_recorded"),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.event_type} ({self.stream_id} v{self.version})"

    @staticmethod
    def body_of(recorded: RecordedEvent) -> str:
        """The canonical JSON of an event about to be appended; see chained_body."""
        return _event_body(
            stream_type=recorded.stream_type,
            stream_id=recorded.stream_id,
            version=recorded.version,
            event_type=recorded.event_type,
            schema_version=recorded.event.schema_version,
            data=recorded.event.to_data(),
            metadata=recorded.metadata,
            recorded_at=recorded.recorded_at,
        )

    def to_recorded_event(self) -> RecordedEvent:
        """Return the typed event, its payload upgraded to the current schema."""
        event_class = event_class_for(self.event_type)
        return RecordedEvent(
            position=self.position,
            stream_type=self.stream_type,
            stream_id=self.stream_id,
            version=self.version,
            event=event_class.from_data(self.data, self.schema_version),
            metadata=self.metadata,
            recorded_at=self.recorded_at,
        )

    def chained_body(self) -> str:
        """The canonical JSON of every field the hash covers besides position.

        The database reads the row's columns back out of these same bytes when
        it appends the row (migration 0006).
        """
        return _event_body(
            stream_type=self.stream_type,
            stream_id=self.stream_id,
            version=self.version,
            event_type=self.event_type,
            schema_version=self.schema_version,
            data=self.data,
            metadata=self.metadata,
            recorded_at=self.recorded_at,
        )


def _event_body(
    *,
    stream_type: str,
    stream_id: uuid.UUID,
    version: int,
    event_type: str,
    schema_version: int,
    data: dict,
    metadata: dict,
    recorded_at: datetime.datetime,
) -> str:
    return canonical_json(
        {
            "stream_type": stream_type,
            "stream_id": str(stream_id),
            "version": version,
            "event_type": event_type,
            "schema_version": schema_version,
            "data": data,
            "metadata": metadata,
            "recorded_at": recorded_at.isoformat(),
        }
    )


class AuditEntry(models.Model):
    """One attempt at an operation, allowed or not; rows are never changed."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        DENIED = "denied", _("Denied")

    position = models.BigIntegerField(_("position"), primary_key=True)
    occurred_at = models.DateTimeField(_("time"))
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=255, blank=True)
    customer_id = models.UUIDField(_("customer id"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)
    # Text, not inet: the hash covers the address exactly as we wrote it.
    client_address = models.CharField(_("client address"), max_length=45, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-position"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            BrinIndex(fields=["occurred_at"], name="eventstore_audit_occurred"),
            models.Index(fields=["customer_id", "occurred_at"]),
            models.Index(fields=["actor_name", "occurred_at"]),
            models.Index(fields=["action", "occurred_at"]),
            models.Index(fields=["object_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.actor_name} {self.action} {self.outcome}"

    def chained_body(self) -> str:
        """The canonical JSON of every field the hash covers besides position."""
        return canonical_json(
            {
                "occurred_at": self.occurred_at.isoformat(),
                "actor_id": self.actor_id,
                "actor_name": self.actor_name,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "customer_id": str(self.customer_id) if self.customer_id else None,
                "outcome": self.outcome,
                "error": self.error,
                "client_address": self.client_address,
                "request_id": self.request_id,
            }
        )
