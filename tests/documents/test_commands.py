"""The shell commands: the same services, permissions and audit as the admin."""

import io
import json

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from customers.models import Customer
from documents import services
from documents.models import CustomerDocument, Status
from eventstore.models import AuditEntry
from tests.documents.conftest import PDF, upload
from tests.factories import UserFactory


def run(*args) -> tuple[str, str]:
    output, errors = io.StringIO(), io.StringIO()
    call_command(*args, stdout=output, stderr=errors)
    return output.getvalue(), errors.getvalue()


def test_a_link_from_the_shell_downloads_the_file(operator, customer, cleanup):
    document = services.attach_document(operator, customer.id, upload())

    url, note = run("download_link", str(document.id), "--as", operator.username)

    assert requests.get(url.strip(), timeout=10).content == PDF
    assert "Link to passport scan.pdf, valid until" in note
    entry = AuditEntry.objects.order_by("-position").first()
    assert (entry.action, entry.actor_name, entry.outcome) == (
        "generate_download_link",
        operator.username,
        "succeeded",
    )


def test_a_link_is_refused_to_a_user_without_permission(operator, customer, cleanup):
    document = services.attach_document(operator, customer.id, upload())
    UserFactory(username="clerk")

    with pytest.raises(CommandError, match="You may not do this"):
        run("download_link", str(document.id), "--as", "clerk")

    assert AuditEntry.objects.order_by("-position").first().outcome == "denied"


def test_an_unknown_user_is_named(db):
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        run("download_link", "3b1e0c7e-0000-4000-8000-000000000000", "--as", "nobody")


def test_files_are_attached_from_the_shell(operator, customer, cleanup, tmp_path):
    (tmp_path / "passport.pdf").write_bytes(PDF)
    (tmp_path / "statement.csv").write_bytes(b"a,b\n1,2\n")

    output, summary = run(
        "attach_files",
        str(customer.id),
        str(tmp_path / "passport.pdf"),
        str(tmp_path / "statement.csv"),
        "--as",
        operator.username,
        "--json",
    )

    results = json.loads(output)
    assert [r["outcome"] for r in results] == ["attached", "attached"]
    assert "Attached 2 of 2 files." in summary
    statement = CustomerDocument.objects.get(id=results[1]["document_id"])
    assert (statement.content_type, statement.status) == ("text/csv", Status.ACTIVE)


def test_a_bad_file_in_a_bulk_import_is_reported_and_exits_non_zero(
    operator, customer, cleanup, tmp_path
):
    (tmp_path / "good.pdf").write_bytes(PDF)
    (tmp_path / "empty.pdf").write_bytes(b"")
    output = io.StringIO()

    with pytest.raises(SystemExit) as exit:
        call_command(
            "attach_files",
            str(customer.id),
            str(tmp_path / "good.pdf"),
            str(tmp_path / "empty.pdf"),
            str(tmp_path / "missing.pdf"),
            "--as",
            operator.username,
            stdout=output,
            stderr=io.StringIO(),
        )

    assert exit.value.code == 1
    assert output.getvalue().splitlines() == [
        f"{tmp_path / 'good.pdf'}: attached",
        f"{tmp_path / 'empty.pdf'}: refused: The file is empty.",
        f"{tmp_path / 'missing.pdf'}: not a readable file",
    ]


def test_demo_data_has_documents_of_several_types_and_states(db, cleanup):
    run("load_demo_data", "--password", "demo-password-1")

    documents = CustomerDocument.objects.all()
    assert Customer.objects.count() == 4
    assert {d.content_type for d in documents} >= {
        "application/pdf",
        "text/csv",
        "image/png",
        "text/plain",
    }
    assert {d.status for d in documents} == {
        Status.ACTIVE,
        Status.ARCHIVED,
        Status.DELETED,
    }


def test_demo_data_loads_twice_without_duplicates(db, cleanup):
    run("load_demo_data", "--password", "demo-password-1")
    before = CustomerDocument.objects.count()

    output, _ = run("load_demo_data", "--password", "demo-password-2")

    assert CustomerDocument.objects.count() == before
    assert "0 demo customers created" in output
