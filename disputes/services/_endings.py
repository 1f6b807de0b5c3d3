"""The end of a case: deemed accepted (REK-8), withdrawn, closed."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from disputes.models import (
    Case,
    CaseState,
    CaseTransaction,
    CaseTransition,
)
from disputes.rules import (
    MoneyMove,
    net_to_customer,
    settlement_moves,
    withdrawal_reversals,
)
from disputes.services._access import Actor, lock_case
from disputes.services._audit import CaseAudit, case_atomic
from disputes.services._core import (
    abandon_draft_chargebacks,
    apply_transition,
    close_links,
    record_transitions,
    run_transition,
)
from disputes.services._errors import (
    ReasonMissing,
)
from disputes.services._ledger import Entry, ledger_write_many
from disputes.services._money import MoneyResult, ledger_entries_of_kind, ledger_write_moves
from disputes.services._notify import notify_deemed_accepted
from disputes.services._text import case_text
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind


def case_deem_accepted(*, case_id: int, actor: Actor, now: datetime) -> MoneyResult:
    """REK-8: the reply deadline passed without a dispatched reply; the claim is resolved for the customer.

    The acceptance path starts at once: everything disputed that is not refunded is refunded, and
    nothing is ever recovered. Run by the sweep (actor None) or a supervisor. Safe to repeat.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ReplyDeadlineNotPassed: :raises ReplyAlreadyDispatched:
    """
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if case.state == CaseState.DEEMED_ACCEPTED:
            return MoneyResult(case, ledger_entries_of_kind(case, LedgerKind.FINAL_REFUND), created=False)
        [result] = deem_accepted_locked([case], actor=actor, now=now, audit=audit)
    return result


_DEEMED_FIELDS = ["state", "outcome", "deemed_accepted_at", "resume_state", "updated_at"]


def deem_accepted_locked(
    cases: list[Case], *, actor: Actor, now: datetime, audit: CaseAudit
) -> list[MoneyResult]:
    """Deem accepted (REK-8) cases the caller has locked, a few queries for the whole batch.

    The one implementation behind ``case_deem_accepted`` and the sweep: each case is checked by its
    transition's guards, and ends with everything disputed refunded (FINAL_REFUND) and its letter queued.

    :raises InvalidCaseState, ActionNotPermitted, ReplyDeadlineNotPassed, ReplyAlreadyDispatched:
    """
    ids = [case.pk for case in cases]
    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for case_id, tx, amount in CaseTransaction.objects.filter(case_id__in=ids).values_list(
        "case_id", "transaction_id", "amount"
    ):
        amounts[case_id][tx] = amount
    paid: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for case_id, tx, kind, amount in LedgerEntry.objects.filter(case_id__in=ids).values_list(
        "case_id", "transaction_id", "kind", "amount"
    ):
        paid[case_id].append((tx, kind, amount))
    applied, moves_of = [], {}
    for case in cases:
        owed = amounts[case.pk]
        # Deemed accepted: the customer gets back everything disputed, whatever was decided before.
        moves = settlement_moves(amounts=owed, targets=owed, net=net_to_customer(paid[case.pk]))
        data = {
            "reply_due_on": case.reply_due_on.isoformat() if case.reply_due_on else None,
            "reply_rule": case.reply_rule,
            "deemed": True,
            "refunded_now": {str(m.key): str(m.amount) for m in moves},
        }
        applied.append(
            apply_transition(
                case,
                "deem_accepted",
                case=case,
                actor=actor,
                now=now,
                reason="REK-8",
                data=data,
                letter_context=data,
            )
        )
        case.updated_at = now
        moves_of[case.pk] = moves
        notify_deemed_accepted(case, now=now)
    Case.objects.bulk_update(cases, _DEEMED_FIELDS)
    rows = record_transitions(applied, audit=audit)
    entries = ledger_write_many(
        [
            (item.case, Entry(m.key, m.kind, m.amount, amounts[item.case.pk][m.key]), row)
            for item, row in zip(applied, rows, strict=True)
            for m in moves_of[item.case.pk]
        ],
        actor=actor,
        now=now,
        audit=audit,
    )
    return [MoneyResult(case, [e for e in entries if e.case_id == case.pk], created=True) for case in cases]


def _refunds_reversed_in_full(case: Case, reversals: list[MoneyMove[int]]) -> dict[int, LedgerEntry]:
    """The case's provisional refunds that ``reversals`` undo whole, by transaction."""
    undone = {move.key: move.amount for move in reversals}
    return {
        refund.transaction_id: refund
        for refund in case.ledger_entries.filter(kind=LedgerKind.PROVISIONAL_REFUND, reversed_by=None)
        if undone.get(refund.transaction_id) == refund.amount
    }


def case_withdraw(*, case_id: int, reason: str, actor: Actor, now: datetime) -> MoneyResult:
    """The customer withdraws the claim: its transactions are released and a refund made is reversed.

    A provisional refund reversed in full is marked so (``reversed_by``): it no longer holds its
    transaction, which a new claim may then dispute and have refunded again. Chargebacks not yet
    filed are dropped; filed ones stay to be resolved with the acquirer.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: :raises InformationMissing: no reason.
    :raises CaseTextTooLong: a reason longer than the case's history holds.
    """
    reason = case_text(CaseTransition, "reason", reason.strip())
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if not reason:
            raise ReasonMissing("no reason")
        net = net_to_customer(case.ledger_entries.values_list("transaction_id", "kind", "amount"))
        reversals = withdrawal_reversals(net)
        refunds = _refunds_reversed_in_full(case, reversals)
        row = run_transition(
            case,
            "withdraw",
            case=case,
            actor=actor,
            now=now,
            reason=reason,
            data={
                "reversed": {str(m.key): str(m.amount) for m in reversals},
                "reversed_refunds": sorted(refund.pk for refund in refunds.values()),
            },
            audit=audit,
        )
        entries = ledger_write_moves(case, reversals, transition=row, actor=actor, now=now, audit=audit)
        for entry in entries:
            refund = refunds.get(entry.transaction_id)
            if refund is not None:
                refund.reversed_by = entry
                refund.save(update_fields=["reversed_by"])
        close_links(case)
        abandon_draft_chargebacks(case, actor=actor, now=now, reason="claim withdrawn", audit=audit)
    return MoneyResult(case, entries, created=True)


def case_close(*, case_id: int, actor: Actor, now: datetime) -> Case:
    """Close a decided case whose money is settled and whose chargebacks are finished.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ReplyNotDispatched: :raises MoneyNotSettled: :raises ChargebacksPending:
    """
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        net = net_to_customer(case.ledger_entries.values_list("transaction_id", "kind", "amount"))
        run_transition(
            case,
            "close",
            case=case,
            actor=actor,
            now=now,
            data={"net_refunded": {str(k): str(v) for k, v in sorted(net.items())}},
            audit=audit,
        )
        close_links(case)
    return case


__all__ = ["case_close", "case_deem_accepted", "case_withdraw", "deem_accepted_locked"]
