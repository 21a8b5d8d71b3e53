import threading
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone

from eventstore import store
from eventstore.exceptions import ConcurrencyConflict, NoUnitOfWork
from eventstore.models import ChainHead, Event
from tests.ledger.domain import Ledger, LedgerOpened, NoteWritten


def open_ledger(owner: str = "ops") -> Ledger:
    ledger = Ledger.open(owner)
    with store.unit_of_work():
        ledger.save()
    return ledger


def test_appended_events_load_back_in_order_with_their_versions(db):
    ledger = Ledger.open("ada")
    ledger.write("first", "one")
    ledger.write("second", "two")

    with store.unit_of_work():
        ledger.save()

    history = store.load_stream(ledger.id)
    assert [(e.version, e.event_type) for e in history] == [
        (1, "LedgerOpened"),
        (2, "NoteWritten"),
        (3, "NoteWritten"),
    ]
    assert history[1].event == NoteWritten(title="first", body="one")


def test_an_aggregate_is_rebuilt_from_its_events(db):
    ledger = Ledger.open("ada")
    ledger.write("first", "one")
    with store.unit_of_work():
        ledger.save()

    loaded = Ledger.load(ledger.id)

    assert (loaded.owner, loaded.notes, loaded.version) == ("ada", ["first"], 2)


def test_loading_an_unknown_stream_gives_none(db):
    assert Ledger.load(uuid.uuid4()) is None


def test_appending_at_a_stale_version_names_the_stream(db):
    ledger = open_ledger()
    stale = Ledger.load(ledger.id)
    fresh = Ledger.load(ledger.id)
    fresh.write("fresh", "wins")
    with store.unit_of_work():
        fresh.save()

    stale.write("stale", "loses")
    with pytest.raises(ConcurrencyConflict) as conflict, store.unit_of_work():
        stale.save()

    assert conflict.value.stream_id == ledger.id
    assert str(ledger.id) in str(conflict.value)
    assert store.stream_version(ledger.id) == 2


def test_appending_outside_a_unit_of_work_is_refused(db):
    with pytest.raises(NoUnitOfWork):
        store.append("ledger", uuid.uuid4(), [LedgerOpened(owner="x")], 0)


def test_a_unit_of_work_that_raises_writes_nothing(db):
    with pytest.raises(RuntimeError), store.unit_of_work():
        Ledger.open("ada").save()
        raise RuntimeError("storage said no")

    assert not Event.objects.exists()
    assert ChainHead.objects.get(chain="events").last_position == 0


def test_events_are_written_only_when_the_unit_of_work_ends(db):
    with store.unit_of_work():
        Ledger.open("ada").save()
        written_inside = Event.objects.count()

    assert written_inside == 0
    assert Event.objects.count() == 1


def test_positions_follow_on_from_the_chain_head(db):
    open_ledger()
    open_ledger()

    positions = list(Event.objects.values_list("position", flat=True))

    assert positions == [1, 2]
    assert ChainHead.objects.get(chain="events").last_position == 2


def test_metadata_records_the_acting_user_request_and_address(db):
    from eventstore.context import Actor, acting_as

    with acting_as(Actor("7", "ada"), request_id="req-1", client_address="10.0.0.9"):
        ledger = open_ledger()

    assert store.load_stream(ledger.id)[0].metadata == {
        "actor_id": "7",
        "actor_name": "ada",
        "request_id": "req-1",
        "client_address": "10.0.0.9",
    }


def test_awkward_text_is_stored_exactly_and_its_hash_chains(db):
    from eventstore.verification import verify_chain

    awkward = "line one\nline two\r\ttab \"quoted\" back\\slash 'single' é 雪 \u2028"
    ledger = Ledger.open(awkward)
    ledger.write(awkward, "\n")
    with store.unit_of_work():
        ledger.save()

    history = store.load_stream(ledger.id)
    assert history[0].event == LedgerOpened(owner=awkward)
    assert history[1].event == NoteWritten(title=awkward, body="\n")
    assert verify_chain("events").intact


def test_a_value_too_long_for_its_column_is_refused_not_cut(db):
    from django.db import DataError

    with pytest.raises(DataError), store.unit_of_work():
        store.append("x" * 101, uuid.uuid4(), [LedgerOpened(owner="ada")], 0)

    assert not Event.objects.exists()


def test_the_stored_hash_is_the_one_the_chain_computes(db):
    from eventstore.canonical import GENESIS_HASH, chain_hash

    ledger = open_ledger()

    row = Event.objects.get(stream_id=ledger.id)
    assert row.hash == chain_hash(GENESIS_HASH, 1, row.chained_body())
    assert ChainHead.objects.get(chain="events").last_hash == row.hash


# Concurrency: these tests commit for real, from several threads.


def run_in_threads(count: int, work) -> list:
    """Run work(i) in ``count`` threads started together; return outcomes."""
    start = threading.Barrier(count)
    outcomes: list = [None] * count

    def target(index: int) -> None:
        try:
            start.wait(timeout=10)
            outcomes[index] = work(index)
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_of_writers_appending_at_the_same_version_exactly_one_wins(committed_db):
    ledger = open_ledger()
    copies = [Ledger.load(ledger.id) for _ in range(8)]

    def write(index: int) -> str:
        copies[index].write(f"note {index}", "")
        with store.unit_of_work():
            copies[index].save()
        return "won"

    outcomes = run_in_threads(8, write)

    assert outcomes.count("won") == 1
    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(conflicts) == 7
    assert all(conflict.stream_id == ledger.id for conflict in conflicts)
    versions = [e.version for e in store.load_stream(ledger.id)]
    assert versions == [1, 2]


def test_a_conflict_in_a_transaction_that_only_appends_leaves_the_connection_usable(
    committed_db,
):
    # "scratch" streams have no projection: nothing else runs in these
    # transactions before the append.
    taken = uuid.uuid4()
    with store.unit_of_work():
        store.append("scratch", taken, [LedgerOpened(owner="first")], 0)

    with pytest.raises(ConcurrencyConflict), store.unit_of_work():
        store.append("scratch", taken, [LedgerOpened(owner="second")], 0)
    later = open_ledger("later")

    assert [e.event.owner for e in store.load_stream(taken)] == ["first"]
    assert store.load_stream(later.id)[0].position == 2
    assert connection.get_autocommit() and connection.connection.autocommit


def test_positions_have_no_holes_when_transactions_roll_back(committed_db):
    def write(index: int) -> None:
        for attempt in range(10):
            try:
                with store.unit_of_work():
                    Ledger.open(f"writer {index}").save()
                    if attempt % 3 == 0:
                        raise RuntimeError("rolled back on purpose")
            except RuntimeError:
                pass

    outcomes = run_in_threads(4, write)

    assert outcomes == [None] * 4
    positions = list(Event.objects.values_list("position", flat=True))
    assert positions == list(range(1, 4 * 6 + 1))


def test_a_reader_following_the_log_never_sees_a_later_position_first(
    committed_db,
):
    """Positions become visible in order, so a follower needs no gap detection."""
    writers_done = threading.Event()
    seen: list[int] = []

    def follow() -> None:
        last = 0
        while True:
            finished = writers_done.is_set()
            with transaction.atomic():
                new = list(
                    Event.objects.filter(position__gt=last).values_list(
                        "position", flat=True
                    )
                )
            assert new == list(range(last + 1, last + len(new) + 1)), new
            seen.extend(new)
            last = seen[-1] if seen else 0
            if finished:
                return

    def write(index: int) -> None:
        for _ in range(25):
            with store.unit_of_work():
                ledger = Ledger.open(f"writer {index}")
                ledger.write("note", "body")
                ledger.save()

    reader_outcome: list = []

    def reader() -> None:
        try:
            follow()
            reader_outcome.append("ok")
        except Exception as error:
            reader_outcome.append(error)
        finally:
            connection.close()

    reader_thread = threading.Thread(target=reader)
    reader_thread.start()
    outcomes = run_in_threads(4, write)
    writers_done.set()
    reader_thread.join(timeout=60)

    assert outcomes == [None] * 4
    assert reader_outcome == ["ok"]
    assert seen == list(range(1, 4 * 25 * 2 + 1))


def test_a_long_transaction_elsewhere_does_not_block_an_append(committed_db):
    """A unit of work busy with storage holds no lock that other appends need."""
    inside = threading.Event()
    release = threading.Event()

    def slow_upload() -> None:
        try:
            with store.unit_of_work():
                Ledger.open("slow").save()
                inside.set()
                # Stands in for a long upload to storage.
                release.wait(timeout=30)
        finally:
            connection.close()

    slow = threading.Thread(target=slow_upload)
    slow.start()
    assert inside.wait(timeout=30)

    with connection.cursor() as cursor:
        # Turn a block into an error instead of a hang.
        cursor.execute("SET lock_timeout = '5s'")
    quick = open_ledger("quick")
    still_open = slow.is_alive()
    release.set()
    slow.join(timeout=30)

    assert still_open
    assert store.load_stream(quick.id)[0].position == 1
    assert Event.objects.count() == 2


def test_a_failed_nested_unit_of_work_leaves_nothing_for_the_outer_one(db):
    with store.unit_of_work():
        Ledger.open("kept").save()
        with pytest.raises(RuntimeError), store.unit_of_work():
            Ledger.open("dropped").save()
            raise RuntimeError("inner operation failed")

    owners = [e.event.owner for e in map(Event.to_recorded_event, Event.objects.all())]
    assert owners == ["kept"]


def test_a_unit_of_work_without_events_commits_its_other_writes(committed_db):
    from tests.ledger.models import LedgerSummary

    with store.unit_of_work():
        LedgerSummary.objects.create(
            ledger_id=uuid.uuid4(),
            owner="direct",
            opened_at=timezone.now(),
            updated_at=timezone.now(),
        )

    assert LedgerSummary.objects.filter(owner="direct").exists()
