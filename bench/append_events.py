"""Benchmark: event appends through this store, eventsourcing's recorder, plain INSERTs.

Run with ``make bench``. The three contenders write the same workload (streams
of a few events, one transaction per stream) into one fresh database on the
same PostgreSQL server, first with one writer, then with several. Each writer is
a process of its own, as gunicorn workers are, so that Python's GIL does not
decide the result. Each writer connects and appends a few streams before the
clock starts, so that connections, plans and caches are warm for everyone.

Shared machines are noisy: the same run can be twice as fast a minute later.
So the contenders take turns, in rounds, each round in a different order, and
the table shows the median of the rounds: events per second, and the median
of each round's ratios (contenders compared with what ran beside them).

This store does more per append than the others: it hands out gap-free
positions in commit order, chains SHA-256 hashes, and stores the actor and
request with every event, all in the appending transaction. eventsourcing's
default recorder serializes appends with a table lock and numbers them from a
sequence, which can leave holes; the plain INSERTs serialize nothing.
"""

import argparse
import dataclasses
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

CONTENDERS = ["this store", "eventsourcing", "plain INSERT"]
NOTE = "x" * 100
# Streams each writer appends before the clock starts: connections, plans and
# caches are then warm for every contender.
WARM_UP_STREAMS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=4000)
    parser.add_argument("--events-per-stream", type=int, default=4)
    parser.add_argument("--writers", default="1,4", help="comma-separated counts")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    writer_counts = [int(count) for count in options.writers.split(",")]

    os.environ["DATABASE_URL"] = fresh_database(os.environ["DATABASE_URL"])
    prepare_schema()

    rounds = []
    for number in range(options.rounds):
        # Each round starts with a different contender.
        order = CONTENDERS[number % 3 :] + CONTENDERS[: number % 3]
        rates = {}
        for writers in writer_counts:
            for name in order:
                rates[name, writers] = run(
                    name, writers, options.streams, options.events_per_stream
                )
        print_round(number + 1, rates, writer_counts)
        rounds.append(rates)

    print_table(rounds, writer_counts, options)
    streams_per_round = sum(
        options.streams + writers * WARM_UP_STREAMS for writers in writer_counts
    )
    check_our_log(streams_per_round * options.events_per_stream * options.rounds)


def run(name: str, writers: int, streams: int, events_per_stream: int) -> float:
    """Append ``streams`` streams from ``writers`` processes; return events/s.

    The clock runs from the moment every writer is warmed up until every
    writer has appended its share: connecting, warming up and exiting are not
    timed, for any contender.
    """
    context = multiprocessing.get_context("spawn")
    ready, done = context.Barrier(writers + 1), context.Barrier(writers + 1)
    shares = [streams // writers + (i < streams % writers) for i in range(writers)]
    processes = [
        context.Process(
            target=writer, args=(name, share, events_per_stream, ready, done)
        )
        for share in shares
    ]
    for process in processes:
        process.start()

    try:
        ready.wait(timeout=120)
        began = time.perf_counter()
        done.wait(timeout=600)
        elapsed = time.perf_counter() - began
    except threading.BrokenBarrierError:
        elapsed = None
    for process in processes:
        process.join()

    if elapsed is None or any(process.exitcode != 0 for process in processes):
        raise SystemExit(f"a {name} writer failed")
    return streams * events_per_stream / elapsed


def writer(name: str, streams: int, events_per_stream: int, ready, done) -> None:
    """One writer process: connect and warm up, then append on the signal."""
    try:
        append = {
            "this store": our_store,
            "eventsourcing": eventsourcing_recorder,
            "plain INSERT": plain_insert,
        }[name]()
        for _ in range(WARM_UP_STREAMS):
            append(uuid.uuid4(), events_per_stream)

        ready.wait(timeout=120)
        for _ in range(streams):
            append(uuid.uuid4(), events_per_stream)
    except BaseException:
        # Let the parent and the other writers stop waiting for this one.
        ready.abort()
        done.abort()
        raise
    done.wait(timeout=600)


def our_store():
    import django

    django.setup()
    from eventstore import store

    event_class = benchmark_event_class()

    def append(stream_id: uuid.UUID, count: int) -> None:
        events = [event_class(note=NOTE, sequence=n) for n in range(count)]
        with store.unit_of_work():
            store.append("benchmark", stream_id, events, expected_version=0)

    return append


def eventsourcing_recorder():
    from eventsourcing.persistence import StoredEvent

    recorder = eventsourcing_recorder_of(eventsourcing_datastore())

    def append(stream_id: uuid.UUID, count: int) -> None:
        recorder.insert_events(
            [
                StoredEvent(
                    originator_id=stream_id,
                    originator_version=n + 1,
                    topic="bench:BenchmarkEventRecorded",
                    state=payload(n).encode(),
                )
                for n in range(count)
            ]
        )

    return append


def plain_insert():
    connection = psycopg.connect(os.environ["DATABASE_URL"])

    def append(stream_id: uuid.UUID, count: int) -> None:
        with connection.transaction(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO plain_events (stream_id, version, event_type, data)"
                " VALUES (%s, %s, %s, %s)",
                [
                    (stream_id, n + 1, "BenchmarkEventRecorded", payload(n))
                    for n in range(count)
                ],
            )

    return append


def eventsourcing_datastore():
    """The library's own PostgreSQL datastore, on the benchmark database."""
    from eventsourcing.postgres import PostgresDatastore

    parts = urlparse(os.environ["DATABASE_URL"])
    return PostgresDatastore(
        dbname=parts.path.lstrip("/"),
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
    )


def eventsourcing_recorder_of(datastore):
    """Its default recorder: a table lock serializes appends."""
    from eventsourcing.postgres import PostgresApplicationRecorder

    return PostgresApplicationRecorder(datastore, events_table_name="es_events")


def payload(sequence: int) -> str:
    return json.dumps({"note": NOTE, "sequence": sequence})


def benchmark_event_class():
    from eventstore.events import DomainEvent, register

    @register
    @dataclasses.dataclass(frozen=True)
    class BenchmarkEventRecorded(DomainEvent):
        note: str
        sequence: int

    return BenchmarkEventRecorded


def fresh_database(url: str) -> str:
    parts = urlparse(url)
    name = f"{parts.path.lstrip('/')}_bench"
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(path=f"/{name}"))


def prepare_schema() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    datastore = eventsourcing_datastore()
    eventsourcing_recorder_of(datastore).create_table()
    datastore.close()

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE plain_events ("
            " position bigserial PRIMARY KEY, stream_id uuid NOT NULL,"
            " version integer NOT NULL, event_type text NOT NULL, data jsonb NOT NULL,"
            " UNIQUE (stream_id, version))"
        )


def print_round(number: int, rates: dict, writer_counts: list[int]) -> None:
    print(
        f"round {number}: "
        + "; ".join(
            f"{writers} writer(s) "
            + ", ".join(f"{name} {rates[name, writers]:.0f}" for name in CONTENDERS)
            for writers in writer_counts
        )
    )


def print_table(rounds: list[dict], writer_counts: list[int], options) -> None:
    print(
        f"\nAppends of {options.streams} streams x {options.events_per_stream} events,"
        " one transaction per stream, one PostgreSQL database: events per second,"
        f" median of {len(rounds)} rounds"
    )
    header = (
        f"{'writers':>7} | {'this store':>10} | {'eventsourcing':>13} | "
        f"{'plain INSERT':>12} | {'this/eventsourcing':>18} | {'this/plain':>10}"
    )
    print(header)
    print("-" * len(header))
    for writers in writer_counts:
        ours, theirs, plain = (
            statistics.median(rates[name, writers] for rates in rounds)
            for name in CONTENDERS
        )
        versus_theirs, versus_plain = (
            statistics.median(
                rates["this store", writers] / rates[other, writers] for rates in rounds
            )
            for other in ("eventsourcing", "plain INSERT")
        )
        print(
            f"{writers:>7} | {ours:>10.0f} | {theirs:>13.0f} | {plain:>12.0f} | "
            f"{versus_theirs:>18.2f} | {versus_plain:>10.2f}"
        )


def check_our_log(expected_events: int) -> None:
    """Prove the speed did not cost the guarantees: no holes, an intact chain."""
    from eventstore.verification import verify_chain

    report = verify_chain("events")
    state = "intact" if report.intact else f"broken at {report.broken_at}"
    print(
        f"\nThis store's log after the run: {report.rows} events at positions"
        f" 1..{report.rows} with no holes, hash chain {state}"
    )
    if report.rows != expected_events or not report.intact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
