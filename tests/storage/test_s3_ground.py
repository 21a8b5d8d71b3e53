"""The S3 server behind the documents storage is real and behaves like S3.

These tests talk to the embedded SeaweedFS (or whichever S3 server the
environment names) through the same Django storage alias the app uses.
"""

import datetime

import botocore.auth
import requests
from django.core.files.base import ContentFile

CONTENT = b"%PDF-1.7 passport scan\n"


def head(storage, key: str) -> dict:
    return storage.connection.meta.client.head_object(
        Bucket=storage.bucket_name, Key=key
    )


def test_a_file_saved_through_the_storage_api_lands_in_the_bucket(
    document_storage, storage_key
):
    document_storage.save(storage_key, ContentFile(CONTENT))

    assert head(document_storage, storage_key)["ContentLength"] == len(CONTENT)


def test_a_stored_object_reports_server_side_encryption(document_storage, storage_key):
    document_storage.save(storage_key, ContentFile(CONTENT))

    assert head(document_storage, storage_key)["ServerSideEncryption"] == "AES256"


def test_a_presigned_url_downloads_the_object_with_a_plain_http_client(
    document_storage, storage_key
):
    document_storage.save(storage_key, ContentFile(CONTENT))

    response = requests.get(document_storage.url(storage_key), timeout=10)

    assert response.status_code == 200
    assert response.content == CONTENT


def test_a_presigned_url_is_refused_once_expired(
    document_storage, storage_key, monkeypatch
):
    document_storage.save(storage_key, ContentFile(CONTENT))
    # Sign as if it were ten minutes ago, with a one-minute expiry: the link
    # expired nine minutes ago, and the server must say so.
    ten_minutes_ago = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None
    ) - datetime.timedelta(minutes=10)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: ten_minutes_ago)
    url = document_storage.url(storage_key, expire=60)
    monkeypatch.undo()

    response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert b"expired" in response.content.lower()


def test_a_presigned_url_with_a_tampered_signature_is_refused(
    document_storage, storage_key
):
    document_storage.save(storage_key, ContentFile(CONTENT))
    url = document_storage.url(storage_key)
    signature = url.split("X-Amz-Signature=")[1][:64]
    tampered = url.replace(signature, signature[::-1])

    response = requests.get(tampered, timeout=10)

    assert response.status_code == 403
    assert b"SignatureDoesNotMatch" in response.content


def test_a_presigned_url_for_another_key_is_refused(document_storage, storage_key):
    document_storage.save(storage_key, ContentFile(CONTENT))
    url = document_storage.url(storage_key)

    response = requests.get(url.replace(storage_key, storage_key + "x"), timeout=10)

    assert response.status_code == 403


def test_an_anonymous_get_of_the_object_is_refused(document_storage, storage_key):
    document_storage.save(storage_key, ContentFile(CONTENT))
    endpoint = document_storage.endpoint_url
    anonymous_url = f"{endpoint}/{document_storage.bucket_name}/{storage_key}"

    response = requests.get(anonymous_url, timeout=10)

    assert response.status_code == 403
    assert CONTENT not in response.content
