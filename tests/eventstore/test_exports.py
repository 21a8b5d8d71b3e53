"""The audit log and event exports reproduce the known history row for row."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from eventstore import store
from eventstore.audit import Attempt, Outcome, record
from eventstore.context import Actor, acting_as
from eventstore.models import AuditEntry
from tests.ledger.domain import Ledger

CUSTOMER = "00000000-0000-4000-8000-000000000007"


@pytest.fixture
def history(db):
    """Four audit entries by two actors, and one ledger of three events."""
    with acting_as(Actor("1", "ada"), client_address="10.0.0.1"):
        record(Attempt("attach_document", customer_id=CUSTOMER), Outcome.SUCCEEDED)
        record(Attempt("delete_document", customer_id=CUSTOMER), Outcome.DENIED, "no")
    with acting_as(Actor("2", "grace")):
        record(Attempt("attach_document"), Outcome.SUCCEEDED)
        record(Attempt("list_documents", customer_id=CUSTOMER), Outcome.SUCCEEDED)
    ledger = Ledger.open("ada")
    ledger.write("first", "a note, with a comma")
    ledger.write("=SUM(A1)", "formula")
    with store.unit_of_work():
        ledger.save()
    return ledger


def export(*args) -> str:
    output, errors = io.StringIO(), io.StringIO()
    call_command(*args, stdout=output, stderr=errors)
    return output.getvalue()


def test_the_csv_export_matches_the_audit_log_row_for_row(history):
    rows = list(csv.DictReader(io.StringIO(export("export_audit_log"))))

    expected = AuditEntry.objects.order_by("position")
    assert [
        (int(r["position"]), r["actor_name"], r["action"], r["outcome"], r["hash"])
        for r in rows
    ] == [(e.position, e.actor_name, e.action, e.outcome, e.hash) for e in expected]
    assert rows[1]["error"] == "no"
    assert rows[0]["client_address"] == "10.0.0.1"


def test_the_json_lines_export_carries_every_field(history):
    lines = export("export_audit_log", "--format", "jsonl").splitlines()

    first = json.loads(lines[0])
    entry = AuditEntry.objects.get(position=1)
    assert len(lines) == 4
    assert first["customer_id"] == CUSTOMER
    assert first["hash"] == entry.hash
    assert datetime.datetime.fromisoformat(first["occurred_at"]) == entry.occurred_at


@pytest.mark.parametrize(
    ("filters", "positions"),
    [
        (["--actor", "grace"], [3, 4]),
        (["--action", "attach_document"], [1, 3]),
        (["--customer", CUSTOMER], [1, 2, 4]),
        (["--customer", CUSTOMER, "--actor", "ada"], [1, 2]),
    ],
)
def test_filters_narrow_the_export(history, filters, positions):
    lines = export("export_audit_log", "--format", "jsonl", *filters).splitlines()

    assert [json.loads(line)["position"] for line in lines] == positions


def test_a_date_range_selects_by_time(history):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)

    within = export("export_audit_log", "--format", "jsonl", "--since", str(today))
    after = export("export_audit_log", "--format", "jsonl", "--since", str(tomorrow))
    before = export("export_audit_log", "--format", "jsonl", "--until", str(today))

    assert (len(within.splitlines()), after, before) == (4, "", "")


def test_a_malformed_date_is_named(history):
    with pytest.raises(CommandError, match="--since takes a date"):
        export("export_audit_log", "--since", "last tuesday")


def test_the_export_goes_to_a_file_when_asked(history, tmp_path):
    target = tmp_path / "audit.csv"

    export("export_audit_log", "--output", str(target))

    assert len(target.read_text().splitlines()) == 5


def test_the_events_of_a_stream_export_in_order(history):
    rows = list(csv.DictReader(io.StringIO(export("export_events", str(history.id)))))

    assert [r["event_type"] for r in rows] == [
        "LedgerOpened",
        "NoteWritten",
        "NoteWritten",
    ]
    assert json.loads(rows[1]["data"]) == {
        "title": "first",
        "body": "a note, with a comma",
    }
    assert json.loads(rows[2]["data"].lstrip("'"))["title"] == "=SUM(A1)"


def test_an_unknown_stream_id_format_is_named(db):
    with pytest.raises(CommandError, match="Stream ids are UUIDs"):
        export("export_events", "not-a-uuid")
