"""The case's money: the ledger's entries (``ledger.services``) written for a case and audited with it."""

from collections.abc import Iterable
from datetime import datetime

from audit import actions
from disputes.models import Case, CaseTransition
from disputes.services._access import Actor
from disputes.services._audit import CaseAudit
from disputes.services._errors import TransactionAlreadyRefunded
from ledger.models import LedgerEntry
from ledger.services import Entry, LedgerEntryConflict, ledger_entries_write


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
    wanted = list(entries)
    try:
        written = ledger_entries_write(wanted, actor=actor, now=now)
    except LedgerEntryConflict as exc:
        # Only another case's entry can collide here (these cases are locked): refuse the step.
        raise TransactionAlreadyRefunded(str(exc)) from exc
    if written.new:
        cases = {case.pk: case for case, _entry, _row in wanted}
        # A take-back is told to the customer when the core system confirms its debits, not here
        # (``case_record_step_confirmation``): booked is not yet taken, and a debit may be refused.
        _queue_ledger(audit, written.new, cases=cases, actor=actor, now=now)
    return written.entries


def _queue_ledger(
    audit: CaseAudit, new: list[LedgerEntry], *, cases: dict[int, Case], actor: Actor, now: datetime
) -> None:
    """Audit new ledger entries: in the entry of the transition they belong to, else one per case."""
    joined: dict[int, list[LedgerEntry]] = {}
    for entry in new:
        joined.setdefault(entry.case_id, []).append(entry)
    for case_id, entries in joined.items():
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
                case=cases[case_id],
                actor=actor,
                now=now,
                data={"ledger": lines},
            )


__all__ = ["Entry", "ledger_write", "ledger_write_many"]
