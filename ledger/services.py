"""Writes of the ledger: entries written once per idempotency key, each with its core banking posting.

The ledger writes money; what the money is for, who may move it and how it is audited is the dispute
workflow's (``disputes.services._ledger`` audits what is written here).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from corebanking.services import postings_record
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind


class LedgerEntryConflict(Exception):
    """An entry collides with another one's natural key (a transaction refunded in another case)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry to write: transaction, kind, amount and the transaction's disputed amount."""

    transaction_id: int
    kind: LedgerKind
    amount: Decimal
    disputed_amount: Decimal
    chargeback_id: int | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """What ``ledger_entries_write`` did: every entry asked for, in order, and those it wrote now."""

    entries: list[LedgerEntry]
    new: list[LedgerEntry]


def idempotency_key(case_id: int, entry: Entry) -> str:
    """The natural key of a ledger entry: one of each kind per case and transaction (and chargeback)."""
    suffix = f":cb:{entry.chargeback_id}" if entry.chargeback_id else ""
    return f"case:{case_id}:tx:{entry.transaction_id}:{entry.kind}{suffix}"


def ledger_entries_write(entries: Iterable[tuple[Any, Entry, Any]], *, actor: Any, now: datetime) -> Written:
    """Write entries ``(case, entry, transition or None)`` in one insert, with their postings; an entry
    whose idempotency key exists is returned, not rewritten. Call inside the transaction that locks the
    cases. The case and the transition are the workflow's models (``disputes.Case``, ``CaseTransition``),
    typed loosely here because the ledger sits below the workflow and does not import it.

    A conflict on another key (the transaction was refunded provisionally in another case) refuses
    the whole write; the database's unique constraints are the last word, whatever the caller did.

    :raises LedgerEntryConflict:
    """
    keyed = {
        idempotency_key(case.pk, entry): (case, entry, transition) for case, entry, transition in entries
    }
    if not keyed:
        return Written([], [])
    existing = {e.idempotency_key: e for e in LedgerEntry.objects.filter(idempotency_key__in=list(keyed))}
    new = [
        LedgerEntry(
            case=case,
            transaction_id=entry.transaction_id,
            chargeback_id=entry.chargeback_id,
            kind=entry.kind,
            amount=entry.amount,
            disputed_amount=entry.disputed_amount,
            idempotency_key=key,
            transition=transition,
            actor=actor,
            created_at=now,
        )
        for key, (case, entry, transition) in keyed.items()
        if key not in existing
    ]
    if new:
        try:
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(new)
                # The transactional outbox of money out: each entry's posting to the core banking
                # system commits (or rolls back) with the entry itself (corebanking.services).
                postings_record(entries=new, now=now)
        except IntegrityError as exc:
            raise LedgerEntryConflict(str(exc)) from exc
        existing.update({entry.idempotency_key: entry for entry in new})
    return Written([existing[key] for key in keyed], new)


__all__ = ["Entry", "LedgerEntryConflict", "Written", "idempotency_key", "ledger_entries_write"]
