import uuid

import pytest
from django.core.files.storage import storages

from tests.factories import UserFactory


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
