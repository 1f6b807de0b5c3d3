"""The audit hash chain: what each entry's hash covers, and the verification of a chain. Pure.

Entry ``n`` (``sequence`` 1, 2, 3... without gaps) stores ``previous_hash``, the ``entry_hash`` of
entry ``n - 1`` (``GENESIS_HASH``, 64 zeros, for entry 1), and ``entry_hash`` = SHA-256 of the
canonical JSON (``audit.canonical``) of the object built by ``entry_content``, which includes
``previous_hash``. Changing any hashed field of an entry changes its hash; removing or inserting an
entry breaks the link of the next one; removing entries at the end is seen against the chain head,
the ``(sequence, hash)`` of the last entry kept in a separate row. docs/AUDIT.md describes the format
for an external checker.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from audit.canonical import GENESIS_HASH, HASH_VERSION, format_instant, sha256_hex

__all__ = [
    "GENESIS_HASH",
    "HASH_VERSION",
    "ChainHead",
    "ChainReport",
    "Problem",
    "ProblemKind",
    "StoredEntry",
    "entry_content",
    "entry_hash",
    "verify_chain",
]


def entry_content(
    *,
    version: int,
    sequence: int | None,
    recorded_at: datetime,
    action: str,
    actor_id: int | None,
    actor: str,
    role: str,
    channel: str,
    ip_address: str,
    request_id: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    before: Any,
    after: Any,
    data: Any,
    previous_hash: str | None,
) -> dict[str, Any]:
    """The object whose canonical JSON an entry's hash covers (hash format version 1).

    ``sequence`` and ``previous_hash`` are None only for an entry not sealed yet, whose hash is not
    taken: the sealer fills both before hashing.
    """
    return {
        "v": version,
        "sequence": sequence,
        "recorded_at": format_instant(recorded_at),
        "action": action,
        "actor_id": actor_id,
        "actor": actor,
        "role": role,
        "channel": channel,
        "ip_address": ip_address,
        "request_id": request_id,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": before,
        "after": after,
        "data": data,
        "previous_hash": previous_hash,
    }


def entry_hash(content: Mapping[str, Any]) -> str:
    """The SHA-256 hex of an entry's content (``entry_content``)."""
    return sha256_hex(content)


class ProblemKind(StrEnum):
    CHANGED = "CHANGED"  # the entry's content does not match its stored hash
    LINK_BROKEN = "LINK_BROKEN"  # previous_hash is not the stored hash of the entry before
    MISSING = "MISSING"  # sequence numbers absent before this entry (deleted entries)
    OUT_OF_ORDER = "OUT_OF_ORDER"  # a sequence number not after the one before (inserted entry)
    UNKNOWN_VERSION = "UNKNOWN_VERSION"  # a hash format this checker does not know
    BEYOND_HEAD = "BEYOND_HEAD"  # entries after the chain head (inserted around audit_record)
    TRUNCATED = "TRUNCATED"  # the chain head names entries that are not there (deleted at the end)
    HEAD_MISMATCH = "HEAD_MISMATCH"  # the last entry's hash is not the one the chain head holds
    HEAD_MISSING = "HEAD_MISSING"  # entries exist but the chain head row does not
    ANCHOR_MISMATCH = "ANCHOR_MISMATCH"  # an entry's hash differs from one recorded outside the database
    ANCHOR_MISSING = "ANCHOR_MISSING"  # an anchored entry is not there
    ANCHOR_INVALID = "ANCHOR_INVALID"  # an anchor file whose signature does not hold


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the chain, at the entry with ``sequence`` (and database ``entry_id``)."""

    kind: ProblemKind
    sequence: int
    entry_id: int | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "sequence": self.sequence,
            "entry_id": self.entry_id,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as read back: its database id, its content (``entry_content``) and its stored hash."""

    entry_id: int | None
    content: Mapping[str, Any]
    entry_hash: str


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The sequence and hash of the last entry, kept apart from the entries."""

    sequence: int
    entry_hash: str


@dataclass(slots=True)
class ChainReport:
    """The result of ``verify_chain``: what was checked and every problem found (up to a limit)."""

    entries_checked: int = 0
    first_sequence: int | None = None
    last_sequence: int | None = None
    last_hash: str | None = None
    head: ChainHead | None = None
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    max_problems: int = 1000
    # Filled by the selector: the latest signed anchor checked against and how many were, and the
    # entries still waiting for the sealer (not yet chained, so not yet provable).
    anchor: dict[str, Any] | None = None
    anchors_checked: int = 0
    unsealed_entries: int = 0
    oldest_unsealed_at: str | None = None

    @property
    def ok(self) -> bool:
        return self.problems_total == 0

    @property
    def first_break(self) -> int | None:
        """The lowest sequence number at which something is wrong, or None for an intact chain."""
        return min((problem.sequence for problem in self.problems), default=None)

    def add(self, kind: ProblemKind, sequence: int, entry_id: int | None, detail: str) -> None:
        self.problems_total += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(kind, sequence, entry_id, detail))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries_checked": self.entries_checked,
            "first_sequence": self.first_sequence,
            "last_sequence": self.last_sequence,
            "last_hash": self.last_hash,
            "head": None if self.head is None else asdict(self.head),
            "first_break": self.first_break,
            "problems_total": self.problems_total,
            "problems": [problem.to_dict() for problem in self.problems],
            "anchor": self.anchor,
            "anchors_checked": self.anchors_checked,
            "unsealed_entries": self.unsealed_entries,
            "oldest_unsealed_at": self.oldest_unsealed_at,
        }


def verify_chain(
    entries: Iterable[StoredEntry],
    *,
    head: ChainHead | None,
    anchors: Mapping[int, str] | None = None,
    max_problems: int = 1000,
    after: ChainHead | None = None,
) -> ChainReport:
    """Check entries given in ascending ``sequence`` order against their hashes, links and the head.

    Each entry is checked on its own (its content against its hash) and against its predecessor's
    stored hash, so one altered entry is reported once, and a removed one as the gap and broken link
    where it was. ``anchors`` are ``{sequence: entry_hash}`` recorded outside the database earlier.
    ``after``: the entries given start after this point of a chain already proven (an anchor).
    """
    anchors = dict(anchors or {})
    report = ChainReport(head=head, max_problems=max_problems)
    previous_sequence, previous_hash, previous_id = 0, GENESIS_HASH, None
    if after is not None:
        previous_sequence, previous_hash = after.sequence, after.entry_hash
        anchored = anchors.pop(after.sequence, None)
        if anchored is not None and anchored != after.entry_hash:
            report.add(
                ProblemKind.ANCHOR_MISMATCH,
                after.sequence,
                None,
                f"sequence {after.sequence} has hash {after.entry_hash}, the anchor recorded {anchored}",
            )
    for entry in entries:
        sequence = entry.content["sequence"]
        report.entries_checked += 1
        if report.first_sequence is None:
            report.first_sequence = sequence
        if sequence <= previous_sequence:
            report.add(
                ProblemKind.OUT_OF_ORDER,
                sequence,
                entry.entry_id,
                f"sequence {sequence} follows sequence {previous_sequence} (entry id {previous_id}): "
                "an entry was inserted outside the audit service",
            )
        elif sequence > previous_sequence + 1:
            missing = (
                f"{previous_sequence + 1}"
                if sequence == previous_sequence + 2
                else f"{previous_sequence + 1}-{sequence - 1}"
            )
            report.add(
                ProblemKind.MISSING,
                previous_sequence + 1,
                entry.entry_id,
                f"sequence {missing} missing before sequence {sequence}: entries were deleted",
            )
        if entry.content.get("v") != HASH_VERSION:
            report.add(
                ProblemKind.UNKNOWN_VERSION,
                sequence,
                entry.entry_id,
                f"hash format version {entry.content.get('v')!r}; this checker knows {HASH_VERSION}",
            )
        else:
            computed = entry_hash(entry.content)
            if computed != entry.entry_hash:
                report.add(
                    ProblemKind.CHANGED,
                    sequence,
                    entry.entry_id,
                    f"sequence {sequence} was changed: its content hashes to {computed}, "
                    f"its stored hash is {entry.entry_hash}",
                )
        if entry.content["previous_hash"] != previous_hash:
            report.add(
                ProblemKind.LINK_BROKEN,
                sequence,
                entry.entry_id,
                f"chain broken between sequence {previous_sequence} and {sequence}: previous_hash is "
                f"{entry.content['previous_hash']}, the entry before has {previous_hash}",
            )
        anchored = anchors.pop(sequence, None)
        if anchored is not None and anchored != entry.entry_hash:
            report.add(
                ProblemKind.ANCHOR_MISMATCH,
                sequence,
                entry.entry_id,
                f"sequence {sequence} has hash {entry.entry_hash}, the anchor recorded {anchored}",
            )
        previous_sequence, previous_hash, previous_id = sequence, entry.entry_hash, entry.entry_id
        report.last_sequence, report.last_hash = sequence, entry.entry_hash

    _check_head(report, head, previous_sequence, previous_hash, previous_id)
    for sequence, anchored in sorted(anchors.items()):
        report.add(
            ProblemKind.ANCHOR_MISSING,
            sequence,
            None,
            f"anchored sequence {sequence} (hash {anchored}) is not in the log",
        )
    return report


def _check_head(
    report: ChainReport, head: ChainHead | None, last_sequence: int, last_hash: str, last_id: int | None
) -> None:
    if head is None:
        if last_sequence:
            report.add(
                ProblemKind.HEAD_MISSING,
                last_sequence,
                last_id,
                "the chain head row is missing: deletions at the end of the log cannot be ruled out",
            )
        return
    if head.sequence > last_sequence:
        report.add(
            ProblemKind.TRUNCATED,
            last_sequence + 1,
            None,
            f"the chain head is at sequence {head.sequence} but the log ends at {last_sequence}: "
            f"sequence {last_sequence + 1}-{head.sequence} deleted at the end",
        )
    elif head.sequence < last_sequence:
        report.add(
            ProblemKind.BEYOND_HEAD,
            head.sequence + 1,
            last_id,
            f"the log goes on to sequence {last_sequence} past the chain head at {head.sequence}: "
            "entries were inserted outside the audit service",
        )
    elif head.entry_hash != last_hash:
        report.add(
            ProblemKind.HEAD_MISMATCH,
            last_sequence,
            last_id,
            f"the last entry's hash {last_hash} is not the chain head's {head.entry_hash}",
        )
