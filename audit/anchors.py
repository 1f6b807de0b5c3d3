"""Signed anchors of the audit chain head, kept outside the database (docs/AUDIT.md, "Anchors").

An anchor is a small JSON file in ``settings.KARTOSFERA_AUDIT_ANCHOR_DIR`` naming a sequence and the
entry hash the chain had there, when it was written, and an HMAC-SHA256 over those with a key from
the environment (``KARTOSFERA_AUDIT_ANCHOR_KEY``), never stored in the database. Whoever can rewrite
the database, hashes included, cannot make an anchor for the rewritten chain, nor make one disappear
from where it was copied to: ``verify_audit`` then reports the entry that differs from an anchor
(``ANCHOR_MISMATCH``) or the anchored entry that is gone (``ANCHOR_MISSING``, a truncation).

Before writing an anchor, the chain from the previous anchor to the head is verified: a chain broken
since then is reported, never anchored.
The writer finds the previous anchor through ``LATEST`` without reading the older files
(``anchor_latest``); ``verify_audit`` reads them all (``anchors_read``).
"""

import hashlib
import hmac
import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from audit.canonical import canonical_json, format_instant
from audit.chain import ChainHead, verify_chain
from audit.models import AuditChainHead, AuditEntry

logger = logging.getLogger(__name__)

ANCHOR_VERSION = 1
_FILE = re.compile(r"anchor-(?P<sequence>[0-9]{12})\.json")
# Beside the anchors, the name of the newest one, so the sealer reads one file, not the directory. It is
# a hint: the file it names is checked like any anchor, and when it does not hold the sealer falls back
# to the newest anchor that does (which can only make it verify more of the chain, never less).
LATEST = "latest-anchor"


class AnchorRefused(RuntimeError):
    """The chain is broken since the last anchor: no anchor is written over it."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """One anchor as read back and checked: the chain had ``entry_hash`` at ``sequence``."""

    sequence: int
    entry_hash: str
    written_at: str
    key_id: str
    file: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class AnchorSet:
    """Every anchor file found: those whose signature holds, in sequence order, and those refused."""

    directory: str
    valid: list[Anchor] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (file, why)

    @property
    def latest(self) -> Anchor | None:
        return self.valid[-1] if self.valid else None


def anchor_key() -> bytes:
    """The HMAC key: ``KARTOSFERA_AUDIT_ANCHOR_KEY``, else one derived from ``SECRET_KEY``."""
    configured = settings.KARTOSFERA_AUDIT_ANCHOR_KEY
    if configured:
        return configured.encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"kartosfera audit anchor key", hashlib.sha256
    ).digest()


def key_id(key: bytes) -> str:
    """A short public name of a key (so a verifier knows which key signed), not the key itself."""
    return hashlib.sha256(b"kartosfera audit anchor key id:" + key).hexdigest()[:16]


def _payload(*, sequence: int, entry_hash: str, written_at: str, signer: str) -> dict[str, Any]:
    return {
        "v": ANCHOR_VERSION,
        "sequence": sequence,
        "entry_hash": entry_hash,
        "written_at": written_at,
        "key_id": signer,
    }


def anchor_mac(payload: dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256 (hex) of the canonical JSON of an anchor's payload."""
    return hmac.new(key, canonical_json(payload), hashlib.sha256).hexdigest()


def _directory() -> Path:
    return Path(settings.KARTOSFERA_AUDIT_ANCHOR_DIR)


def _anchor_names(directory: Path) -> list[str]:
    """The anchor files' names in sequence order, from the directory listing alone (no file is opened):
    the sequence in a name has a fixed width, so the names sort as their sequences do."""
    if not directory.is_dir():
        return []
    with os.scandir(directory) as entries:
        return sorted(entry.name for entry in entries if _FILE.fullmatch(entry.name))


def _anchor_check(path: Path, key: bytes) -> Anchor | str:
    """The anchor a file holds when its name, format and signature hold, else why not."""
    match = _FILE.fullmatch(path.name)
    if match is None:
        return "not an anchor file's name"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        payload = _payload(
            sequence=int(stored["sequence"]),
            entry_hash=str(stored["entry_hash"]),
            written_at=str(stored["written_at"]),
            signer=str(stored["key_id"]),
        )
        mac = str(stored["mac"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"unreadable: {error}"
    if stored.get("v") != ANCHOR_VERSION:
        return f"unknown anchor format {stored.get('v')!r}"
    if payload["sequence"] != int(match["sequence"]):
        return f"names sequence {payload['sequence']}, not its file's"
    if payload["key_id"] != key_id(key):
        return f"signed with another key ({payload['key_id']})"
    if not hmac.compare_digest(mac, anchor_mac(payload, key)):
        return "its signature does not match its content"
    return Anchor(
        sequence=payload["sequence"],
        entry_hash=payload["entry_hash"],
        written_at=payload["written_at"],
        key_id=payload["key_id"],
        file=path.name,
    )


def _latest_named(directory: Path) -> str | None:
    """What the ``LATEST`` file says (stripped), None when there is none."""
    try:
        return (directory / LATEST).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        return f"<unreadable: {error}>"


def anchors_read() -> AnchorSet:
    """Read and check every anchor file; a file whose signature or name does not hold is listed apart,
    and so is a ``LATEST`` file naming an anchor that is not there (the latest anchor deleted)."""
    directory = _directory()
    found = AnchorSet(directory=str(directory))
    key = anchor_key()
    names = _anchor_names(directory)
    for name in names:
        checked = _anchor_check(directory / name, key)
        if isinstance(checked, Anchor):
            found.valid.append(checked)
        else:
            found.invalid.append((name, checked))
    named = _latest_named(directory)
    if named is not None and named not in names:
        found.invalid.append((LATEST, f"names {named!r}, which is not an anchor file there"))
    found.valid.sort(key=lambda anchor: anchor.sequence)
    return found


def anchor_latest() -> Anchor | None:
    """The latest anchor whose signature holds, reading only ``LATEST`` and the file it names when that
    holds (the sealer's path: the directory grows by up to one file a minute; ``verify_audit`` reads
    them all).

    A named file that is gone or does not hold (altered, forged, unreadable) is logged as an error and
    the directory is searched from its newest anchor down, so the chain is then verified from the last
    anchor that holds, as ``anchors_read().latest`` would; ``verify_audit`` reports the file
    (``ANCHOR_INVALID``). Without ``LATEST`` (anchors written before it existed) the same search runs.
    """
    directory = _directory()
    key = anchor_key()
    named = _latest_named(directory)
    if named is not None:
        if _FILE.fullmatch(named):
            checked = _anchor_check(directory / named, key)
            if isinstance(checked, Anchor):
                return checked
        else:
            checked = "not an anchor file's name"
        logger.error("audit: the latest anchor %r in %s does not hold: %s", named, directory, checked)
    for name in reversed(_anchor_names(directory)):
        if name == named:
            continue
        checked = _anchor_check(directory / name, key)
        if isinstance(checked, Anchor):
            return checked
        logger.error("audit: anchor file %s in %s does not hold: %s", name, directory, checked)
    return None


def anchor_write(*, now: datetime) -> Anchor | None:
    """Anchor the chain head (verified since the last anchor) in a new signed file; None when the log
    is empty or the head is anchored already.

    :raises AnchorRefused: the chain is broken between the last anchor and the head.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.sequence == 0:
        return None
    latest = anchor_latest()
    if latest is not None and latest.sequence >= head.sequence:
        return latest if latest.sequence == head.sequence else None
    start = None
    if latest is not None:
        start = ChainHead(sequence=latest.sequence, entry_hash=latest.entry_hash)
    entries = (
        AuditEntry.objects.sealed()
        .filter(sequence__gt=0 if start is None else start.sequence, sequence__lte=head.sequence)
        .stored_entries()
    )
    report = verify_chain(entries, head=head.as_chain_head(), after=start, max_problems=10)
    if not report.ok:
        raise AnchorRefused(
            f"the audit chain is broken at sequence {report.first_break} since the last anchor: "
            f"{report.problems[0].detail}"
        )
    key = anchor_key()
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"anchor-{head.sequence:012d}.json"
    existing = _anchor_check(directory / name, key) if (directory / name).exists() else None
    if isinstance(existing, Anchor) and existing.entry_hash == head.entry_hash:
        # Written before a crash that left LATEST behind it: an anchor stays as first written.
        _write_atomically(directory / LATEST, name)
        return existing
    payload = _payload(
        sequence=head.sequence, entry_hash=head.entry_hash, written_at=format_instant(now), signer=key_id(key)
    )
    _write_atomically(directory / name, json.dumps({**payload, "mac": anchor_mac(payload, key)}, indent=2))
    # After the anchor: a crash in between leaves LATEST naming the one before, which holds.
    _write_atomically(directory / LATEST, name)
    return Anchor(
        sequence=head.sequence,
        entry_hash=head.entry_hash,
        written_at=payload["written_at"],
        key_id=payload["key_id"],
        file=name,
    )


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text + "\n", encoding="utf-8")
    os.replace(temporary, path)


def anchor_write_if_due(*, now: datetime) -> Anchor | None:
    """``anchor_write`` when the last anchor is older than ``KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS``;
    a broken chain is logged as an error (``verify_audit`` reports it), not raised to the sealer."""
    latest = anchor_latest()
    if latest is not None:
        written = datetime.fromisoformat(latest.written_at.replace("Z", "+00:00"))
        if (now - written).total_seconds() < settings.KARTOSFERA_AUDIT_ANCHOR_MIN_SECONDS:
            return None
    try:
        return anchor_write(now=now)
    except AnchorRefused:
        logger.error("audit: anchor refused", exc_info=True)
        return None
