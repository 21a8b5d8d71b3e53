"""reconcile_storage finds disagreements both ways and fixes only orphans."""

import hashlib
import io
import json
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from documents import services, storage
from documents.rules import storage_key
from eventstore.models import AuditEntry
from tests.documents.conftest import PDF, upload


def reconcile(*args) -> tuple[int, dict]:
    output = io.StringIO()
    try:
        call_command("reconcile_storage", "--json", *args, stdout=output)
    except SystemExit as exit:
        return exit.code, json.loads(output.getvalue())
    return 0, json.loads(output.getvalue())


def kinds(report: dict) -> dict[str, str]:
    return {finding["key"]: finding["kind"] for finding in report["findings"]}


def put(key: str, content: bytes) -> None:
    """Write an object behind the app's back, as another program would."""
    storage.storage_for(storage.current_location()).save(key, ContentFile(content))


def put_as_the_app(key: str, content: bytes) -> None:
    """Write an object with its SHA-256, as the app does."""
    storage.upload(
        storage.current_location(),
        key,
        ContentFile(content),
        "application/pdf",
        hashlib.sha256(content).hexdigest(),
    )


@pytest.fixture
def planted(operator, customer):
    """A healthy document, an orphan, a missing object and a size mismatch."""
    healthy, missing, resized = (
        services.attach_document(operator, customer.id, upload(name=f"{n}.pdf"))
        for n in ("healthy", "missing", "resized")
    )
    orphan = storage_key(uuid.uuid4(), "application/pdf")
    put(orphan, b"nobody knows me")
    storage.delete(storage.current_location(), missing.storage_key)
    put(resized.storage_key, b"different and longer bytes than before")
    yield {
        "healthy": healthy.storage_key,
        "orphan": orphan,
        "missing": missing.storage_key,
        "resized": resized.storage_key,
    }
    for key in (healthy.storage_key, orphan, resized.storage_key):
        storage.delete(storage.current_location(), key)


def test_a_clean_bucket_reports_nothing(operator, customer):
    document = services.attach_document(operator, customer.id, upload())
    try:
        status, report = reconcile()
    finally:
        storage.delete(storage.current_location(), document.storage_key)

    assert status == 0
    assert (report["objects"], report["documents"], report["findings"]) == (1, 1, [])


def test_each_planted_problem_is_found(planted):
    status, report = reconcile()

    assert status == 1
    assert kinds(report) == {
        planted["orphan"]: "orphan",
        planted["missing"]: "missing",
        planted["resized"]: "size_mismatch",
    }


def test_a_changed_object_of_the_same_size_is_found_by_its_checksum(operator, customer):
    document = services.attach_document(operator, customer.id, upload(content=b"abc"))
    put_as_the_app(document.storage_key, b"xyz")
    try:
        status, report = reconcile()
    finally:
        storage.delete(storage.current_location(), document.storage_key)

    assert status == 1
    assert kinds(report) == {document.storage_key: "checksum_mismatch"}


def test_fix_removes_only_the_orphan(planted):
    status, report = reconcile("--fix", "--grace-hours", "0")

    fixed = [f["key"] for f in report["findings"] if f["fixed"]]
    assert fixed == [planted["orphan"]]
    assert storage.describe(storage.current_location(), planted["orphan"]) is None
    assert storage.describe(storage.current_location(), planted["resized"]) is not None
    assert status == 1  # The missing object and the mismatch are still there.
    removal = AuditEntry.objects.get(action="remove_orphaned_object")
    assert (removal.object_id, removal.actor_name) == (
        planted["orphan"],
        "system:reconcile_storage",
    )


def test_an_orphan_within_the_grace_period_is_kept(planted):
    status, report = reconcile("--fix")

    assert status == 1
    assert storage.describe(storage.current_location(), planted["orphan"]) is not None
    assert not any(finding["fixed"] for finding in report["findings"])


def test_after_the_fix_and_repairs_the_state_is_clean(planted, operator):
    reconcile("--fix", "--grace-hours", "0")
    # What a record points to is for people to repair: here, put the bytes back.
    put_as_the_app(planted["missing"], PDF)
    put_as_the_app(planted["resized"], PDF)

    status, report = reconcile()

    assert (status, report["findings"]) == (0, [])
    storage.delete(storage.current_location(), planted["missing"])


def test_the_text_report_sums_up_each_kind(planted):
    output = io.StringIO()

    with pytest.raises(SystemExit):
        call_command("reconcile_storage", stdout=output)

    text = output.getvalue()
    assert "Checked 3 objects against 3 documents." in text
    assert "1 objects that no document knows" in text
    assert "1 Active or Archived documents whose object is missing" in text
    assert "1 objects whose size differs from the record" in text


def test_an_object_rewritten_without_our_checksum_is_reported(operator, customer):
    document = services.attach_document(operator, customer.id, upload(content=b"abc"))
    put(document.storage_key, b"xyz")
    try:
        status, report = reconcile()
    finally:
        storage.delete(storage.current_location(), document.storage_key)

    assert status == 1
    assert report["findings"][0]["detail"].startswith("stored SHA-256 none")
