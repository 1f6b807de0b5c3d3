"""Four-eyes: a rejection, a recovery and a refund above the limit need a second person's approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum

from disputes.models import CaseState, DecisionProposal, ProposalStatus
from disputes.services import (
    ActionNotPermitted,
    EstimateNotReady,
    FourEyesRequired,
    FourEyesViolation,
    InformationMissing,
    ProposalOutdated,
    RefundAmountChanged,
    case_assess_liability,
    case_complete_estimate,
    case_decide,
    case_dispatch_reply,
    case_propose,
    case_recover_customer_share,
    case_refund_provisionally,
    case_start_review,
    cases_deem_accepted_overdue,
    proposal_approve,
    proposal_return,
)
from liability.engine import Findings
from tests.backoffice.conftest import warsaw
from tests.disputes.helpers import four_eyes, snapshot

AT = warsaw(2025, 5, 27, 10, 0)
# The factual grounds a decision letter states, written for the customer.
GROUNDS = "Wypłatę z bankomatu potwierdzono kodem PIN, którego karta nie ujawnia."

# The disputes side records the dispatch the letters app reports; these tests stand in for it.
LETTER = 1


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
        case_id=assessed.pk,
        kind="DECISION",
        reason="PIN used; fraud",
        customer_grounds=GROUNDS,
        actor=analyst,
        now=AT,
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
    proposal = case_propose(
        case_id=assessed.pk,
        kind="DECISION",
        reason="fraud",
        customer_grounds=GROUNDS,
        actor=supervisor,
        now=AT,
    )
    before = snapshot(assessed)

    with pytest.raises(FourEyesViolation):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(assessed) == before
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.PENDING, None)


def test_an_analyst_cannot_approve(assessed, analyst, supervisor):
    proposal = case_propose(
        case_id=assessed.pk,
        kind="DECISION",
        reason="fraud",
        customer_grounds=GROUNDS,
        actor=supervisor,
        now=AT,
    )
    before = snapshot(assessed)

    with pytest.raises(ActionNotPermitted):
        proposal_approve(proposal_id=proposal.pk, actor=analyst, now=AT)

    assert snapshot(assessed) == before


def test_a_rejection_needs_its_reason(assessed, analyst):
    with pytest.raises(InformationMissing):
        case_propose(case_id=assessed.pk, kind="DECISION", reason=" ", actor=analyst, now=AT)

    assert not DecisionProposal.objects.filter(case=assessed).exists()


def test_a_returned_proposal_changes_nothing_on_the_case(assessed, analyst, supervisor):
    proposal = case_propose(
        case_id=assessed.pk, kind="DECISION", reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )
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


# Each four-eyes step: how to bring the case to it, and the direct call of its service.
def _to_rejection(case, analyst, supervisor, settings, at=AT):
    case_start_review(case_id=case.pk, actor=analyst, now=at)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=at)
    case_assess_liability(case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=at)


def _to_recovery(case, analyst, supervisor, settings):
    # Decided and its letter posted the day before AT: the share is recovered from the next day.
    day_before = warsaw(2025, 5, 26, 10, 30)
    _to_rejection(case, analyst, supervisor, settings, at=day_before)
    four_eyes("DECISION", case=case, proposer=analyst, approver=supervisor, now=day_before)
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=day_before,
        actor=analyst,
        now=day_before,
    )


def _to_large_refund(case, analyst, supervisor, settings):
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")  # the claim is 920.00
    case_start_review(case_id=case.pk, actor=analyst, now=AT)


STEPS = {
    "DECISION": (
        _to_rejection,
        lambda case, actor, **kw: case_decide(case_id=case.pk, actor=actor, now=AT, reason="fraud", **kw),
    ),
    "RECOVERY": (
        _to_recovery,
        lambda case, actor, **kw: case_recover_customer_share(case_id=case.pk, actor=actor, now=AT, **kw),
    ),
    "REFUND": (
        _to_large_refund,
        lambda case, actor, **kw: case_refund_provisionally(case_id=case.pk, actor=actor, now=AT, **kw),
    ),
}


@pytest.mark.parametrize("kind", STEPS)
@pytest.mark.parametrize("who", ["analyst", "supervisor"])
def test_a_four_eyes_step_called_directly_is_refused_and_changes_nothing(
    case, analyst, supervisor, settings, kind, who
):
    reach, call = STEPS[kind]
    reach(case, analyst, supervisor, settings)
    before = snapshot(case)

    with pytest.raises(FourEyesRequired) as refusal:
        call(case, {"analyst": analyst, "supervisor": supervisor}[who])

    assert snapshot(case) == before
    assert refusal.value.code == "FOUR_EYES_REQUIRED"
    assert refusal.value.message_in("pl") != refusal.value.message_in("en")


@pytest.mark.parametrize("kind", STEPS)
def test_the_proposer_approving_their_own_proposal_is_refused_and_changes_nothing(
    case, analyst, supervisor, settings, kind
):
    reach, _ = STEPS[kind]
    reach(case, analyst, supervisor, settings)
    proposal = case_propose(
        case_id=case.pk, kind=kind, reason="fraud", customer_grounds=GROUNDS, actor=supervisor, now=AT
    )
    before = snapshot(case)

    with pytest.raises(FourEyesViolation):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(case) == before
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decided_at) == (ProposalStatus.PENDING, None, None)


@pytest.mark.parametrize(
    ("kind", "transition", "ledger_kind"),
    [
        ("DECISION", "decide", None),
        ("RECOVERY", "recover_customer_share", "RECOVERY"),
        ("REFUND", "refund_provisionally", "PROVISIONAL_REFUND"),
    ],
)
def test_an_approved_proposal_takes_effect_with_the_approver_as_the_actor(
    case, analyst, supervisor, settings, kind, transition, ledger_kind
):
    reach, _ = STEPS[kind]
    reach(case, analyst, supervisor, settings)

    proposal = four_eyes(kind, case=case, proposer=analyst, approver=supervisor, now=AT)

    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPROVED, supervisor)
    assert case.transitions.get(name=transition).actor == supervisor
    if ledger_kind is not None:
        total = case.ledger_entries.filter(kind=ledger_kind).aggregate(total=Sum("amount"))["total"]
        assert total == Decimal("920.00")


@pytest.mark.parametrize("kind", STEPS)
def test_a_pending_proposal_passed_as_an_approval_proves_nothing(
    case, analyst, supervisor, second_supervisor, settings, kind
):
    reach, call = STEPS[kind]
    reach(case, analyst, supervisor, settings)
    proposal = case_propose(
        case_id=case.pk, kind=kind, reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )
    # Even marked approved in memory: the service reads the approval from the database.
    proposal.status, proposal.decided_by = ProposalStatus.APPROVED, second_supervisor
    before = snapshot(case)

    with pytest.raises(FourEyesRequired):
        call(case, second_supervisor, approval=proposal)

    assert snapshot(case) == before


def test_a_decision_proposed_on_an_earlier_assessment_is_not_approved(case, analyst, supervisor, settings):
    _to_rejection(case, analyst, supervisor, settings)
    proposal = case_propose(
        case_id=case.pk, kind="DECISION", reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )
    case_assess_liability(case_id=case.pk, findings=Findings(gross_negligence=True), actor=analyst, now=AT)
    before = snapshot(case)

    with pytest.raises(ProposalOutdated):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(case) == before
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_an_accepted_decision_needs_no_second_person(case, analyst, supervisor):
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=AT)
    case_assess_liability(case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=AT)

    case_decide(case_id=case.pk, actor=supervisor, now=AT, reason="Not detectable")

    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.DECIDED, "ACCEPTED")


def test_deemed_acceptance_by_law_needs_no_approval(case, analyst, settings):
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    overdue = case.reply_due_at + timedelta(seconds=1)

    assert cases_deem_accepted_overdue(now=overdue, batch_size=10) == 1

    case.refresh_from_db()
    assert case.state == CaseState.DEEMED_ACCEPTED
    assert case.ledger_entries.filter(kind="FINAL_REFUND").aggregate(total=Sum("amount"))["total"] == Decimal(
        "920.00"
    )


@pytest.mark.parametrize("estimate", ["waiting", "completed since"])
def test_a_refund_approval_refused_for_its_amount_is_said_to_the_supervisor(
    case, analyst, supervisor, settings, as_staff, estimate
):
    # NET_OF_CAP, proposed while the estimate waited (920.00 weighed): approving answers with the
    # refusal in the supervisor's language on the approvals page, not an error page.
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    case.assessments.filter(kind="ESTIMATE").delete()
    case.__class__.objects.filter(pk=case.pk).update(estimate_status="WAITING_FOR_RATE")
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    as_staff(analyst).post(f"/back-office/cases/{case.pk}/refund/")
    proposal = DecisionProposal.objects.get(case=case, kind="REFUND")
    if estimate == "completed since":
        assert case_complete_estimate(case_id=case.pk, now=AT)
    before = snapshot(case)

    response = as_staff(supervisor).post(f"/back-office/approvals/{proposal.pk}/approve/", follow=True)

    refusal = EstimateNotReady() if estimate == "waiting" else RefundAmountChanged()
    assert response.status_code == 200
    assert str(refusal) in [str(message) for message in response.context["messages"]]
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            "return",
            "Napisz w notatce, dlaczego zwracasz propozycję, aby osoba proponująca wiedziała, co zmienić.",
        ),
        ("reject", "Podaj powód: zostanie zapisany razem z tym krokiem."),
    ],
)
def test_a_missing_text_is_refused_with_what_is_missing(
    assessed, analyst, supervisor, as_staff, step, message
):
    # Neither a return nor a rejection asks or answers anything: the refusal names the text it needs.
    proposal = case_propose(
        case_id=assessed.pk, kind="DECISION", reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )
    if step == "return":
        response = as_staff(supervisor).post(
            f"/back-office/approvals/{proposal.pk}/return/", {"note": " "}, follow=True
        )
    else:
        proposal_return(proposal_id=proposal.pk, note="", actor=analyst, now=AT)  # withdrawn by its proposer
        response = as_staff(analyst).post(
            f"/back-office/cases/{assessed.pk}/propose/",
            {"kind": "DECISION", "reason": " ", "customer_grounds": GROUNDS},
            follow=True,
        )

    assert message in response.content.decode()
    proposal.refresh_from_db()
    expected = ProposalStatus.PENDING if step == "return" else ProposalStatus.WITHDRAWN
    assert proposal.status == expected
    assert list(DecisionProposal.objects.filter(case=assessed).values_list("pk", flat=True)) == [proposal.pk]


def test_the_case_page_offers_no_second_decision_while_one_waits(assessed, analyst, supervisor, as_staff):
    url = f"/back-office/cases/{assessed.pk}/"
    propose = f'action="/back-office/cases/{assessed.pk}/propose/"'
    assert propose in as_staff(analyst).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    proposal = case_propose(
        case_id=assessed.pk, kind="DECISION", reason="fraud", customer_grounds=GROUNDS, actor=analyst, now=AT
    )

    waiting = as_staff(analyst).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    proposal_return(proposal_id=proposal.pk, note="Uzupełnij uzasadnienie", actor=supervisor, now=AT)
    returned = as_staff(analyst).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # A second proposal would only be refused ("a proposal of this kind is already waiting").
    assert propose not in waiting
    assert "The proposed decision waits for a supervisor's approval" in waiting
    assert propose in returned and "The proposed decision waits" not in returned
