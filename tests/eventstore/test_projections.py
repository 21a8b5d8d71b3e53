import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from eventstore import store
from tests.ledger.domain import Ledger
from tests.ledger.models import LedgerSummary


@pytest.fixture
def three_ledgers(db):
    ledgers = []
    for owner in ["ada", "grace", "edsger"]:
        ledger = Ledger.open(owner)
        ledger.write("first", "note")
        with store.unit_of_work():
            ledger.save()
        ledgers.append(ledger)
    ledgers[0].close(by=ledgers[1].id)
    with store.unit_of_work():
        ledgers[0].save()
    return ledgers


def summaries() -> list[dict]:
    return list(LedgerSummary.objects.order_by("ledger_id").values())


def rebuild(*args) -> tuple[int, str]:
    output = io.StringIO()
    try:
        call_command("rebuild_projections", *args, stdout=output)
    except SystemExit as exit:
        return exit.code, output.getvalue()
    return 0, output.getvalue()


def test_a_projection_follows_appends_in_the_same_transaction(three_ledgers):
    closed = LedgerSummary.objects.get(ledger_id=three_ledgers[0].id)

    assert (closed.owner, closed.notes, closed.closed) == ("ada", 1, True)
    assert LedgerSummary.objects.count() == 3


def test_a_projection_is_rolled_back_with_its_events(db):
    with pytest.raises(RuntimeError), store.unit_of_work():
        Ledger.open("ada").save()
        raise RuntimeError("storage said no")

    assert not LedgerSummary.objects.exists()


def test_a_rebuild_reproduces_the_inline_projection_exactly(three_ledgers):
    before = summaries()

    status, output = rebuild()

    assert status == 0
    assert "ledger_summary: rebuilt from 7 events" in output
    assert summaries() == before


def test_a_rebuild_repairs_a_damaged_read_model(three_ledgers):
    before = summaries()
    LedgerSummary.objects.filter(ledger_id=three_ledgers[2].id).delete()
    LedgerSummary.objects.filter(ledger_id=three_ledgers[1].id).update(notes=99)

    rebuild("ledger_summary", "--batch-size", "2")

    assert summaries() == before


def test_check_passes_when_the_read_model_matches(three_ledgers):
    status, output = rebuild("--check")

    assert status == 0
    assert "ledger_summary: matches the events" in output


def test_check_reports_differences_and_writes_nothing(three_ledgers):
    LedgerSummary.objects.filter(ledger_id=three_ledgers[1].id).update(notes=99)
    damaged = summaries()

    status, output = rebuild("--check")

    assert status == 1
    assert "ledger_summary: ledger_ledgersummary has 2 rows that differ" in output
    assert summaries() == damaged


def test_check_finds_a_missing_row(three_ledgers):
    LedgerSummary.objects.filter(ledger_id=three_ledgers[0].id).delete()

    status, output = rebuild("--check")

    assert status == 1
    assert "has 1 rows that differ" in output


def test_an_unknown_projection_is_named(db):
    with pytest.raises(CommandError, match="No projection named 'nope'; known: "):
        rebuild("nope")


def test_writers_of_a_read_model_wait_while_it_is_rebuilt(committed_db):
    """Otherwise a writer could update a row the rebuild had just emptied."""
    import threading

    from django.db import OperationalError, connection

    from eventstore import projections

    with store.unit_of_work():
        Ledger.open("ada").save()
    paused, release = threading.Event(), threading.Event()
    outcome = []

    def rebuild_slowly():
        def pause(count):
            paused.set()
            release.wait(timeout=30)

        try:
            projection = projections.registered()["ledger_summary"]
            projections.rebuild(projection, on_batch=pause)
        finally:
            connection.close()

    rebuilding = threading.Thread(target=rebuild_slowly)
    rebuilding.start()
    assert paused.wait(timeout=30)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
        with store.unit_of_work():
            Ledger.open("grace").save()
    except OperationalError as error:
        outcome.append(error)
    finally:
        release.set()
        rebuilding.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert "lock timeout" in str(outcome[0])
    assert LedgerSummary.objects.count() == 1
