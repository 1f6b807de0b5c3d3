"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, with a replay window. Pure.

The header is ``Kartosfera-Signature: t=<unix seconds>,v1=<hex digest>``, the digest being
HMAC-SHA256(secret, ``"<t>." + body``). A receiver recomputes it over the raw body it received,
compares in constant time, and refuses a timestamp further than the tolerance from its clock (a
replayed old delivery).
"""

import hashlib
import hmac

SIGNATURE_HEADER = "Kartosfera-Signature"


class SignatureInvalid(Exception):
    """The signature is missing, malformed, wrong, or outside the replay window."""


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Kartosfera-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_verify(*, secret: str, header: str, body: bytes, now: int, tolerance: int) -> int:
    """Check a delivery's signature; returns its timestamp.

    :raises SignatureInvalid:
    """
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError) as exc:
        raise SignatureInvalid("malformed signature header") from exc
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid("timestamp outside the replay window")
    expected = signature_header(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise SignatureInvalid("signature does not match")
    return timestamp
