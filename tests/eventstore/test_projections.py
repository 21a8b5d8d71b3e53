import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from eventstore import store
from eventstore.models import Stream
from tests.eventstore.ledger import Ledger


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


def stream_rows() -> list[dict]:
    return list(Stream.objects.order_by("stream_id").values())


def rebuild(*args) -> tuple[int, str]:
    output = io.StringIO()
    try:
        call_command("rebuild_projections", *args, stdout=output)
    except SystemExit as exit:
        return exit.code, output.getvalue()
    return 0, output.getvalue()


def test_the_streams_projection_follows_appends_in_the_same_transaction(
    three_ledgers,
):
    closed = Stream.objects.get(stream_id=three_ledgers[0].id)

    assert (closed.version, closed.last_event_type) == (3, "LedgerClosed")
    assert Stream.objects.count() == 3


def test_a_rebuild_reproduces_the_inline_projection_exactly(three_ledgers):
    before = stream_rows()

    status, output = rebuild()

    assert status == 0
    assert "streams: rebuilt from 7 events" in output
    assert stream_rows() == before


def test_a_rebuild_repairs_a_damaged_read_model(three_ledgers):
    before = stream_rows()
    Stream.objects.filter(stream_id=three_ledgers[2].id).delete()
    Stream.objects.filter(stream_id=three_ledgers[1].id).update(version=99)

    rebuild("streams", "--batch-size", "2")

    assert stream_rows() == before


def test_check_passes_when_the_read_model_matches(three_ledgers):
    status, output = rebuild("--check")

    assert status == 0
    assert "streams: matches the events" in output


def test_check_reports_differences_and_writes_nothing(three_ledgers):
    Stream.objects.filter(stream_id=three_ledgers[1].id).update(version=99)
    damaged = stream_rows()

    status, output = rebuild("--check")

    assert status == 1
    assert "streams: eventstore_stream has 2 rows that differ" in output
    assert stream_rows() == damaged


def test_check_finds_a_missing_row(three_ledgers):
    Stream.objects.filter(stream_id=three_ledgers[0].id).delete()

    status, output = rebuild("--check")

    assert status == 1
    assert "has 1 rows that differ" in output


def test_an_unknown_projection_is_named(db):
    with pytest.raises(CommandError, match="No projection named 'nope'; known: "):
        rebuild("nope")
