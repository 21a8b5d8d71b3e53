"""Benchmark: reconcile_storage over many documents, time and peak memory.

Run with ``make bench-reconcile`` (default 10,000 documents). It fills a fresh
database and a bucket of its own through attach_document, from four processes,
plants one orphan, then runs ``manage.py reconcile_storage`` and reports its
time and peak memory beside the baseline of the same run: listing the bucket
alone with boto3, which any reconcile must at least do.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.append_events import fresh_database

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DOCUMENTS_BUCKET"] = "documents-bench"
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    options = parser.parse_args()
    os.environ["DATABASE_URL"] = fresh_database(os.environ["DATABASE_URL"])
    customer_id = prepare()

    began = time.perf_counter()
    with get_context("spawn").Pool(4) as pool:
        shares = [
            options.documents // 4 + (i < options.documents % 4) for i in range(4)
        ]
        pool.starmap(attach_many, [(customer_id, share) for share in shares])
    print(
        f"Attached {options.documents} documents in {time.perf_counter() - began:.0f} s"
    )
    plant_orphan()

    listing_seconds, listed = list_bucket()
    seconds, peak_mb, status = run_reconcile()
    print(f"\n{'':<28} {'seconds':>8} {'peak RSS':>10}")
    print(f"{'boto3 listing (baseline)':<28} {listing_seconds:>8.1f} {'':>10}")
    print(f"{'reconcile_storage':<28} {seconds:>8.1f} {peak_mb:>7.0f} MB")
    print(
        f"\n{listed} objects listed; reconcile exited {status} (1: the planted orphan)"
    )
    empty_bucket()


def prepare() -> str:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    client, bucket = s3()
    try:
        client.create_bucket(Bucket=bucket)
    except client.exceptions.BucketAlreadyOwnedByYou:
        empty_bucket()
    from customers.models import Customer

    return str(Customer.objects.create(kind="company", name="Benchmark Ltd").id)


def attach_many(customer_id: str, count: int) -> None:
    import django

    django.setup()
    from django.core.files.base import ContentFile

    from documents import services
    from tests.factories import UserFactory

    operator = UserFactory(username=f"bench-{uuid.uuid4().hex[:8]}", is_superuser=True)
    for number in range(count):
        file = ContentFile(f"document {number}\n".encode() * 8, name=f"{number}.pdf")
        file.content_type = "application/pdf"
        services.attach_document(operator, customer_id, file)


def run_reconcile() -> tuple[float, float, int]:
    """Time the command in a process whose only child it is, for its peak."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure"], capture_output=True, text=True
    ).stdout.split()
    return float(output[0]), float(output[1]), int(output[2])


def measure() -> None:
    began = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "reconcile_storage", "--json"],
        capture_output=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(seconds, peak_mb, process.returncode)


def list_bucket() -> tuple[float, int]:
    client, bucket = s3()
    began = time.perf_counter()
    listed = sum(
        len(page.get("Contents", []))
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    )
    return time.perf_counter() - began, listed


def plant_orphan() -> None:
    client, bucket = s3()
    key = f"documents/customer_document/{uuid.uuid4()}.pdf"
    client.put_object(Bucket=bucket, Key=key, Body=b"orphan")


def empty_bucket() -> None:
    client, bucket = s3()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])


def s3():
    from django.core.files.storage import storages

    storage = storages["documents"]
    return storage.connection.meta.client, storage.bucket_name


if __name__ == "__main__":
    measure() if sys.argv[1:] == ["--measure"] else main()
