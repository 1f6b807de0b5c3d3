"""The decision on the analyst's assessment, the reply's dispatch, the recovery of the customer's share."""

from datetime import datetime
from typing import Any

from disputes.models import (
    Case,
    CaseState,
    CaseTransition,
    DecisionProposal,
    LiabilityAssessment,
    ProposalKind,
)
from disputes.rules import (
    DECISION_LETTERS,
    LetterType,
    MoneyMove,
    Outcome,
    moves_total,
    outcome_for,
)
from disputes.services._access import Actor, lock_case, require_staff
from disputes.services._audit import case_atomic
from disputes.services._core import (
    run_transition,
)
from disputes.services._errors import (
    AssessmentMissing,
    CustomerGroundsMissing,
    InvalidClaim,
    ProposalOutdated,
    ReplyLetterStale,
)
from disputes.services._money import MoneyResult, ledger_entries_of_kind, ledger_write_moves, require_approval
from disputes.services._notify import notify_decision
from disputes.services._text import case_text
from kartosfera.authz import HANDLE_CASE
from ledger.rules import LedgerKind


def case_decide(
    *,
    case_id: int,
    actor: Actor,
    now: datetime,
    reason: str = "",
    customer_grounds: str = "",
    approval: DecisionProposal | None = None,
) -> MoneyResult:
    """Decide the claim on the latest analyst assessment; the outcome follows from its shares.

    ``reason`` is the staff's internal note; ``customer_grounds`` the factual grounds written for the
    customer, which the decision letter states (required unless the claim is accepted in full).

    A rejection takes effect only as the ``approval`` of a DECISION proposal (``proposal_approve``);
    an approved proposal decides on the assessment it was proposed on.

    The bank's share is what the customer finally gets back. What is still owed is refunded at once
    (the acceptance path); a provisional refund above it is recovered only after the decision letter
    is dispatched (``case_recover_customer_share``). Queues the decision letter.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises AssessmentMissing: no analyst assessment stored. :raises RefundQuestionOpen: the D+1
        refund is neither made nor withheld. :raises ReplyDeadlinePassed: too late (REK-8 applies).
    :raises FourEyesRequired: a rejection without an approval by a second person.
    :raises ProposalOutdated: the approved proposal was made on an earlier assessment.
    :raises CustomerGroundsMissing: not accepted in full, and no grounds written for the customer.
    :raises CaseTextTooLong: a reason longer than the case's history holds.
    """
    reason = case_text(CaseTransition, "reason", reason.strip())
    customer_grounds = customer_grounds.strip()
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        assessment = (
            case.assessments.filter(kind=LiabilityAssessment.Kind.ANALYST)
            .order_by("-created_at", "-pk")
            .first()
        )
        outcome = (
            outcome_for(customer_total=assessment.customer_total, bank_total=assessment.bank_total)
            if assessment is not None
            else ""
        )
        if outcome == Outcome.REJECTED or approval is not None:
            require_approval(case, kind=ProposalKind.DECISION, actor=actor, approval=approval)
        proposed_on = approval.data.get("assessment") if approval is not None else None
        if approval is not None and assessment is not None and proposed_on != assessment.pk:
            raise ProposalOutdated(f"proposal {approval.pk} on assessment {proposed_on}")
        data: dict[str, Any] = {}
        moves: list[MoneyMove[int]] = []

        def decided() -> None:
            if assessment is None:  # the guard ``has_analyst_assessment`` refused it first
                raise AssessmentMissing("decide")
            if outcome != Outcome.ACCEPTED and not customer_grounds:
                raise CustomerGroundsMissing(f"{outcome} without grounds for the customer")
            case.decision_assessment = assessment
            case.customer_share, case.bank_share = assessment.customer_total, assessment.bank_total
            moves.extend(case.settlement_moves())
            data.update(
                outcome=outcome,
                assessment=assessment.pk,
                customer_share=str(assessment.customer_total),
                bank_share=str(assessment.bank_total),
                refunded_now=str(moves_total(moves, LedgerKind.FINAL_REFUND)),
                to_recover=str(moves_total(moves, LedgerKind.RECOVERY)),
                rules=[line["rule"] for line in assessment.result["lines"]],
                reason=reason,
                grounds=customer_grounds,
            )

        row = run_transition(
            case,
            "decide",
            case=case,
            actor=actor,
            now=now,
            reason=reason,
            outcome=outcome,
            apply=decided,
            data=data,
            letter_context=data,
            audit=audit,
        )
        # The acceptance path: what the customer is still owed is refunded at once.
        refunds = [move for move in moves if move.kind == LedgerKind.FINAL_REFUND]
        entries = ledger_write_moves(case, refunds, transition=row, actor=actor, now=now, audit=audit)
        notify_decision(case, outcome, now=now)
    return MoneyResult(case, entries, created=True)


def reply_letter_type(case: Case) -> str:
    """The letter that tells the customer the case's current outcome: the REK-8 notice once deemed."""
    if case.state == CaseState.DEEMED_ACCEPTED:
        return LetterType.DEEMED_ACCEPTED
    return DECISION_LETTERS[Outcome(case.outcome)] if case.outcome else ""


def case_dispatch_reply(
    *,
    case_id: int,
    letter_id: int,
    channel: str,
    dispatched_at: datetime,
    actor: Actor,
    now: datetime,
    letter_type: str = "",
) -> Case:
    """Record on the case that its decision letter ``letter_id`` left the bank by ``channel``.

    The one caller is the letters app, through the outbox (``disputes.tasks.record_reply_dispatched``),
    once the channel that sent the letter recorded its dispatch: the e-mail left, or the print batch
    was marked posted. Dispatch before the end of the due date is what counts (REK-6); a later one is
    recorded as it happened, the reply is late and the case is deemed accepted (REK-8).
    ``dispatched_at`` may be before ``now``.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: :raises InvalidClaim: in the future.
    Only the letter matching the case's current outcome counts (``letter_type``, when the letters app
    gives it): the DEEMED_ACCEPTED notice once the case is deemed accepted, else the DECISION_<outcome>
    letter. A stale decision letter is refused.

    :raises ReplyAlreadyDispatched: :raises ReplyLetterStale:
    """
    if dispatched_at > now:
        raise InvalidClaim("dispatched_at is in the future", problem="dispatched_at")
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        expected = reply_letter_type(case)
        if letter_type and letter_type != expected:
            raise ReplyLetterStale(f"{letter_type} on case {case.pk}, whose reply is {expected}")
        run_transition(
            case,
            "dispatch_reply",
            case=case,
            actor=actor,
            now=dispatched_at,
            data={
                "letter": letter_id,
                "channel": channel,
                "dispatched_at": dispatched_at.isoformat(),
                "recorded_at": now.isoformat(),
                "in_time": case.reply_due_at is not None and dispatched_at < case.reply_due_at,
            },
            audit=audit,
        )
    return case


def case_recover_customer_share(
    *, case_id: int, actor: Actor, now: datetime, approval: DecisionProposal | None = None
) -> MoneyResult:
    """Recover the customer's share refunded provisionally (FULL_THEN_RECOVER), after the final decision.

    Takes effect only as the ``approval`` of a RECOVERY proposal (``proposal_approve``).

    Only once the decision letter stating the amount and its reason was dispatched. Safe to repeat:
    after the recovery, another call returns the entries already written.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ReplyNotDispatched: :raises RecoveryTooEarly: :raises NothingToRecover:
    :raises FourEyesRequired: without an approval by a second person.
    """
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        require_staff(actor, HANDLE_CASE)
        if case.recovered_at is not None and not case.settlement_moves():
            return MoneyResult(case, ledger_entries_of_kind(case, LedgerKind.RECOVERY), created=False)
        require_approval(case, kind=ProposalKind.RECOVERY, actor=actor, approval=approval)
        moves = [move for move in case.settlement_moves() if move.kind == LedgerKind.RECOVERY]
        row = run_transition(
            case,
            "recover_customer_share",
            case=case,
            actor=actor,
            now=now,
            data={"recovered": {str(m.key): str(m.amount) for m in moves}},
            audit=audit,
        )
        entries = ledger_write_moves(case, moves, transition=row, actor=actor, now=now, audit=audit)
    return MoneyResult(case, entries, created=True)


__all__ = ["case_decide", "case_dispatch_reply", "case_recover_customer_share"]
