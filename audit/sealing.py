"""The sealer: it numbers and hashes, in id order, the entries that business transactions inserted
unchained (docs/AUDIT.md, "Sealing").
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from audit.anchors import anchor_write_if_due
from audit.canonical import GENESIS_HASH
from audit.chain import entry_hash
from audit.models import HASHED_FIELDS, AuditChainHead, AuditEntry, hashed_content
from audit.statements import prepared_cursor
from kartosfera import clock

__all__ = [
    "AuditChainHeadMissing",
    "SealResult",
    "SealedLink",
    "audit_seal",
    "seal_after_commit",
    "seal_batch",
]


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
    PostgreSQL triggers allow exactly this fill of the three chain columns and nothing else).

    :raises AuditChainHeadMissing: the chain head row has been removed while entries wait to be sealed.
    """
    batch_size = batch_size or settings.KARTOSFERA_AUDIT_SEAL_BATCH
    total = 0
    # A dedicated sealer polls: with nothing waiting, one read of the unsealed index, no transaction
    # and no lock (docs/PERFORMANCE.md, "Audit log").
    waiting = f"SELECT 1 FROM {_table(AuditEntry)} WHERE sequence IS NULL LIMIT 1"  # noqa: S608
    pending = _first_row(waiting) is not None
    last: SealedLink | None = None
    while pending:
        with transaction.atomic():
            chained = seal_batch(limit=batch_size)
        total += len(chained)
        pending = len(chained) == batch_size
        last = chained[-1] if chained else last
    if last is None:
        head = _first_row(f"SELECT sequence, entry_hash FROM {_table(AuditChainHead)} WHERE id = 1")  # noqa: S608
        return SealResult(
            sealed=0,
            head_sequence=0 if head is None else head[0],
            head_hash=GENESIS_HASH if head is None else head[1],
        )
    # The head this run left is the last entry it chained: no need to read it back.
    anchor_write_if_due(now=now)
    return SealResult(sealed=total, head_sequence=last.sequence, head_hash=last.entry_hash)


@dataclass(frozen=True, slots=True)
class SealedLink:
    """What the sealer gave one entry: its sequence, the previous entry's hash and its own."""

    pk: int
    sequence: int
    previous_hash: str
    entry_hash: str


def seal_batch(*, limit: int | None) -> list[SealedLink]:
    """Inside a transaction: lock the chain head, chain up to ``limit`` unsealed entries, move the head.

    It reads only the hashed columns of the entries waiting (no model instances) and fills the chain
    columns of the whole batch with one UPDATE, which PostgreSQL's triggers check once for the
    statement (audit/migrations/0009).
    """
    sequence, previous_hash = _locked_head()
    pending = AuditEntry.objects.unsealed().values_list("pk", *HASHED_FIELDS)
    rows = list(pending if limit is None else pending[:limit])
    if not rows:
        return []
    links: list[SealedLink] = []
    for entry_id, *values in rows:
        sequence += 1
        digest = entry_hash(hashed_content(values, sequence=sequence, previous_hash=previous_hash))
        links.append(SealedLink(entry_id, sequence, previous_hash, digest))
        previous_hash = digest
    _fill_chain_columns(links)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(AuditChainHead)} SET sequence = %s, entry_hash = %s WHERE id = 1",  # noqa: S608
            [sequence, previous_hash],
        )
    return links


def _locked_head() -> tuple[int, str]:
    """Lock the chain head row (only sealers take it) and return its sequence and hash.

    :raises AuditChainHeadMissing: the row is gone while sealed entries exist.
    """
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    row = _first_row(f"SELECT sequence, entry_hash FROM {_table(AuditChainHead)} WHERE id = 1{lock}")  # noqa: S608
    if row is not None:
        return row[0], row[1]
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
    return head.sequence, head.entry_hash


# The sealer's own statements in raw SQL, prepared on PostgreSQL: it runs them at every poll, and the
# ORM's compilation of each cost several times the statement (docs/PERFORMANCE.md, "Audit log").
def _first_row(sql: str) -> tuple[Any, ...] | None:
    with prepared_cursor() as cursor:
        cursor.execute(sql)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fill_chain_columns(links: list[SealedLink]) -> None:
    """Write the chain columns of the entries just chained: one statement for the batch on PostgreSQL."""
    table = _table(AuditEntry)
    with prepared_cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement whatever the batch's length, planned once. Each column travels as one text
            # parameter split in the database: digits and hex need no quoting, and psycopg's adaptation
            # of Python lists, element by element, cost more than the rest of the statement.
            cursor.execute(
                f"UPDATE {table} AS entry SET sequence = link.sequence, "  # noqa: S608
                "previous_hash = link.previous_hash, entry_hash = link.entry_hash "
                "FROM unnest(string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')::bigint[], "
                "string_to_array(%s, ','), string_to_array(%s, ',')) "
                "AS link (id, sequence, previous_hash, entry_hash) "
                "WHERE entry.id = link.id AND entry.sequence IS NULL",
                [
                    ",".join([str(link.pk) for link in links]),
                    ",".join([str(link.sequence) for link in links]),
                    ",".join([link.previous_hash for link in links]),
                    ",".join([link.entry_hash for link in links]),
                ],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET sequence = %s, previous_hash = %s, entry_hash = %s "  # noqa: S608
                "WHERE id = %s AND sequence IS NULL",
                [(link.sequence, link.previous_hash, link.entry_hash, link.pk) for link in links],
            )


def seal_after_commit() -> None:
    audit_seal(now=clock.now())
