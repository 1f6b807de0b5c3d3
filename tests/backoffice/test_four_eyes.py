"""Four-eyes: a rejection, a recovery and a refund above the limit need a second person's approval."""

from decimal import Decimal

import pytest

from disputes.models import CaseState, DecisionProposal, ProposalStatus
from disputes.services import (
    ActionNotPermitted,
    FourEyesViolation,
    InformationMissing,
    case_assess_liability,
    case_propose,
    case_refund_provisionally,
    case_start_review,
    proposal_approve,
    proposal_return,
)
from liability.api import Findings
from tests.backoffice.conftest import warsaw
from tests.disputes.helpers import snapshot

AT = warsaw(2025, 5, 27, 10, 0)


@pytest.fixture
def assessed(case, analyst):
    """Reviewed, refunded, and assessed as intentional fraud: the outcome is a rejection."""
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=AT)
    case_assess_liability(case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=AT)
    return case


def test_a_rejection_proposed_by_an_analyst_takes_effect_when_a_supervisor_approves(
    assessed, analyst, supervisor
):
    proposal = case_propose(
        case_id=assessed.pk, kind="DECISION", reason="PIN used; fraud", actor=analyst, now=AT
    )

    proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assessed.refresh_from_db()
    proposal.refresh_from_db()
    assert (assessed.state, assessed.outcome) == (CaseState.DECIDED, "REJECTED")
    assert (assessed.customer_share, assessed.bank_share) == (Decimal("920.00"), Decimal("0.00"))
    assert (proposal.status, proposal.decided_by, proposal.data["outcome"]) == (
        ProposalStatus.APPROVED,
        supervisor,
        "REJECTED",
    )
    assert assessed.transitions.filter(name="decide").get().actor == supervisor


def test_the_proposer_alone_is_refused_and_nothing_changes(assessed, supervisor):
    proposal = case_propose(case_id=assessed.pk, kind="DECISION", reason="fraud", actor=supervisor, now=AT)
    before = snapshot(assessed)

    with pytest.raises(FourEyesViolation):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(assessed) == before
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.PENDING, None)


def test_an_analyst_cannot_approve(assessed, analyst, supervisor):
    proposal = case_propose(case_id=assessed.pk, kind="DECISION", reason="fraud", actor=supervisor, now=AT)
    before = snapshot(assessed)

    with pytest.raises(ActionNotPermitted):
        proposal_approve(proposal_id=proposal.pk, actor=analyst, now=AT)

    assert snapshot(assessed) == before


def test_a_rejection_needs_its_reason(assessed, analyst):
    with pytest.raises(InformationMissing):
        case_propose(case_id=assessed.pk, kind="DECISION", reason=" ", actor=analyst, now=AT)

    assert not DecisionProposal.objects.filter(case=assessed).exists()


def test_a_returned_proposal_changes_nothing_on_the_case(assessed, analyst, supervisor):
    proposal = case_propose(case_id=assessed.pk, kind="DECISION", reason="fraud", actor=analyst, now=AT)
    before = snapshot(assessed)

    proposal_return(proposal_id=proposal.pk, note="Ask for the police report first", actor=supervisor, now=AT)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert snapshot(assessed) == before


def test_a_refund_above_the_limit_waits_for_approval_in_the_back_office(
    case, analyst, supervisor, settings, as_staff
):
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")  # the claim is 920.00
    client = as_staff(analyst)

    client.post(f"/back-office/cases/{case.pk}/refund/")

    case.refresh_from_db()
    proposal = DecisionProposal.objects.get(case=case)
    assert (case.state, case.refunded_at, proposal.kind, proposal.data["amount"]) == (
        CaseState.SUBMITTED,
        None,
        "REFUND",
        "920.00",
    )
    proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)
    case.refresh_from_db()
    assert case.state == CaseState.PROVISIONALLY_REFUNDED


def test_a_refund_below_the_limit_is_made_at_once(case, analyst, settings, as_staff):
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("920.00")
    client = as_staff(analyst)

    client.post(f"/back-office/cases/{case.pk}/refund/")

    case.refresh_from_db()
    assert case.state == CaseState.PROVISIONALLY_REFUNDED
    assert not DecisionProposal.objects.filter(case=case).exists()
