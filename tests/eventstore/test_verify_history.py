"""verify_history recomputes both hash chains and names the first broken link."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from eventstore import store
from eventstore.audit import Attempt, Outcome, record
from tests.ledger.domain import Ledger


@pytest.fixture
def five_events_and_three_entries(db):
    for owner in ["a", "b", "c", "d", "e"]:
        with store.unit_of_work():
            Ledger.open(owner).save()
    for action in ["one", "two", "three"]:
        record(Attempt(action), Outcome.SUCCEEDED)


def verify(*args) -> tuple[int, str]:
    output = io.StringIO()
    try:
        call_command("verify_history", *args, stdout=output)
    except SystemExit as exit:
        return exit.code, output.getvalue()
    return 0, output.getvalue()


def tamper(sql: str, table: str = "eventstore_event") -> None:
    """Change a row behind the triggers' back, as an intruder with DDL rights."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_an_untouched_history_verifies(five_events_and_three_entries):
    status, output = verify()

    assert status == 0
    assert "events: 5 rows verified" in output
    assert "audit: 3 rows verified" in output


def test_an_empty_history_verifies(db):
    assert verify()[0] == 0


def test_a_changed_payload_is_reported_at_its_position(five_events_and_three_entries):
    tamper(
        'UPDATE eventstore_event SET data = \'{"owner": "mallory"}\' WHERE position = 3'
    )

    status, output = verify()

    assert status == 1
    assert "events: broken at position 3: row 3 does not match its hash" in output
    assert "audit: 3 rows verified" in output


def test_a_changed_metadata_is_reported(five_events_and_three_entries):
    tamper(
        "UPDATE eventstore_event SET metadata = metadata || "
        '\'{"actor_name": "nobody"}\' WHERE position = 2'
    )

    assert "events: broken at position 2" in verify()[1]


def test_a_recomputed_hash_still_breaks_the_next_link(five_events_and_three_entries):
    tamper("UPDATE eventstore_event SET hash = repeat('a', 64) WHERE position = 4")

    assert "events: broken at position 4" in verify()[1]


def test_a_deleted_row_is_reported_as_missing(five_events_and_three_entries):
    tamper("DELETE FROM eventstore_event WHERE position = 2")

    status, output = verify()

    assert status == 1
    assert "broken at position 2: position 2 is missing (next is 3)" in output


def test_rows_cut_from_the_end_are_caught_by_the_head(five_events_and_three_entries):
    tamper("DELETE FROM eventstore_event WHERE position >= 4")

    status, output = verify()

    assert status == 1
    assert "head records position 5, the log ends at 3" in output


def test_a_tampered_audit_entry_is_reported(five_events_and_three_entries):
    tamper(
        "UPDATE eventstore_auditentry SET outcome = 'denied' WHERE position = 2",
        table="eventstore_auditentry",
    )

    status, output = verify()

    assert status == 1
    assert "audit: broken at position 2" in output
    assert "events: 5 rows verified" in output


def test_a_float_slipped_into_a_payload_is_reported(five_events_and_three_entries):
    tamper("UPDATE eventstore_event SET data = '{\"owner\": 1.5}' WHERE position = 1")

    assert "events: broken at position 1" in verify()[1]


def test_json_output_for_scripts(five_events_and_three_entries):
    tamper("DELETE FROM eventstore_event WHERE position = 5")

    status, output = verify("--json", "--chain", "events")

    assert status == 1
    assert json.loads(output) == [
        {
            "chain": "events",
            "intact": False,
            "rows_verified": 4,
            "broken_at": 5,
            "problem": "head records position 5, the log ends at 4",
        }
    ]


def test_rows_appended_during_the_walk_do_not_break_it(five_events_and_three_entries):
    from eventstore.verification import verify_chain

    appended = []

    def append_once(count):
        if not appended:
            with store.unit_of_work():
                Ledger.open("late").save()
            appended.append(True)

    report = verify_chain("events", batch_size=1, on_batch=append_once)

    assert appended
    assert (report.intact, report.rows) == (True, 5)
