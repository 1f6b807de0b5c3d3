"""Four-eyes on the D+1 refund: the state machine's permission and the services give the same answer.

The claim is 920.00 PLN; the limit is set below it (the refund needs a second person) or at it (it
does not). For each role, and the actor's part in a refund proposal, the machine's permission on
``refund_provisionally`` is judged as the refund would run, and the service is then asked to run it.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from disputes.models import Case, DecisionProposal, EstimateStatus, ProposalStatus
from disputes.services import (
    ActionNotPermitted,
    EstimateNotReady,
    FourEyesRequired,
    RefundAmountChanged,
    case_complete_estimate,
    case_propose,
    case_refund_or_propose,
    case_refund_provisionally,
    case_start_review,
    proposal_approve,
)
from kartosfera import fsm
from tests.disputes.conftest import staff, warsaw
from tests.disputes.helpers import snapshot

AT = warsaw(2025, 5, 27, 10, 0)
LIMITS = {"below": Decimal("920.00"), "above": Decimal("500.00")}  # the claim is 920.00


def _machine_allows(case: Case, user, approval: DecisionProposal | None) -> bool:
    """The machine's permission, with ``approval`` marked approved by ``user`` as ``proposal_approve``
    marks it before the refund runs; the marking is undone."""
    with transaction.atomic():
        if approval is not None:
            DecisionProposal.objects.filter(pk=approval.pk).update(
                status=ProposalStatus.APPROVED, decided_by=user, decided_at=AT
            )
        fresh = Case.objects.get(pk=case.pk)
        allowed = fsm.transition_for(fresh, "refund_provisionally", fresh.state).has_perm(fresh, user)
        transaction.set_rollback(True)
    return allowed


def _service_allows(run) -> bool:
    try:
        run()
    except (ActionNotPermitted, FourEyesRequired):
        return False
    return True


# (role, amount against the limit, the actor's part): whether the refund may be made.
TABLE = [
    ("customer", "below", "alone", False),
    ("customer", "above", "alone", False),
    ("analyst", "below", "alone", True),
    ("analyst", "above", "alone", False),
    ("analyst", "below", "proposer", True),
    ("analyst", "above", "proposer", False),
    ("analyst", "below", "approver", False),
    ("analyst", "above", "approver", False),
    ("supervisor", "below", "alone", True),
    ("supervisor", "above", "alone", False),
    ("supervisor", "below", "proposer", True),
    ("supervisor", "above", "proposer", False),
    ("supervisor", "below", "approver", True),
    ("supervisor", "above", "approver", True),
]


@pytest.mark.parametrize(("role", "amount", "part", "allowed"), TABLE)
def test_the_machine_and_the_service_agree_on_who_may_refund(
    case, theft, analyst, supervisor, settings, role, amount, part, allowed
):
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = LIMITS[amount]
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    actor = {"customer": theft.user, "analyst": analyst, "supervisor": supervisor}[role]
    approval = None
    if part == "proposer":
        case_propose(case_id=case.pk, kind="REFUND", reason="", actor=actor, now=AT)
    elif part == "approver":
        colleague = staff("analyst2", "analysts")
        approval = case_propose(case_id=case.pk, kind="REFUND", reason="", actor=colleague, now=AT)

    machine = _machine_allows(case, actor, approval)
    if approval is not None:
        service = _service_allows(lambda: proposal_approve(proposal_id=approval.pk, actor=actor, now=AT))
    else:
        service = _service_allows(lambda: case_refund_provisionally(case_id=case.pk, actor=actor, now=AT))

    assert (machine, service) == (allowed, allowed)
    case.refresh_from_db()
    assert (case.refunded_at is not None) is allowed


# (policy, limit, whether the D+1 refund needs a second person): the limit weighs what the refund
# credits, 920.00 under FULL_THEN_RECOVER and the estimate's bank share 707.29 under NET_OF_CAP.
CREDITED_TABLE = [
    ("FULL_THEN_RECOVER", Decimal("920.00"), False),
    ("FULL_THEN_RECOVER", Decimal("800.00"), True),
    ("FULL_THEN_RECOVER", Decimal("700.00"), True),
    ("NET_OF_CAP", Decimal("920.00"), False),
    ("NET_OF_CAP", Decimal("800.00"), False),  # 920.00 owed, but only 707.29 leaves the bank
    ("NET_OF_CAP", Decimal("707.29"), False),
    ("NET_OF_CAP", Decimal("707.28"), True),
]


CREDITED = {"FULL_THEN_RECOVER": "920.00", "NET_OF_CAP": "707.29"}


@pytest.mark.parametrize(("policy", "limit", "needs_second_person"), CREDITED_TABLE)
def test_the_limit_weighs_what_the_refund_credits_under_each_policy(
    case, analyst, settings, policy, limit, needs_second_person
):
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": policy}
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = limit
    case_start_review(case_id=case.pk, actor=analyst, now=AT)

    machine = _machine_allows(case, analyst, None)
    proposal = case_refund_or_propose(case_id=case.pk, actor=analyst, now=AT)

    case.refresh_from_db()
    assert machine is not needs_second_person
    assert (proposal is not None, case.refunded_at is None) == (needs_second_person, needs_second_person)
    if proposal is not None:  # the approver reads the amount that was weighed
        assert proposal.data["amount"] == CREDITED[policy]


def test_under_net_of_cap_without_an_estimate_the_limit_weighs_everything_owed(case, analyst, settings):
    # The bank's share is not known yet: the most the refund can credit decides, never less.
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("800.00")
    case.assessments.filter(kind="ESTIMATE").delete()
    case_start_review(case_id=case.pk, actor=analyst, now=AT)

    proposal = case_refund_or_propose(case_id=case.pk, actor=analyst, now=AT)

    assert proposal is not None and proposal.data["amount"] == "920.00"
    assert _machine_allows(case, analyst, None) is False


# ---- The refund credited is the refund approved ----------------------------------------------------
# The supervisor approves a figure (``proposal.data["amount"]``); the refund made under that approval
# credits exactly it, or is refused (nothing written) and proposed again.


def _policy(settings, policy: str) -> None:
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": policy}


def _estimate_waiting(case: Case) -> None:
    """The first estimate waits for its NBP rate (the rates are stored: completing it works)."""
    case.assessments.filter(kind="ESTIMATE").delete()
    Case.objects.filter(pk=case.pk).update(estimate_status=EstimateStatus.WAITING_FOR_RATE)


@pytest.mark.parametrize("policy", ["FULL_THEN_RECOVER", "NET_OF_CAP"])
def test_an_approved_refund_credits_the_amount_approved(case, analyst, supervisor, settings, policy):
    _policy(settings, policy)
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    proposal = case_refund_or_propose(case_id=case.pk, actor=analyst, now=AT)
    assert proposal is not None and proposal.data["amount"] == CREDITED[policy]

    proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    case.refresh_from_db()
    credited = case.ledger_entries.filter(kind="PROVISIONAL_REFUND").aggregate(total=Sum("amount"))["total"]
    assert (case.refunded_at, credited) == (AT, Decimal(CREDITED[policy]))


# (policy when proposed, policy when approved): the figure approved is no longer what would be credited.
CHANGED_POLICY = [("FULL_THEN_RECOVER", "NET_OF_CAP"), ("NET_OF_CAP", "FULL_THEN_RECOVER")]


@pytest.mark.parametrize(("proposed_under", "approved_under"), CHANGED_POLICY)
def test_a_refund_whose_amount_changed_since_the_proposal_is_refused(
    case, analyst, supervisor, settings, proposed_under, approved_under
):
    _policy(settings, proposed_under)
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    proposal = case_refund_or_propose(case_id=case.pk, actor=analyst, now=AT)
    assert proposal is not None
    _policy(settings, approved_under)
    before = snapshot(case)

    with pytest.raises(RefundAmountChanged) as refused:
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(case) == before
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert "propose" in refused.value.message_in("en") and "zaproponuj" in refused.value.message_in("pl")


def test_under_net_of_cap_an_estimate_completed_after_the_proposal_refuses_the_approval(
    case, analyst, supervisor, settings
):
    # Proposed while the estimate waited: everything owed (920.00) was weighed and approved; the
    # completed estimate credits only the bank's share (707.29), which nobody approved.
    _policy(settings, "NET_OF_CAP")
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    _estimate_waiting(case)
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    proposal = case_refund_or_propose(case_id=case.pk, actor=analyst, now=AT)
    assert proposal is not None and proposal.data["amount"] == "920.00"
    assert case_complete_estimate(case_id=case.pk, now=AT) is True
    before = snapshot(case)

    with pytest.raises(RefundAmountChanged):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(case) == before
    assert not case.ledger_entries.exists()


def test_under_net_of_cap_an_approval_while_the_estimate_waits_is_refused(
    case, analyst, supervisor, settings
):
    _policy(settings, "NET_OF_CAP")
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    _estimate_waiting(case)
    case_start_review(case_id=case.pk, actor=analyst, now=AT)
    proposal = case_refund_or_propose(case_id=case.pk, actor=analyst, now=AT)
    assert proposal is not None
    before = snapshot(case)

    with pytest.raises(EstimateNotReady):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=AT)

    assert snapshot(case) == before
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
