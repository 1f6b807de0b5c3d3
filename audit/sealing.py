"""The sealer: it numbers and hashes, in id order, the entries that business transactions inserted
unchained (docs/AUDIT.md, "Sealing").
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

from audit.anchors import anchor_write_if_due
from audit.canonical import GENESIS_HASH
from audit.chain import entry_hash
from audit.models import AuditChainHead, AuditEntry
from audit.statements import prepared_cursor
from kartosfera import clock

__all__ = ["AuditChainHeadMissing", "SealResult", "audit_seal", "seal_after_commit", "seal_batch"]


class AuditChainHeadMissing(RuntimeError):
    """The chain head row is gone while entries exist: nothing is appended until it is investigated."""


@dataclass(frozen=True, slots=True)
class SealResult:
    """What one ``audit_seal`` run chained: how many entries, and the head it left."""

    sealed: int
    head_sequence: int
    head_hash: str


def audit_seal(*, now: datetime, batch_size: int | None = None) -> SealResult:
    """Chain every committed entry still unsealed, oldest id first, then anchor the head if due.

    The one sealer: each batch is a transaction holding the lock on the chain head row, which only
    sealers take, so sealers run one after another and business transactions never wait on them.
    Each entry gets the next sequence, the previous entry's hash and its own hash, written once (the
    PostgreSQL trigger allows exactly this fill of the three chain columns and nothing else).

    :raises AuditChainHeadMissing: the chain head row has been removed while entries wait to be sealed.
    """
    batch_size = batch_size or settings.KARTOSFERA_AUDIT_SEAL_BATCH
    total = 0
    # A dedicated sealer polls: with nothing waiting, one read of the unsealed index, no transaction
    # and no lock (docs/PERFORMANCE.md, "Audit log").
    pending = AuditEntry.objects.unsealed().exists()
    while pending:
        with transaction.atomic():
            chained = seal_batch(limit=batch_size)
        total += len(chained)
        pending = len(chained) == batch_size
    head = AuditChainHead.objects.filter(pk=1).first()
    result = SealResult(
        sealed=total,
        head_sequence=0 if head is None else head.sequence,
        head_hash=GENESIS_HASH if head is None else head.entry_hash,
    )
    if total:
        anchor_write_if_due(now=now)
    return result


def seal_batch(*, limit: int | None) -> list[AuditEntry]:
    """Inside a transaction: lock the chain head, chain up to ``limit`` unsealed entries, move the head."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if AuditEntry.objects.filter(sequence__isnull=False).exists():
            # Sealed entries and no head: either a concurrent sealer has just created the head of a new
            # log and sealed after this one looked, or the row was removed. Read it again to tell.
            head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
            if head is None:
                raise AuditChainHeadMissing(
                    "the audit chain head row is missing while entries exist; see docs/AUDIT.md"
                )
        else:
            # A new, empty log (the migration creates the row; a test database flush removes it).
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    pending = AuditEntry.objects.unsealed()
    entries = list(pending if limit is None else pending[:limit])
    if not entries:
        return []
    sequence, previous_hash = head.sequence, head.entry_hash
    for entry in entries:
        sequence += 1
        entry.sequence, entry.previous_hash = sequence, previous_hash
        entry.entry_hash = previous_hash = entry_hash(entry.hash_content())
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with prepared_cursor() as cursor:
        # One row at a time, in chain order: the PostgreSQL trigger checks each link against the row
        # sealed just before it (audit/migrations/0004).
        cursor.executemany(
            f"UPDATE {table} SET sequence = %s, previous_hash = %s, entry_hash = %s "  # noqa: S608
            "WHERE id = %s AND sequence IS NULL",
            [(entry.sequence, entry.previous_hash, entry.entry_hash, entry.pk) for entry in entries],
        )
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, entry_hash=previous_hash)
    return entries


def seal_after_commit() -> None:
    audit_seal(now=clock.now())
