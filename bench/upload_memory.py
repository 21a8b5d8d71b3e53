"""Benchmark: peak memory of attaching large files, against plain boto3.

Run with ``make bench-memory``. Each measurement runs in a process of its own
that writes a file of the given size to disk, then uploads it to the embedded
SeaweedFS and reports how far its peak resident memory rose during the upload:
once through ``attach_document`` (our settings: one streamed PUT with its
SHA-256), once through boto3's ``upload_fileobj`` with its default transfer
settings (8 MB parts, 10 threads), the baseline.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.append_events import fresh_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Let the largest measured file through the upload limit.
os.environ.setdefault("DOCUMENTS_MAX_UPLOAD_SIZE", str(1024 * 1024 * 1024))

MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16,128,512", help="megabytes")
    options = parser.parse_args()
    os.environ["DATABASE_URL"] = fresh_database(os.environ["DATABASE_URL"])
    prepare_django()

    print(f"{'size':>8} | {'attach_document':>24} | {'boto3 default':>24}")
    print("-" * 64)
    for size in (int(mb) for mb in options.sizes.split(",")):
        ours = measure("attach", size)
        theirs = measure("boto3", size)
        print(f"{size:>5} MB | {ours:>24} | {theirs:>24}")


def measure(how: str, size_mb: int) -> str:
    output = subprocess.run(
        [sys.executable, __file__, "--one", how, str(size_mb)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    peak_mb, seconds = float(output[0]), float(output[1])
    return f"+{peak_mb:6.0f} MB peak, {size_mb / seconds:4.0f} MB/s"


def one(how: str, size_mb: int) -> None:
    import django

    django.setup()
    path = write_file(size_mb)
    uploader = {"attach": via_attach_document, "boto3": via_boto3}[how]
    baseline = peak_rss_mb()
    began = time.perf_counter()
    try:
        uploader(path)
    finally:
        path.unlink()
    elapsed = time.perf_counter() - began
    print(peak_rss_mb() - baseline, elapsed)


def via_attach_document(path: Path) -> None:
    from django.core.files import File

    from customers.models import Customer
    from documents import services, storage
    from eventstore.context import system_actor
    from tests.factories import UserFactory

    customer = Customer.objects.create(kind="company", name="Benchmark Ltd")
    operator = UserFactory(username=f"bench-{uuid.uuid4().hex[:8]}", is_superuser=True)
    with path.open("rb") as handle, system_actor("bench"):
        file = File(handle, name="large.bin")
        document = services.attach_document(operator, customer.id, file)
    storage.delete(storage.current_location(), document.storage_key)


def via_boto3(path: Path) -> None:
    from django.core.files.storage import storages

    s3 = storages["documents"]
    client = s3.connection.meta.client
    key = f"bench/{uuid.uuid4()}"
    with path.open("rb") as handle:
        client.upload_fileobj(handle, s3.bucket_name, key)
    client.delete_object(Bucket=s3.bucket_name, Key=key)


def prepare_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def write_file(size_mb: int) -> Path:
    handle, name = tempfile.mkstemp(suffix=".bin")
    with os.fdopen(handle, "wb") as file:
        for _ in range(size_mb):
            file.write(os.urandom(MB))
    return Path(name)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2], int(sys.argv[3]))
    else:
        main()
