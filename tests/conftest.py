import contextlib
import uuid

import pytest
from django.core.files.storage import storages
from django.db import connection

from tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def empty_test_bucket():
    """Create the tests' bucket if need be, and empty it of earlier runs."""
    storage = storages["documents"]
    client = storage.connection.meta.client
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=storage.bucket_name)
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name
    ):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=storage.bucket_name, Key=item["Key"])


@pytest.fixture
def document_storage():
    return storages["documents"]


@pytest.fixture
def storage_key(document_storage):
    """A fresh object key under a test prefix, removed again after the test."""
    key = f"tests/{uuid.uuid4()}.bin"
    yield key
    document_storage.delete(key)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def committed_db(transactional_db):
    """A database whose transactions really commit, for tests with threads.

    The event and audit tables refuse TRUNCATE while they hold rows, so they are
    emptied here, with triggers off (a superuser's session_replication_role),
    before the test framework truncates every table.
    """
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("TRUNCATE eventstore_event, eventstore_auditentry")
        cursor.execute("SET session_replication_role = origin")
