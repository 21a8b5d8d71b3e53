"""Document bytes in object storage, through named Django storages.

Every document records the storage alias and bucket that hold it, and reads go
there, so changing the default bucket never strands old documents. The two
backends we ship are django-storages' S3 and Google Cloud Storage, each with
the small additions below; nothing else in the app talks to storage.
"""

import base64
import dataclasses
import datetime
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from google.api_core.exceptions import GoogleAPIError
from storages.backends.gcloud import GoogleCloudStorage
from storages.backends.s3 import S3Storage

from documents import rules
from documents.exceptions import StorageError

logger = logging.getLogger(__name__)

# What a failing storage raises, whichever backend it is.
STORAGE_FAILURES = (BotoCoreError, ClientError, GoogleAPIError, OSError)


@dataclasses.dataclass(frozen=True)
class Location:
    """Where a document's bytes live: a storage alias and its bucket."""

    alias: str
    bucket: str


@dataclasses.dataclass(frozen=True)
class ListedObject:
    """One entry of a bucket listing."""

    key: str
    size: int
    modified: datetime.datetime


@dataclasses.dataclass(frozen=True)
class StoredObject:
    """What storage reports about an object, without reading its bytes."""

    size: int
    sha256: str
    encryption: str


class DocumentS3Storage(S3Storage):
    """S3 storage that takes per-object parameters from the file being saved."""

    def _get_write_parameters(self, name, content=None):
        parameters = super()._get_write_parameters(name, content)
        parameters.update(getattr(content, "object_parameters", {}))
        return parameters


class DocumentGCSStorage(GoogleCloudStorage):
    """GCS storage with per-object parameters and optional signing credentials.

    ``signing_credentials`` signs download links when the client's own
    credentials cannot (the emulator's anonymous ones, for instance).
    """

    _saving = threading.local()

    def get_default_settings(self):
        return {**super().get_default_settings(), "signing_credentials": None}

    def _save(self, name, content):
        self._saving.parameters = getattr(content, "object_parameters", {})
        try:
            return super()._save(name, content)
        finally:
            self._saving.parameters = {}

    def get_object_parameters(self, name):
        extra = getattr(self._saving, "parameters", {})
        return {**super().get_object_parameters(name), **extra}


DocumentStorage = DocumentS3Storage | DocumentGCSStorage


class ObjectToStore(File):
    """A file, with the parameters storage is to keep it with."""

    def __init__(self, file: File, object_parameters: dict[str, Any]):
        super().__init__(file.file, file.name)
        self.object_parameters = object_parameters


def current_location() -> Location:
    """Where new documents go: the configured alias and its bucket."""
    alias = settings.DOCUMENTS_STORAGE_ALIAS
    return Location(alias, storage_for_alias(alias).bucket_name)


def storage_for_alias(alias: str) -> DocumentStorage:
    return cast(DocumentStorage, storages[alias])


@functools.cache
def storage_for(location: Location) -> DocumentStorage:
    configured = storage_for_alias(location.alias)
    if configured.bucket_name == location.bucket:
        return configured
    # An older bucket of the same alias: same settings, other bucket.
    options = settings.STORAGES[location.alias].get("OPTIONS", {})
    return type(configured)(**{**options, "bucket_name": location.bucket})


def forget_storages(**kwargs) -> None:
    """Drop cached storages when settings change (tests override them)."""
    storage_for.cache_clear()


def upload(location: Location, key: str, file: File, content_type: str, sha256: str):
    """Store ``file`` at ``key``, encrypted at rest, with its SHA-256 checked."""
    storage = storage_for(location)
    parameters = _write_parameters(storage, content_type, sha256)
    try:
        storage.save(key, ObjectToStore(file, parameters))
    except STORAGE_FAILURES as error:
        raise StorageError("store", key, error) from error


def describe(location: Location, key: str) -> StoredObject | None:
    """HEAD the object: its size, SHA-256 and encryption; None when missing."""
    return _describer(location)(key)


def describe_many(
    location: Location, keys: list[str], workers: int = 8
) -> list[StoredObject | None]:
    """HEAD many objects at once, over one client shared by a few threads."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(_describer(location), keys))


def _describer(location: Location) -> Callable[[str], StoredObject | None]:
    # Built in the calling thread: django-storages keeps one client per thread,
    # and creating one is far dearer than the HEAD itself.
    storage = storage_for(location)
    if isinstance(storage, S3Storage):
        client, bucket = storage.connection.meta.client, storage.bucket_name
        describe_one = functools.partial(_describe_s3, client, bucket)
    else:
        describe_one = functools.partial(_describe_gcs, storage.bucket)

    def guarded(key: str) -> StoredObject | None:
        try:
            return describe_one(key)
        except STORAGE_FAILURES as error:
            raise StorageError("look up", key, error) from error

    return guarded


def list_objects(location: Location, prefix: str) -> Iterator[ListedObject]:
    """Every object under ``prefix``, in key order, one listing page at a time."""
    storage = storage_for(location)
    try:
        if isinstance(storage, S3Storage):
            yield from _list_s3(storage, prefix)
        else:
            yield from _list_gcs(storage, prefix)
    except STORAGE_FAILURES as error:
        raise StorageError("list", prefix, error) from error


def delete(location: Location, key: str) -> None:
    """Remove the object; one that is already gone is not an error."""
    try:
        storage_for(location).delete(key)
    except STORAGE_FAILURES as error:
        raise StorageError("delete", key, error) from error


def download_url(
    location: Location,
    key: str,
    filename: str,
    content_type: str,
    inline: bool,
    expires_in: int,
) -> str:
    """Presign a time-limited link; computed locally, no request to storage."""
    storage = storage_for(location)
    disposition = rules.content_disposition(filename, inline)
    served_type = rules.served_content_type(content_type)
    if isinstance(storage, S3Storage):
        s3_parameters = {
            "ResponseContentDisposition": disposition,
            "ResponseContentType": served_type,
        }
        return storage.url(key, parameters=s3_parameters, expire=expires_in)

    gcs_parameters: dict[str, Any] = {
        "response_disposition": disposition,
        "response_type": served_type,
        "expiration": datetime.timedelta(seconds=expires_in),
    }
    if storage.signing_credentials is not None:
        gcs_parameters["credentials"] = storage.signing_credentials
    return storage.url(key, parameters=gcs_parameters)


def _write_parameters(
    storage: DocumentStorage, content_type: str, sha256: str
) -> dict[str, Any]:
    if isinstance(storage, S3Storage):
        # Storage recomputes the checksum and refuses bytes that differ.
        digest = base64.b64encode(bytes.fromhex(sha256)).decode()
        return {"ContentType": content_type, "ChecksumSHA256": digest}
    # GCS checks MD5 and CRC32C only; the SHA-256 travels as metadata.
    return {"content_type": content_type, "metadata": {"sha256": sha256}}


def _describe_s3(client, bucket: str, key: str) -> StoredObject | None:
    try:
        head = client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    except ClientError as error:
        if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
            return None
        raise
    checksum = head.get("ChecksumSHA256", "")
    return StoredObject(
        size=head["ContentLength"],
        sha256=base64.b64decode(checksum).hex() if checksum else "",
        encryption=head.get("ServerSideEncryption", ""),
    )


def _list_s3(storage: S3Storage, prefix: str) -> Iterator[ListedObject]:
    pages = storage.connection.meta.client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name, Prefix=prefix
    )
    for page in pages:
        for item in page.get("Contents", []):
            yield ListedObject(item["Key"], item["Size"], item["LastModified"])


def _list_gcs(storage: GoogleCloudStorage, prefix: str) -> Iterator[ListedObject]:
    for blob in storage.bucket.list_blobs(prefix=prefix):
        yield ListedObject(blob.name, blob.size, blob.updated)


def _describe_gcs(bucket, key: str) -> StoredObject | None:
    blob = bucket.get_blob(key)
    if blob is None:
        return None
    return StoredObject(
        size=blob.size,
        sha256=(blob.metadata or {}).get("sha256", ""),
        encryption=blob.kms_key_name or "google-managed",
    )
