"""One audit entry for every attempt at an operation, whatever its outcome.

Services wrap their work in ``audited(...)``. A successful operation writes its
entry in its own transaction, with its events. A denied or failed one rolls its
transaction back and then writes the entry in a transaction of its own, so the
attempt stays on record. Services own their outermost transaction: called
inside a caller's transaction, the entry of a failure joins that transaction
and shares its fate.
"""

import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from eventstore import context, store
from eventstore.models import AuditEntry

logger = logging.getLogger(__name__)

Outcome = AuditEntry.Outcome


@dataclasses.dataclass
class Attempt:
    """What the audit entry will say; the operation fills in what it learns."""

    action: str
    object_type: str = ""
    object_id: str = ""
    customer_id: uuid.UUID | None = None
    # An operation that commits what went wrong (an upload recorded as failed)
    # says so here; one that raises needs not.
    outcome: str = AuditEntry.Outcome.SUCCEEDED
    error: str = ""

    def fail(self, error: str) -> None:
        self.outcome = AuditEntry.Outcome.FAILED
        self.error = error

    def entry(self, outcome: str, error: str = "") -> AuditEntry:
        operation = context.current()
        return AuditEntry(
            occurred_at=timezone.now(),
            actor_id=operation.actor.id,
            actor_name=operation.actor.name,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            customer_id=self.customer_id,
            outcome=outcome,
            error=error,
            client_address=operation.client_address,
            request_id=operation.request_id,
        )


@contextlib.contextmanager
def audited(
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    customer_id: uuid.UUID | None = None,
) -> Iterator[Attempt]:
    """Run the block as one audited operation in its own unit of work."""
    attempt = Attempt(action, object_type, str(object_id or ""), customer_id)
    try:
        with store.unit_of_work():
            yield attempt
            store.add_audit_entry(attempt.entry(attempt.outcome, attempt.error))
    except PermissionDenied as denied:
        _record_after_rollback(attempt, Outcome.DENIED, str(denied))
        raise
    except Exception as error:
        _record_after_rollback(attempt, Outcome.FAILED, describe(error))
        raise
    _log(attempt, attempt.outcome, attempt.error)


def record(attempt: Attempt, outcome: str, error: str = "") -> None:
    """Write one audit entry at once, in a unit of work of its own."""
    with store.unit_of_work():
        store.add_audit_entry(attempt.entry(outcome, error))


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _record_after_rollback(attempt: Attempt, outcome: str, error: str) -> None:
    record(attempt, outcome, error)
    _log(attempt, outcome, error)


def _log(attempt: Attempt, outcome: str, error: str = "") -> None:
    operation = context.current()
    level = logging.INFO if outcome == Outcome.SUCCEEDED else logging.WARNING
    logger.log(
        level,
        "%s %s %s by %s: %s%s",
        attempt.action,
        attempt.object_type,
        attempt.object_id or "-",
        operation.actor.name,
        outcome,
        f" ({error})" if error else "",
        extra={
            "action": attempt.action,
            "object_id": attempt.object_id,
            "customer_id": str(attempt.customer_id or ""),
            "actor": operation.actor.name,
            "request_id": operation.request_id,
            "outcome": outcome,
        },
    )
