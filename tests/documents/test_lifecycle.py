"""Archive, delete, retry and history, with the transitions DESIGN.md allows."""

import threading

import pytest
from django.db import connection

from documents import services, storage
from documents.exceptions import (
    DocumentChanged,
    DocumentNotFound,
    StorageError,
    TransitionRefused,
)
from documents.models import Status
from eventstore.models import AuditEntry
from eventstore.store import load_stream
from tests.documents.conftest import upload


def location(document):
    return storage.Location(document.storage_alias, document.bucket)


def exists(document) -> bool:
    return storage.describe(location(document), document.storage_key) is not None


@pytest.fixture
def active(any_storage, operator, customer):
    document = services.attach_document(operator, customer.id, upload())
    yield document
    storage.delete(location(document), document.storage_key)


def test_archiving_keeps_the_bytes_downloadable(active, operator):
    archived = services.archive_document(operator, active.id)

    assert archived.status == Status.ARCHIVED
    assert archived.archived_at is not None
    assert exists(archived)
    assert services.generate_download_link(operator, active.id).url


def test_deleting_removes_the_bytes_and_hides_the_document(active, operator, customer):
    deleted = services.delete_document(operator, active.id)

    assert deleted.status == Status.DELETED
    assert not exists(deleted)
    assert list(services.list_documents(operator, customer.id)) == []


def test_a_deleted_document_keeps_its_history(active, operator):
    services.archive_document(operator, active.id)
    services.delete_document(operator, active.id)

    _, history = services.view_document(operator, active.id)

    assert [e.event_type for e in history] == [
        "DocumentCreated",
        "FileUploaded",
        "DocumentArchived",
        "DocumentDeleted",
    ]


def test_deleting_a_document_whose_object_vanished_still_works(active, operator):
    storage.delete(location(active), active.storage_key)

    deleted = services.delete_document(operator, active.id)

    assert deleted.status == Status.DELETED


def test_a_storage_that_refuses_the_delete_changes_nothing(
    storage_proxy, operator, customer
):
    document = services.attach_document(operator, customer.id, upload())
    storage_proxy.cut()

    with pytest.raises(StorageError, match="Storage could not delete"):
        services.delete_document(operator, document.id)

    storage_proxy.restore()
    document.refresh_from_db()
    assert document.status == Status.ACTIVE
    assert exists(document)
    assert AuditEntry.objects.order_by("-position").first().outcome == "failed"
    services.delete_document(operator, document.id)


@pytest.mark.parametrize(
    ("steps", "refused", "message"),
    [
        (["archive"], "archive", "Cannot archive document .*: it is Archived."),
        (["delete"], "archive", "Cannot archive document .*: it is Deleted."),
        (["delete"], "delete", "Cannot delete document .*: it is Deleted."),
        (["delete"], "download", "Cannot download document .*: it is Deleted."),
        ([], "retry", "Cannot retry the upload of document .*: it is Active."),
    ],
)
def test_transitions_that_make_no_sense_are_refused(
    active, operator, steps, refused, message
):
    actions = {
        "archive": lambda: services.archive_document(operator, active.id),
        "delete": lambda: services.delete_document(operator, active.id),
        "download": lambda: services.generate_download_link(operator, active.id),
        "retry": lambda: services.retry_upload(operator, active.id, upload()),
    }
    for step in steps:
        actions[step]()
    version = len(load_stream(active.id))

    with pytest.raises(TransitionRefused, match=message):
        actions[refused]()

    assert len(load_stream(active.id)) == version


def test_archiving_a_failed_document_is_refused(operator, customer, storage_proxy):
    storage_proxy.cut()
    failed = services.attach_document(operator, customer.id, upload())

    with pytest.raises(TransitionRefused, match="it is Failed"):
        services.archive_document(operator, failed.id)


def test_a_failed_document_can_be_deleted(operator, customer, storage_proxy):
    storage_proxy.cut()
    failed = services.attach_document(operator, customer.id, upload())
    storage_proxy.restore()

    assert services.delete_document(operator, failed.id).status == Status.DELETED


def test_acting_on_a_stale_version_is_refused(active, operator):
    seen = active.version
    services.generate_download_link(operator, active.id)

    with pytest.raises(DocumentChanged, match="changed by someone else"):
        services.archive_document(operator, active.id, expected_version=seen)

    active.refresh_from_db()
    assert active.status == Status.ACTIVE


@pytest.mark.parametrize("document_id", ["3b1e0c7e-0000-4000-8000-000000000000", "x"])
def test_an_unknown_document_is_named(operator, document_id):
    with pytest.raises(DocumentNotFound, match=f"No document {document_id}"):
        services.archive_document(operator, document_id)


def test_the_list_is_newest_first_and_paginated(operator, customer, settings):
    documents = [
        services.attach_document(operator, customer.id, upload(name=f"{n}.pdf"))
        for n in range(3)
    ]
    try:
        page = services.list_documents(operator, customer.id)

        assert [d.original_filename for d in page] == ["2.pdf", "1.pdf", "0.pdf"]
        assert page.paginator.count == 3
    finally:
        for document in documents:
            storage.delete(location(document), document.storage_key)


def test_two_concurrent_archive_and_delete_one_wins(committed_db, settings):
    from tests.factories import CustomerFactory, UserFactory

    operator = UserFactory(username="ops", is_superuser=True)
    customer = CustomerFactory()
    document = services.attach_document(operator, customer.id, upload())
    seen = document.version
    start = threading.Barrier(2)
    outcomes = {}

    def run(name, service):
        try:
            start.wait(timeout=10)
            service(operator, document.id, expected_version=seen)
            outcomes[name] = "won"
        except Exception as error:
            outcomes[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("archive", services.archive_document)),
        threading.Thread(target=run, args=("delete", services.delete_document)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    results = list(outcomes.values())
    assert results.count("won") == 1
    loser = next(r for r in results if r != "won")
    assert isinstance(loser, DocumentChanged)
    document.refresh_from_db()
    assert document.version == seen + 1
    if outcomes["delete"] == "won":
        assert not exists(document)
    else:
        assert exists(document)
        storage.delete(location(document), document.storage_key)
