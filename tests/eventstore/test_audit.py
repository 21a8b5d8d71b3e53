import uuid

import pytest
from django.core.exceptions import PermissionDenied

from eventstore import store
from eventstore.audit import audited
from eventstore.context import Actor, acting_as, system_actor
from eventstore.models import AuditEntry, Event
from tests.ledger.domain import Ledger

CUSTOMER = uuid.UUID("00000000-0000-4000-8000-000000000001")


def test_a_successful_operation_leaves_one_entry_with_its_events(db):
    ledger = Ledger.open("ada")
    with (
        acting_as(Actor("5", "ada"), request_id="req-9", client_address="::1"),
        audited("open_ledger", object_type="ledger", object_id=ledger.id),
    ):
        ledger.save()

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.outcome) == (
        "open_ledger",
        str(ledger.id),
        "succeeded",
    )
    assert (entry.actor_id, entry.actor_name) == ("5", "ada")
    assert (entry.request_id, entry.client_address) == ("req-9", "::1")
    assert Event.objects.count() == 1


def test_a_denied_operation_is_recorded_although_its_transaction_rolled_back(db):
    with (
        pytest.raises(PermissionDenied),
        acting_as(Actor("6", "mallory")),
        audited("close_ledger", object_type="ledger", customer_id=CUSTOMER),
    ):
        Ledger.open("mallory").save()
        raise PermissionDenied("You may not close ledgers")

    assert not Event.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.actor_name, entry.outcome, entry.customer_id) == (
        "mallory",
        "denied",
        CUSTOMER,
    )
    assert entry.error == "You may not close ledgers"


def test_a_failed_operation_is_recorded_with_its_error(db):
    with pytest.raises(OSError), audited("open_ledger"):
        Ledger.open("ada").save()
        raise OSError("storage unreachable")

    assert not Event.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.error) == ("failed", "OSError: storage unreachable")


def test_a_conflict_when_writing_events_is_recorded_as_a_failure(db):
    ledger = Ledger.open("ada")
    with store.unit_of_work():
        ledger.save()
    stale = Ledger.load(ledger.id)
    other = Ledger.load(ledger.id)
    other.write("first", "")
    with store.unit_of_work():
        other.save()

    stale.write("late", "")
    with (
        pytest.raises(Exception, match="changed by someone else"),
        audited("write_note", object_id=ledger.id),
    ):
        stale.save()

    entry = AuditEntry.objects.get()
    assert entry.outcome == "failed"
    assert entry.error.startswith("ConcurrencyConflict: Stream")


def test_the_operation_can_name_the_customer_once_it_knows_it(db):
    with audited("open_ledger") as attempt:
        attempt.customer_id = CUSTOMER

    assert AuditEntry.objects.get().customer_id == CUSTOMER


def test_commands_act_as_a_named_system_actor(db):
    with system_actor("reconcile_storage"), audited("reconcile"):
        pass

    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_name) == ("", "system:reconcile_storage")
    assert len(entry.request_id) == 32


def test_audit_positions_are_contiguous_and_chained(db):
    for action in ["a", "b", "c"]:
        with audited(action):
            pass

    entries = list(AuditEntry.objects.order_by("position"))
    assert [e.position for e in entries] == [1, 2, 3]
    assert len({e.hash for e in entries}) == 3


def test_a_value_too_long_for_its_column_is_refused_not_cut_short(db):
    from django.db import DataError

    with pytest.raises(DataError, match="too long"), audited("x" * 101):
        pass
