"""The money of a case: the D+1 refund or its withholding, its four-eyes limit, and the ledger moves."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from disputes.models import (
    Case,
    CaseTransition,
    DecisionProposal,
    ProposalKind,
    ProposalStatus,
    refund_four_eyes_limit,
)
from disputes.rules import (
    MoneyMove,
    may_approve,
    refund_needs_second_person,
)
from disputes.selectors import postings_confirmed_at, refund_made_at
from disputes.services._access import Actor, lock_case, require_staff
from disputes.services._audit import CaseAudit, case_atomic
from disputes.services._core import (
    run_transition,
)
from disputes.services._errors import (
    EstimateNotReady,
    FourEyesRequired,
    LawEnforcementNoticeDateInvalid,
    LawEnforcementNoticeDetailsMissing,
    RefundAmountChanged,
    WithholdingGroundsMissing,
)
from disputes.services._ledger import Entry, ledger_write
from disputes.services._notify import TOLD_WHEN_CONFIRMED
from disputes.services._text import case_text
from kartosfera.authz import APPROVE_DECISION, HANDLE_CASE
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO
from kartosfera.policies import current_policies
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind


@dataclass(frozen=True, slots=True)
class MoneyResult:
    """A case after a money step, the ledger entries of that step, and whether this call wrote them."""

    case: Case
    entries: list[LedgerEntry]
    created: bool


def _amounts(case: Case) -> dict[int, Decimal]:
    return {link.transaction_id: link.amount for link in case.disputed.all()}


def ledger_entries_of_kind(case: Case, kind: str) -> list[LedgerEntry]:
    """The case's ledger entries of ``kind``, by transaction."""
    return list(case.ledger_entries.filter(kind=kind).order_by("transaction_id"))


def _refund_policy() -> str:
    return current_policies().refund_policy


def refund_four_eyes_amount(*, case: Case) -> Decimal:
    """The amount the four-eyes limit weighs for the D+1 refund: what it credits under ``REFUND_POLICY``."""
    return case.provisional_refund_total(_refund_policy())


def refund_needs_approval(*, case: Case) -> bool:
    """Whether what the D+1 refund of this case credits exceeds the four-eyes limit."""
    return refund_needs_second_person(
        amount=refund_four_eyes_amount(case=case), limit=refund_four_eyes_limit()
    )


def require_approval(
    case: Case, *, kind: str, actor: Actor, approval: DecisionProposal | None
) -> DecisionProposal:
    """Refuse a four-eyes step unless it runs as the approval of someone else's proposal.

    ``approval`` must be this case's proposal of this kind, already marked approved (in this
    transaction) by ``actor``, a supervisor who is not its proposer; the row is read again from the
    database, so an object built by the caller proves nothing. Returns that row: what was approved.

    :raises FourEyesRequired:
    """
    if approval is None or actor is None or approval.pk is None or not actor.has_perm(APPROVE_DECISION):
        raise FourEyesRequired(f"{kind} on case {case.pk} without an approval")
    approved = DecisionProposal.objects.filter(
        pk=approval.pk, case=case, kind=kind, status=ProposalStatus.APPROVED, decided_by=actor
    ).first()
    if approved is None or not may_approve(
        approver_id=actor.pk, proposer_id=approved.proposed_by_id, holds_approval=True
    ):
        raise FourEyesRequired(f"proposal {approval.pk} does not approve {kind} on {case.pk} by {actor.pk}")
    return approved


def case_refund_provisionally(
    *, case_id: int, actor: Actor, now: datetime, approval: DecisionProposal | None = None
) -> MoneyResult:
    """Make the D+1 refund (`UUP-46-1`) of every transaction reported in time, once.

    Above ``KARTOSFERA_FOUR_EYES_REFUND_ABOVE`` only as the ``approval`` of a REFUND proposal
    (``proposal_approve``).

    Policy REFUND_POLICY: FULL_THEN_RECOVER refunds the whole amount, NET_OF_CAP the bank's share of
    the latest estimate. Safe to repeat: once made, another call (a double click, a retried task, a
    concurrent worker) returns the entries already written and writes nothing.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises RefundNotOwed: every transaction was reported after its 13-month window.
    :raises EstimateNotReady: NET_OF_CAP and the estimate waits for a rate.
    :raises TransactionAlreadyRefunded: a transaction has an outstanding refund in another claim (one
        reversed when that claim was withdrawn does not count).
    :raises FourEyesRequired: above the limit without an approval by a second person.
    :raises RefundAmountChanged: under an approval, what is due now is not the amount approved (the
        estimate was completed or redone, or the policy changed since the proposal): nothing is
        credited; the proposal is returned and made again on the current figure.
    """
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        require_staff(actor, HANDLE_CASE)
        if case.refunded_at is not None:
            return MoneyResult(
                case, ledger_entries_of_kind(case, LedgerKind.PROVISIONAL_REFUND), created=False
            )
        approved = None
        if approval is not None or refund_needs_approval(case=case):
            approved = require_approval(case, kind=ProposalKind.REFUND, actor=actor, approval=approval)
        amounts = {link.transaction_id: link.amount for link in case.disputed.all()}
        policy = _refund_policy()
        refunds = case.provisional_refunds_due(policy)
        if refunds is None:
            raise EstimateNotReady(f"estimate {case.estimate_status}")
        total = sum(refunds.values(), ZERO)
        if approved is not None and total != Decimal(approved.data["amount"]):
            # The supervisor approved a figure: credit exactly it, or nothing (propose again).
            raise RefundAmountChanged(
                f"proposal {approved.pk}: {approved.data['amount']} approved, {total} due"
            )
        row = run_transition(
            case,
            "refund_provisionally",
            case=case,
            actor=actor,
            now=now,
            data={"policy": policy, "refunds": {str(k): str(v) for k, v in refunds.items()}},
            letter_context={"policy": policy, "total": str(total)},
            audit=audit,
        )
        entries = ledger_write(
            case,
            [Entry(tx, LedgerKind.PROVISIONAL_REFUND, amount, amounts[tx]) for tx, amount in refunds.items()],
            transition=row,
            actor=actor,
            now=now,
            audit=audit,
        )
        # The customer is told of the refund when the core system confirms its credits, not here
        # (``case_record_step_confirmation``): booked is not yet credited, and a credit may be refused.
        if not any(entry.amount > 0 for entry in entries):
            # No credit for the core system to confirm: the refund is made as it is recorded.
            case.refund_confirmed_at = now
            case.save(update_fields=["refund_confirmed_at"])
    return MoneyResult(case, entries, created=True)


def case_record_refund_confirmation(*, case_id: int, now: datetime) -> Case:
    """The core system confirmed a provisional refund credit of the case: once it has confirmed every
    positive one, the D+1 refund is made, at the last confirmation (``Case.refund_confirmed_at``,
    docs/WORKFLOW.md "When the D+1 refund is made"). Called by the ``posting_confirmed`` receiver
    inside the confirmation's transaction; safe to repeat (a time once set is kept).

    The case is locked first, so of two credits confirmed at once the second to commit sees the
    first's confirmation and sets the time.

    :raises CaseNotFound:
    """
    with case_atomic():
        case = lock_case(case_id, None)
        if case.refunded_at is None or case.refund_confirmed_at is not None:
            return case
        entries = case.ledger_entries.filter(kind=LedgerKind.PROVISIONAL_REFUND).select_related("posting")
        made_at = refund_made_at(entries)
        if made_at is not None:
            case.refund_confirmed_at = made_at
            case.save(update_fields=["refund_confirmed_at"])
    return case


def case_record_step_confirmation(*, ledger_entry_id: int, now: datetime) -> bool:
    """The core system confirmed the posting of a ledger entry: once it has confirmed every posting of
    that entry's step (the case's entries of its kind written by the same transition), tell the customer
    of the step's total, dated ``now`` (``TOLD_WHEN_CONFIRMED``: the D+1 refund credited, or money taken
    back, a withdrawn claim's refund reversed or the customer's share recovered). Returns whether the
    customer was told now; an entry of any other kind is ignored.

    Called by the ``posting_confirmed`` receiver inside the confirmation's transaction, which happens
    once per posting (a confirmed posting is never sent again, and a rolled-back confirmation takes the
    message with it), so each step is told exactly once; a posting refused or not yet confirmed is never
    told. The case is locked first, so of two postings confirmed at once only the second to commit sees
    both confirmed and tells.

    :raises CaseNotFound:
    """
    entry = LedgerEntry.objects.filter(
        pk=ledger_entry_id, kind__in=list(TOLD_WHEN_CONFIRMED), amount__gt=0
    ).first()
    if entry is None:
        return False
    with case_atomic():
        case = lock_case(entry.case_id, None)
        # A zero entry (no share to credit under NET_OF_CAP) has no posting: nothing of it to confirm.
        step = list(
            case.ledger_entries.filter(
                kind=entry.kind, transition_id=entry.transition_id, amount__gt=0
            ).select_related("posting")
        )
        if postings_confirmed_at(step) is None:
            return False
        TOLD_WHEN_CONFIRMED[entry.kind](case, step, now=now)
    return True


def case_withhold_refund(
    *,
    case_id: int,
    grounds: str,
    authority: str,
    notified_on: date | None,
    notice_reference: str,
    actor: Actor,
    now: datetime,
) -> Case:
    """Withhold the D+1 refund under the fraud exception (`UUP-46-1-FRAUD`).

    Only with justified, documented grounds to suspect fraud by the customer, the written notice to
    law enforcement attached to the case (evidence LAW_ENFORCEMENT_NOTICE), and before the refund
    deadline ends. The analyst names the authority notified, the date of the written notice and its
    reference: the letter to the customer states exactly those. Needs ``disputes.approve_decision``.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises WithholdingGroundsMissing: :raises LawEnforcementNoticeMissing:
    :raises LawEnforcementNoticeDetailsMissing: :raises LawEnforcementNoticeDateInvalid: a future date.
    :raises RefundDeadlinePassed: :raises RefundNotOwed: :raises RefundAlreadyMade:
    :raises CaseTextTooLong: grounds longer than the case holds.
    """
    grounds = case_text(Case, "refund_withheld_grounds", grounds.strip(), field="reason")
    authority, notice_reference = authority.strip(), notice_reference.strip()
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if not grounds:
            raise WithholdingGroundsMissing("no grounds")
        if not authority or notified_on is None or not notice_reference:
            raise LawEnforcementNoticeDetailsMissing("authority, date and reference of the notice")
        today = warsaw_date(now)
        if notified_on > today:
            raise LawEnforcementNoticeDateInvalid(f"notice dated {notified_on}, today is {today}")
        notices = list(case.evidence.filter(kind="LAW_ENFORCEMENT_NOTICE").values_list("pk", "sha256"))
        notice = {
            "authority": authority,
            "notified_on": notified_on.isoformat(),
            "reference": notice_reference,
        }
        run_transition(
            case,
            "withhold_refund",
            case=case,
            actor=actor,
            now=now,
            reason=grounds,
            grounds=grounds,
            data={
                "law_enforcement_notices": [{"evidence": pk, "sha256": sha} for pk, sha in notices],
                "law_enforcement": notice,
            },
            letter_context={"grounds": grounds, "law_enforcement": notice},
            audit=audit,
        )
    return case


def ledger_write_moves(
    case: Case,
    moves: list[MoneyMove[int]],
    *,
    transition: CaseTransition | None,
    actor: Actor,
    now: datetime,
    audit: CaseAudit,
) -> list[LedgerEntry]:
    """Write a step's money moves as the case's ledger entries (audited), each with its disputed amount."""
    amounts = _amounts(case)
    return ledger_write(
        case,
        [Entry(move.key, move.kind, move.amount, amounts[move.key]) for move in moves],
        transition=transition,
        actor=actor,
        now=now,
        audit=audit,
    )


__all__ = [
    "MoneyResult",
    "case_record_refund_confirmation",
    "case_record_step_confirmation",
    "case_refund_provisionally",
    "case_withhold_refund",
    "ledger_entries_of_kind",
    "ledger_write_moves",
    "refund_four_eyes_amount",
    "refund_four_eyes_limit",
    "refund_needs_approval",
    "require_approval",
]
