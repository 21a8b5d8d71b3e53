"""Write logs out as CSV or JSON lines, streamed: memory stays flat."""

import datetime
import json
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from typing import TextIO

from django.db.models import QuerySet
from tqdm import tqdm

from eventstore.csv_export import csv_rows

FORMATS = ("csv", "jsonl")
CHUNK_SIZE = 2000


def export(
    queryset: QuerySet, fields: list[str], path: str | None, format: str, stdout
) -> int:
    """Write the rows to the file at ``path`` (or ``stdout``), with a progress bar."""
    total = queryset.count()
    target = open(path, "w", newline="") if path else nullcontext(stdout)  # noqa: SIM115
    with target as output, tqdm(total=total, unit="row", file=sys.stderr) as bar:
        return write_rows(queryset, fields, output, format, bar.update)


def write_rows(
    queryset: QuerySet,
    fields: list[str],
    output: TextIO,
    format: str,
    on_row=lambda: None,
) -> int:
    """Write ``fields`` of every row to ``output``; return how many rows."""
    rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
    lines = csv_rows(fields, rows) if format == "csv" else _json_lines(fields, rows)
    count = -1 if format == "csv" else 0  # The CSV header is not a row.
    for line in lines:
        output.write(line)
        count += 1
        on_row()
    return max(count, 0)


def _json_lines(fields: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    for row in rows:
        record = dict(zip(fields, row, strict=True))
        yield json.dumps(record, default=_plain, ensure_ascii=False) + "\n"


def _plain(value: object) -> str:
    # Full precision: an export must let anyone recompute the hash chain, and
    # Django's own JSON encoder cuts times to milliseconds.
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot export {type(value).__name__} as JSON")
