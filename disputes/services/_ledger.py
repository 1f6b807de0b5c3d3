"""The case's money: ledger entries written once per idempotency key, posted and audited with them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from audit import actions
from corebanking.services import postings_record
from disputes.models import Case, CaseTransition, LedgerEntry
from disputes.rules import LedgerKind
from disputes.services._access import Actor
from disputes.services._audit import CaseAudit
from disputes.services._errors import TransactionAlreadyRefunded


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry to write: transaction, kind, amount and the transaction's disputed amount."""

    transaction_id: int
    kind: LedgerKind
    amount: Decimal
    disputed_amount: Decimal
    chargeback_id: int | None = None


def idempotency_key(case_id: int, entry: Entry) -> str:
    """The natural key of a ledger entry: one of each kind per case and transaction (and chargeback)."""
    suffix = f":cb:{entry.chargeback_id}" if entry.chargeback_id else ""
    return f"case:{case_id}:tx:{entry.transaction_id}:{entry.kind}{suffix}"


def ledger_write(
    case: Case,
    entries: Iterable[Entry],
    *,
    transition: CaseTransition | None,
    actor: Actor,
    now: datetime,
    audit: CaseAudit,
) -> list[LedgerEntry]:
    """Write ledger entries of one case; an entry whose idempotency key exists is returned, not rewritten.

    :raises TransactionAlreadyRefunded:
    """
    return ledger_write_many(
        [(case, entry, transition) for entry in entries], actor=actor, now=now, audit=audit
    )


def ledger_write_many(
    entries: Iterable[tuple[Case, Entry, CaseTransition | None]],
    *,
    actor: Actor,
    now: datetime,
    audit: CaseAudit,
) -> list[LedgerEntry]:
    """Write ledger entries of locked cases in one insert; those whose idempotency key exists are returned.

    A conflict on another key (the transaction was refunded provisionally in another case) refuses
    the whole step; the database's unique constraints are the last word, whatever the caller did.

    :raises TransactionAlreadyRefunded:
    """
    keyed = {
        idempotency_key(case.pk, entry): (case, entry, transition) for case, entry, transition in entries
    }
    if not keyed:
        return []
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
            # Only another case's entry can collide here (these cases are locked): refuse the step.
            raise TransactionAlreadyRefunded(str(exc)) from exc
        existing.update({entry.idempotency_key: entry for entry in new})
        _queue_ledger(audit, new, actor=actor, now=now)
    return [existing[key] for key in keyed]


def _queue_ledger(audit: CaseAudit, new: list[LedgerEntry], *, actor: Actor, now: datetime) -> None:
    """Audit new ledger entries: in the entry of the transition they belong to, else one per case."""
    joined: dict[int, list[LedgerEntry]] = {}
    for entry in new:
        joined.setdefault(entry.case_id, []).append(entry)
    for entries in joined.values():
        lines = [
            {
                "id": entry.pk,
                "kind": entry.kind,
                "transaction": entry.transaction_id,
                "chargeback": entry.chargeback_id,
                "amount": entry.amount,
                "currency": "PLN",
                "idempotency_key": entry.idempotency_key,
                "transition_id": entry.transition_id,
            }
            for entry in entries
        ]
        transition_id = entries[0].transition_id
        same = all(entry.transition_id == transition_id for entry in entries)
        pending = audit.queued_for_transition(transition_id) if transition_id and same else None
        if pending is not None:
            pending.data["ledger"] = pending.data.get("ledger", []) + lines
        else:
            audit.queue(
                actions.CASE_LEDGER_WRITTEN,
                case=entries[0].case,
                actor=actor,
                now=now,
                data={"ledger": lines},
            )
