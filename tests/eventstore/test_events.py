import datetime
import uuid

import pytest

from eventstore.canonical import canonical_json, chain_hash
from eventstore.events import event_class_for
from eventstore.exceptions import UnknownEventType
from tests.ledger.domain import LedgerClosed, NoteWritten


def test_an_event_class_is_found_by_its_name():
    assert event_class_for("NoteWritten") is NoteWritten


def test_an_unknown_event_type_is_named_in_the_error():
    with pytest.raises(UnknownEventType, match="'NoteErased'"):
        event_class_for("NoteErased")


def test_an_old_payload_is_upgraded_when_loaded():
    event = NoteWritten.from_data({"text": "Passport renewed in 2026"}, 1)

    assert event == NoteWritten(
        title="Passport renewed in", body="Passport renewed in 2026"
    )


def test_a_current_payload_loads_unchanged():
    event = NoteWritten.from_data({"title": "t", "body": "b"}, 2)

    assert event == NoteWritten(title="t", body="b")


def test_uuids_survive_the_round_trip_through_json():
    closed_by = uuid.uuid4()
    event = LedgerClosed(closed_by=closed_by)

    data = event.to_data()

    assert data == {"closed_by": str(closed_by)}
    assert LedgerClosed.from_data(data, 1).closed_by == closed_by


def test_canonical_json_sorts_keys_and_drops_spaces():
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'


def test_canonical_json_refuses_floats():
    with pytest.raises(ValueError, match="no floats"):
        canonical_json({"amount": 10.5})


def test_a_hash_depends_on_the_previous_hash_and_the_position():
    body = canonical_json({"at": datetime.date(2026, 1, 1).isoformat()})

    assert chain_hash("0" * 64, 1, body) != chain_hash("1" * 64, 1, body)
    assert chain_hash("0" * 64, 1, body) != chain_hash("0" * 64, 2, body)
