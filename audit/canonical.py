"""The canonical JSON and SHA-256 hash of audit entries. Pure: no Django, no clock.

Everything an entry stores in its JSON columns goes through ``to_json`` first, so that what is hashed
when the entry is written is exactly what is read back from SQLite or PostgreSQL (``jsonb``) when the
chain is verified: only strings, integers that a JSON number represents exactly, booleans, null,
lists and objects with string keys. The canonical serialisation is then RFC 8785 (JCS) for these
values: keys sorted, no whitespace, UTF-8, no escaping beyond what JSON requires.
"""

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

HASH_VERSION = 1
GENESIS_HASH = "0" * 64
# Integers beyond ±(2**53 - 1) lose digits in most JSON readers (and in RFC 8785): kept as strings.
MAX_EXACT_JSON_INT = 2**53 - 1


def format_instant(instant: datetime) -> str:
    """An aware instant as UTC ISO 8601 with microseconds and ``Z``: ``2025-12-23T13:05:00.000000Z``."""
    if instant.tzinfo is None or instant.tzinfo.utcoffset(instant) is None:
        raise ValueError(f"an audit instant must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def to_json(value: Any) -> Any:
    """``value`` as plain JSON data whose canonical form survives a database round trip.

    Decimals, floats and large integers become strings (money is never a float; a float is kept as
    its shortest exact text), dates and times ISO 8601 (aware datetimes in UTC), enums their value,
    dataclasses and objects with ``to_dict()`` a dict, sets a sorted list, bytes only their length
    (binary data, e.g. a PIN block, is never stored), anything else its ``str()``. NUL characters,
    which PostgreSQL refuses in text, are removed.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_EXACT_JSON_INT else str(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Enum):
        return to_json(value.value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            return value.isoformat()
        return format_instant(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[{len(bytes(value))} bytes not stored]"
    if isinstance(value, Mapping):
        return {_key(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((to_json(item) for item in value), key=lambda item: canonical_json(item))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_json(to_dict())
    return to_json(str(value))


def _key(key: Any) -> str:
    converted = to_json(key)
    return converted if isinstance(converted, str) else json.dumps(converted, sort_keys=True)


# One encoder for every entry: ``json.dumps`` with options builds a new one per call, which was about
# half the cost of hashing an entry (the sealer hashes every entry; verify_audit every one again).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON of plain JSON data: sorted keys, no whitespace (RFC 8785 for it)."""
    return _CANONICAL.encode(value).encode("utf-8")


def sha256_hex(content: Mapping[str, Any]) -> str:
    """SHA-256 (lower-case hex) of the canonical JSON of ``content``."""
    return hashlib.sha256(canonical_json(content)).hexdigest()
