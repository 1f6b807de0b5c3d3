"""Four-eyes: a rejection, a recovery from the customer and a refund above the limit take effect only
when a supervisor who did not propose them approves.

The proposer records what they saw (outcome and shares, or the amount); the approver's call marks the
proposal approved and runs the ordinary service (``case_decide``, ``case_recover_customer_share``,
``case_refund_provisionally``) with the proposal as its ``approval``, in the same transaction and with
the approver as the actor, so every guard is checked again at approval and a refusal undoes both.
The services themselves refuse a four-eyes step without such an approval (``FourEyesRequired``).
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from chargebacks.models import DISPUTED_CHARGEBACK_STATES, ChargebackState
from disputes.models import (
    Case,
    DecisionProposal,
    LiabilityAssessment,
    ProposalKind,
    ProposalStatus,
    present,
)
from disputes.rules import Outcome, may_approve, outcome_for
from disputes.services._access import (
    Actor,
    lock_case,
    lock_chargeback,
    require_staff,
    state_label,
)
from disputes.services._chargebacks import chargeback_resolve
from disputes.services._decision import case_decide, case_recover_customer_share
from disputes.services._errors import (
    ActionNotPermitted,
    AssessmentMissing,
    CaseNotFound,
    CustomerGroundsMissing,
    DisputeError,
    InvalidCaseState,
    InvalidChargebackState,
    ReasonMissing,
    ReturnNoteMissing,
)
from disputes.services._money import (
    case_refund_provisionally,
    refund_four_eyes_amount,
    refund_four_eyes_limit,
    refund_needs_approval,
)
from disputes.services._text import case_text
from kartosfera import fsm
from kartosfera.authz import APPROVE_DECISION, HANDLE_CASE

# The transition each kind of proposal runs when approved.
TRANSITION_OF = {
    ProposalKind.DECISION: "decide",
    ProposalKind.RECOVERY: "recover_customer_share",
    ProposalKind.REFUND: "refund_provisionally",
}


class ProposalNotFound(DisputeError, LookupError):
    code = "PROPOSAL_NOT_FOUND"
    message = _("There is no such proposal.")


class ProposalNotPending(DisputeError, ValueError):
    code = "PROPOSAL_NOT_PENDING"
    message = _("The proposal has already been dealt with.")


class ProposalAlreadyPending(DisputeError, ValueError):
    code = "PROPOSAL_ALREADY_PENDING"
    message = _("A proposal of this kind is already waiting for approval.")


class FourEyesViolation(ActionNotPermitted):
    code = "FOUR_EYES"
    message = _("A second person must approve this: you cannot approve your own proposal.")


def _proposal_data(case: Case, kind: str) -> dict[str, Any]:
    if kind == ProposalKind.DECISION:
        assessment = (
            case.assessments.filter(kind=LiabilityAssessment.Kind.ANALYST)
            .order_by("-created_at", "-pk")
            .first()
        )
        if assessment is None:
            raise AssessmentMissing("propose a decision")
        outcome = outcome_for(customer_total=assessment.customer_total, bank_total=assessment.bank_total)
        return {
            "outcome": str(outcome),
            "assessment": assessment.pk,
            "customer_share": str(assessment.customer_total),
            "bank_share": str(assessment.bank_total),
        }
    if kind == ProposalKind.REFUND:
        return {"amount": str(refund_four_eyes_amount(case=case)), "limit": str(refund_four_eyes_limit())}
    return {"to_recover": [str(move.amount) for move in case.settlement_moves()]}


def case_propose(
    *, case_id: int, kind: str, reason: str, actor: Actor, now: datetime, customer_grounds: str = ""
) -> DecisionProposal:
    """Propose a step that needs a second person's approval; nothing else changes on the case.

    A decision carries, besides the internal ``reason``, the factual grounds written for the customer
    (``customer_grounds``): the approver previews the letter that states them before approving.

    :raises CaseNotFound, ActionNotPermitted: :raises InvalidCaseState: the step is not possible now.
    :raises AssessmentMissing: a decision without an analyst assessment.
    :raises InformationMissing: a rejection or recovery without a reason.
    :raises CustomerGroundsMissing: a decision not accepting in full without grounds for the customer.
    :raises ProposalAlreadyPending: :raises CaseTextTooLong: a reason longer than the proposal holds.
    """
    kind = ProposalKind(kind)
    reason, customer_grounds = case_text(DecisionProposal, "reason", reason.strip()), customer_grounds.strip()
    with transaction.atomic():
        case = lock_case(case_id, actor)
        proposer = require_staff(actor, HANDLE_CASE)
        name = TRANSITION_OF[kind]
        if fsm.transition_for(Case, name, case.state) is None:
            raise InvalidCaseState(f"propose {name} from {case.state}", state=state_label(case))
        data = _proposal_data(case, kind)
        if not reason and (kind == ProposalKind.RECOVERY or data.get("outcome") == Outcome.REJECTED):
            raise ReasonMissing("a rejection or recovery needs its reason")
        if kind == ProposalKind.DECISION:
            if data["outcome"] != Outcome.ACCEPTED and not customer_grounds:
                raise CustomerGroundsMissing(f"{data['outcome']} without grounds for the customer")
            data["customer_grounds"] = customer_grounds
        if DecisionProposal.objects.filter(case=case, kind=kind, status=ProposalStatus.PENDING).exists():
            raise ProposalAlreadyPending(f"{kind} on case {case.pk}")
        proposal = DecisionProposal.objects.create(
            case=case, kind=kind, reason=reason, data=data, proposed_by=proposer, proposed_at=now
        )
        audit_record(
            action="disputes.proposal_made",
            actor=actor,
            obj=proposal,
            data={"case": case.pk, "kind": kind, "reason": reason, **data},
            now=now,
        )
    return proposal


def chargeback_propose_result(
    *, chargeback_id: int, won: bool, reason: str, actor: Actor, now: datetime
) -> DecisionProposal:
    """Propose a chargeback's result (won: the acquirer's credit; lost: e.g. the second presentment is
    accepted and the bank keeps the loss); it takes effect when a second person approves it.

    :raises ChargebackNotFound, ActionNotPermitted: :raises InvalidChargebackState: not with the acquirer.
    :raises InformationMissing: a lost chargeback without a reason. :raises ProposalAlreadyPending:
    :raises CaseTextTooLong: a reason longer than the proposal holds.
    """
    reason = case_text(DecisionProposal, "reason", reason.strip())
    with transaction.atomic():
        case, chargeback = lock_chargeback(chargeback_id, actor)
        proposer = require_staff(actor, HANDLE_CASE)
        if chargeback.state not in DISPUTED_CHARGEBACK_STATES:
            raise InvalidChargebackState(
                f"propose a result from {chargeback.state}", state=chargeback.get_state_display()
            )
        if not won and not reason:
            raise ReasonMissing("a lost chargeback needs its reason")
        if DecisionProposal.objects.filter(chargeback=chargeback, status=ProposalStatus.PENDING).exists():
            raise ProposalAlreadyPending(f"result of chargeback {chargeback.pk}")
        data = {
            "chargeback": chargeback.pk,
            "won": won,
            "outcome": str(ChargebackState.WON if won else ChargebackState.LOST),
            "amount": str(chargeback.amount),
            "from_state": chargeback.state,
        }
        proposal = DecisionProposal.objects.create(
            case=case,
            chargeback=chargeback,
            kind=ProposalKind.CHARGEBACK_RESULT,
            reason=reason,
            data=data,
            proposed_by=proposer,
            proposed_at=now,
        )
        audit_record(
            action="disputes.proposal_made",
            actor=actor,
            obj=proposal,
            data={"case": case.pk, "kind": proposal.kind, "reason": reason, **data},
            now=now,
        )
    return proposal


def _lock_proposal(proposal_id: int, actor: Actor) -> tuple[Case, DecisionProposal]:
    case_id = DecisionProposal.objects.filter(pk=proposal_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise ProposalNotFound()
    case = lock_case(case_id, actor)
    proposal = DecisionProposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.status != ProposalStatus.PENDING:
        raise ProposalNotPending(f"proposal {proposal.pk} is {proposal.status}")
    return case, proposal


def case_refund_or_propose(*, case_id: int, actor: Actor, now: datetime) -> DecisionProposal | None:
    """Make the D+1 refund, or, above the four-eyes limit, propose it for a second person's approval.

    The one place that decides between the two (``disputes.rules.refund_needs_second_person``).
    Returns the proposal when one was made, None when the refund was made.

    :raises: what ``case_refund_provisionally`` or ``case_propose`` raise.
    """
    case = Case.objects.prefetch_related("disputed").filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound(f"case {case_id}")
    if refund_needs_approval(case=case):
        return case_propose(case_id=case_id, kind=ProposalKind.REFUND, reason="", actor=actor, now=now)
    case_refund_provisionally(case_id=case_id, actor=actor, now=now)
    return None


def proposal_approve(*, proposal_id: int, actor: Actor, now: datetime) -> DecisionProposal:
    """A supervisor who is not the proposer approves: the proposed step runs now, with them as the actor.

    :raises ProposalNotFound, ProposalNotPending, ActionNotPermitted:
    :raises FourEyesViolation: the proposer approving their own proposal.
    :raises DisputeError: any refusal of the step itself (state, guards); nothing changes.
    """
    with transaction.atomic():
        case, proposal = _lock_proposal(proposal_id, actor)
        approver = require_staff(actor, APPROVE_DECISION)
        if not may_approve(approver_id=approver.pk, proposer_id=proposal.proposed_by_id, holds_approval=True):
            raise FourEyesViolation(f"user {approver.pk} proposed {proposal.pk}")
        # Approved first: the step's service checks the approval in the database; if the step is
        # refused, the transaction undoes the approval with it.
        proposal.status = ProposalStatus.APPROVED
        proposal.decided_by, proposal.decided_at = actor, now
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        if proposal.kind == ProposalKind.DECISION:
            case_decide(
                case_id=case.pk,
                actor=actor,
                now=now,
                reason=proposal.reason,
                customer_grounds=proposal.data.get("customer_grounds", ""),
                approval=proposal,
            )
        elif proposal.kind == ProposalKind.RECOVERY:
            case_recover_customer_share(case_id=case.pk, actor=actor, now=now, approval=proposal)
        elif proposal.kind == ProposalKind.CHARGEBACK_RESULT:
            chargeback_resolve(
                chargeback_id=present(proposal.chargeback_id, "chargeback"),
                won=proposal.data["won"],
                actor=actor,
                now=now,
                reason=proposal.reason,
                approval=proposal,
            )
        else:
            case_refund_provisionally(case_id=case.pk, actor=actor, now=now, approval=proposal)
        audit_record(
            action="disputes.proposal_approved",
            actor=actor,
            obj=proposal,
            data={"case": case.pk, "kind": proposal.kind, "proposed_by": proposal.proposed_by_id},
            now=now,
        )
    return proposal


def proposal_return(*, proposal_id: int, note: str, actor: Actor, now: datetime) -> DecisionProposal:
    """A supervisor sends the proposal back with a note (the proposer may withdraw their own).

    :raises ProposalNotFound, ProposalNotPending, ActionNotPermitted: :raises InformationMissing: no note.
    :raises CaseTextTooLong: a note longer than the proposal holds.
    """
    note = case_text(DecisionProposal, "decision_note", note.strip(), field="note")
    with transaction.atomic():
        case, proposal = _lock_proposal(proposal_id, actor)
        if actor is not None and actor.pk == proposal.proposed_by_id:
            require_staff(actor, HANDLE_CASE)
            proposal.status = ProposalStatus.WITHDRAWN
            proposal.decided_at = now
        else:
            require_staff(actor, APPROVE_DECISION)
            if not note:
                raise ReturnNoteMissing("say why the proposal is returned")
            proposal.status = ProposalStatus.REJECTED
            proposal.decided_by, proposal.decided_at = actor, now
        proposal.decision_note = note
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            action="disputes.proposal_returned",
            actor=actor,
            obj=proposal,
            data={"case": case.pk, "kind": proposal.kind, "status": proposal.status, "note": note},
            now=now,
        )
    return proposal
