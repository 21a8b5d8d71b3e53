"""Attaching documents, against SeaweedFS (S3) and the GCS emulator."""

import hashlib

import pytest
from django.db import connection

from documents import rules, services, storage
from documents.exceptions import CustomerNotFound, InvalidFilename, InvalidUpload
from documents.models import Status
from eventstore.models import AuditEntry
from eventstore.store import load_stream
from tests.documents.conftest import PDF, upload

CSV = b"date,amount\n2026-12-01,100\n"


def stored_object(document):
    location = storage.Location(document.storage_alias, document.bucket)
    return storage.describe(location, document.storage_key)


@pytest.fixture(autouse=True)
def remove_stored_objects(settings):
    """Leave no test object behind in the bucket."""
    created = []
    yield created
    for document in created:
        location = storage.Location(document.storage_alias, document.bucket)
        storage.delete(location, document.storage_key)


def attach(operator, customer, file, cleanup):
    document = services.attach_document(operator, customer.id, file)
    cleanup.append(document)
    return document


def test_a_pdf_is_stored_under_its_id_with_the_pdf_extension(
    any_storage, operator, customer, remove_stored_objects
):
    document = attach(operator, customer, upload(), remove_stored_objects)

    assert document.storage_key == f"documents/customer_document/{document.id}.pdf"
    assert (document.original_filename, document.sanitized_filename) == (
        "passport scan.pdf",
        "passport-scan-pdf",
    )
    assert (document.status, document.size) == (Status.ACTIVE, len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()


def test_storage_reports_the_size_checksum_and_encryption_of_the_object(
    any_storage, operator, customer, remove_stored_objects
):
    document = attach(operator, customer, upload(), remove_stored_objects)

    described = stored_object(document)

    assert described.size == len(PDF)
    assert described.sha256 == hashlib.sha256(PDF).hexdigest()
    assert described.encryption in {"AES256", "google-managed"}


def test_a_csv_gets_the_csv_extension(
    any_storage, operator, customer, remove_stored_objects
):
    file = upload("statement.csv", CSV, "text/csv; charset=utf-8")

    document = attach(operator, customer, file, remove_stored_objects)

    assert document.storage_key.endswith(".csv")
    assert document.content_type == "text/csv"
    assert stored_object(document).size == len(CSV)


def test_an_unknown_type_gets_no_extension(
    any_storage, operator, customer, remove_stored_objects
):
    file = upload("photo.heic", b"\x00\x01heic", "image/heic")

    document = attach(operator, customer, file, remove_stored_objects)

    assert document.storage_key == f"documents/customer_document/{document.id}"
    assert document.status == Status.ACTIVE


def test_a_file_without_content_type_is_kept_as_octet_stream(
    operator, customer, remove_stored_objects
):
    file = upload("blob", b"bytes", "")

    document = attach(operator, customer, file, remove_stored_objects)

    assert document.content_type == "application/octet-stream"


def test_attaching_records_created_then_uploaded(
    operator, customer, remove_stored_objects
):
    document = attach(operator, customer, upload(), remove_stored_objects)

    history = load_stream(document.id)

    assert [e.event_type for e in history] == ["DocumentCreated", "FileUploaded"]
    assert history[0].event.customer_id == customer.id
    assert history[0].metadata["actor_name"] == operator.username
    assert history[1].event.sha256 == document.sha256


def test_attaching_leaves_one_succeeded_audit_entry(
    operator, customer, remove_stored_objects
):
    document = attach(operator, customer, upload(), remove_stored_objects)

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.outcome, entry.actor_name) == (
        "attach_document",
        "succeeded",
        operator.username,
    )
    assert (entry.object_id, entry.customer_id) == (str(document.id), customer.id)


@pytest.mark.parametrize(
    ("file", "error", "message"),
    [
        (upload(content=b""), InvalidUpload, "The file is empty."),
        (upload(name="   "), InvalidFilename, "The file has no name."),
        (upload(name="a\u202efdp.exe"), InvalidFilename, "text-direction"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(
    operator, customer, file, error, message
):
    with pytest.raises(error, match=message):
        services.attach_document(operator, customer.id, file)

    assert not customer.documents.exists()
    assert AuditEntry.objects.get().outcome == "failed"


def test_a_file_over_the_limit_is_refused(settings, operator, customer):
    settings.DOCUMENTS_MAX_UPLOAD_SIZE = 10

    with pytest.raises(InvalidUpload, match="larger than the limit of 10 bytes"):
        services.attach_document(operator, customer.id, upload(content=b"x" * 11))

    assert not customer.documents.exists()


def test_a_malformed_customer_id_is_refused_and_audited(operator, db):
    with pytest.raises(CustomerNotFound, match="No customer not-a-uuid"):
        services.attach_document(operator, "not-a-uuid", upload())

    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.customer_id) == ("failed", None)


def test_an_unknown_customer_is_named(operator, db):
    with pytest.raises(CustomerNotFound, match="No customer 4"):
        services.attach_document(
            operator, "40000000-0000-4000-8000-000000000000", upload()
        )


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "....",
        "<img src=x onerror=alert(1)>.html",
        "résumé «final» 2026.pdf",
        "x" * 255,
        "C:\\Users\\ops\\scan.pdf",
    ],
)
def test_hostile_names_are_stored_safely(
    operator, customer, remove_stored_objects, name
):
    file = upload(name=name)  # As in a request, any path before the name is gone.

    document = attach(operator, customer, file, remove_stored_objects)

    assert document.original_filename == file.name
    assert document.storage_key == f"documents/customer_document/{document.id}.pdf"
    assert set(document.sanitized_filename) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
    )


def test_storage_unreachable_keeps_the_document_as_failed(
    storage_proxy, operator, customer
):
    storage_proxy.cut()

    document = services.attach_document(operator, customer.id, upload())

    assert document.status == Status.FAILED
    failure = load_stream(document.id)[-1]
    assert failure.event_type == "UploadFailed"
    assert "Storage could not store" in failure.event.error
    entry = AuditEntry.objects.get()
    assert (entry.outcome, entry.object_id) == ("failed", str(document.id))


def test_a_retry_with_the_file_makes_it_active_at_the_same_key(
    storage_proxy, operator, customer, remove_stored_objects
):
    storage_proxy.cut()
    failed = services.attach_document(operator, customer.id, upload())
    storage_proxy.restore()

    document = services.retry_upload(operator, failed.id, upload())
    remove_stored_objects.append(document)

    assert (document.status, document.storage_key) == (
        Status.ACTIVE,
        failed.storage_key,
    )
    assert stored_object(document).size == len(PDF)
    assert [e.event_type for e in load_stream(document.id)] == [
        "DocumentCreated",
        "UploadFailed",
        "FileUploaded",
    ]


def test_a_database_failure_after_the_upload_leaves_no_object(
    any_storage, operator, customer, caplog
):
    with connection.cursor() as cursor:
        # A real failure of the database, as the events are written.
        cursor.execute(
            "CREATE FUNCTION fail_append() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER fail_append BEFORE INSERT ON eventstore_event"
            " FOR EACH STATEMENT EXECUTE FUNCTION fail_append()"
        )

    with pytest.raises(Exception, match="disk full"):
        services.attach_document(operator, customer.id, upload())

    assert not customer.documents.exists()
    attempt = AuditEntry.objects.get()
    assert (attempt.outcome, attempt.object_id != "") == ("failed", True)
    key = rules.storage_key(attempt.object_id, "application/pdf")
    assert f"removed {key}: its transaction did not commit" in caplog.text
    assert storage.describe(storage.current_location(), key) is None
