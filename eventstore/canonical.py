"""Canonical bytes and the SHA-256 chain that links stored rows.

Each row's hash covers the previous row's hash and the canonical JSON of the
row: sorted keys, no spaces, UTF-8. PostgreSQL's jsonb re-orders keys and
rewrites numbers, so the hash is computed from our own serialization, never
from jsonb's text. Floats are refused: jsonb may print 1e5 back as 100000,
which would change the bytes; amounts travel as strings or integers.
"""

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def _refuse_floats(value: str) -> Any:
    raise ValueError(f"Event and audit payloads carry no floats, got {value}")


def canonical_json(value: Any) -> str:
    """Serialize plain JSON values the one way their hash is computed."""
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    # json.dumps has no hook for floats; a second parse finds any.
    json.loads(text, parse_float=_refuse_floats)
    return text


def chain_hash(previous_hash: str, record: dict[str, Any]) -> str:
    """Return the hash of ``record`` chained to ``previous_hash``."""
    payload = canonical_json([previous_hash, record]).encode()
    return hashlib.sha256(payload).hexdigest()
