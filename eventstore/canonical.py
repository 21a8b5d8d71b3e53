"""Canonical bytes and the SHA-256 chain that links stored rows.

Each row's hash covers the previous row's hash, the row's position and the
canonical JSON of the rest of the row (its body): sorted keys, no spaces,
UTF-8. PostgreSQL's jsonb re-orders keys and rewrites numbers, so the body is
our own serialization, never jsonb's text. Floats are refused: jsonb may print
1e5 back as 100000, which would change the bytes; amounts travel as strings or
integers.

The database computes the same hash as it inserts rows (the functions
eventstore_append_events and eventstore_append_audit, installed by a
migration); this module recomputes it to verify the chain.
"""

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def _refuse_floats(value: str) -> Any:
    raise ValueError(f"Event and audit payloads carry no floats, got {value}")


# Made once: every append serializes each row through them.
_encoder = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_float_finder = json.JSONDecoder(parse_float=_refuse_floats)


def canonical_json(value: Any) -> str:
    """Serialize plain JSON values the one way their hash is computed."""
    text = _encoder.encode(value)
    # The encoder has no hook for floats; a second parse finds any.
    _float_finder.decode(text)
    return text


def chain_hash(previous_hash: str, position: int, body: str) -> str:
    """Return the hash of the row at ``position`` chained to ``previous_hash``."""
    return hashlib.sha256(f"{previous_hash}:{position}:{body}".encode()).hexdigest()
