"""The first liability estimate: stored at submission, or WAITING_FOR_RATE until the NBP table is out."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings

from disputes.models import CaseEvent, EstimateStatus
from disputes.services import (
    AssessmentRateUnavailable,
    EstimateNotReady,
    case_assess_liability,
    case_refund_provisionally,
    case_start_review,
    cases_complete_waiting_estimates,
    claim_create_draft,
    claim_submit,
)
from liability.engine import Findings, replay_assessment
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import make_theft, warsaw

pytestmark = pytest.mark.django_db

# Friday 13 June 2025: table 114/A/NBP/2025 (EUR 4.2720) is published around noon.
EXECUTED_AT = warsaw(2025, 6, 13, 8, 40)
RECEIVED_AT = warsaw(2025, 6, 13, 10, 0)
PUBLISHED = {date(2025, 6, 13): ("114/A/NBP/2025", Decimal("4.2720"))}


def test_the_estimate_is_stored_with_its_rate_and_replays(case):
    estimate = case.assessments.get(kind="ESTIMATE")

    assert case.estimate_status == EstimateStatus.ESTIMATED
    assert (estimate.customer_total, estimate.bank_total, estimate.rate_tables) == (
        Decimal("212.71"),
        Decimal("707.29"),
        ["099/A/NBP/2025"],
    )
    assert [line["rule"] for line in estimate.result["lines"]] == ["UUP-46-2-CAP", "UUP-46-NO-SCA"]
    assert replay_assessment(estimate.result).to_dict() == estimate.result
    assert estimate.findings == Findings().to_dict()


@pytest.fixture
def waiting_case(db, nbp_server, analyst):
    """A claim received before the NBP published the rate of the day of the transaction."""
    for day in PUBLISHED:
        nbp_server.rates["EUR"].pop(day, None)
    theft = make_theft()
    tx = TransactionFactory(
        card=theft.card,
        executed_at=EXECUTED_AT,
        amount_pln=Decimal("300.00"),
        sca_applied=True,
        debited_on=date(2025, 6, 13),
        processed_on=date(2025, 6, 13),
    )
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=[tx.pk],
        channel="LINE_828",
        cause="LOST",
        reported_at=warsaw(2025, 6, 13, 9, 30),
        actor=analyst,
        now=RECEIVED_AT,
    )
    return draft, tx


def test_a_missing_rate_leaves_the_claim_waiting_and_fetches_it_after_commit(
    waiting_case, analyst, nbp_server, django_capture_on_commit_callbacks
):
    draft, _ = waiting_case

    with django_capture_on_commit_callbacks() as scheduled:
        case = claim_submit(case_id=draft.pk, actor=analyst, now=RECEIVED_AT)

    case.refresh_from_db()
    assert (case.state, case.estimate_status, case.number) == (
        "SUBMITTED",
        EstimateStatus.WAITING_FOR_RATE,
        case.number,
    )
    assert not case.assessments.exists()
    [waiting] = case.events.filter(kind=CaseEvent.Kind.ESTIMATE_WAITING).values_list("data", flat=True)
    assert waiting == {
        "currency": "EUR",
        "on": "2025-06-13",
        "error": "RateNotYetPublished",
        "fetch": ["2025-06-03", "2025-06-13"],
        "ranges": [["2025-06-03", "2025-06-13"]],
    }
    assert nbp_server.request_count == 0  # the submission read stored rates only
    # The fetch chain, the acknowledgement letter and the "claim received" messages, after commit.
    assert len(scheduled) == 3


@pytest.mark.skipif(
    not django_settings.CELERY_TASK_ALWAYS_EAGER,
    reason="travels in time; a worker process keeps the real clock",
)
def test_the_estimate_is_completed_when_the_rate_is_published(
    waiting_case, analyst, nbp_server, django_capture_on_commit_callbacks, settings
):
    draft, _ = waiting_case
    with time_machine.travel(RECEIVED_AT, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = claim_submit(case_id=draft.pk, actor=analyst, now=RECEIVED_AT)
    case.refresh_from_db()
    assert case.estimate_status == EstimateStatus.WAITING_FOR_RATE  # the chain ran: still not published

    # NET_OF_CAP cannot refund the bank's share before the estimate exists.
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    case_start_review(case_id=case.pk, actor=analyst, now=RECEIVED_AT + timedelta(minutes=5))
    with pytest.raises(EstimateNotReady):
        case_refund_provisionally(case_id=case.pk, actor=analyst, now=RECEIVED_AT + timedelta(minutes=6))
    with pytest.raises(AssessmentRateUnavailable):
        case_assess_liability(
            case_id=case.pk, findings=Findings(), actor=analyst, now=RECEIVED_AT + timedelta(minutes=7)
        )

    nbp_server.rates["EUR"].update(PUBLISHED)
    after_noon = warsaw(2025, 6, 13, 12, 30)
    # The sweep finds the rate still not stored and asks for the fetch again, chained with the estimate.
    with time_machine.travel(after_noon, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert cases_complete_waiting_estimates(now=after_noon, batch_size=10) == 0
    assert cases_complete_waiting_estimates(now=after_noon, batch_size=10) == 0  # nothing waits any more

    case.refresh_from_db()
    estimate = case.assessments.get(kind="ESTIMATE")
    assert case.estimate_status == EstimateStatus.ESTIMATED
    # 50 EUR × 4.2720 = 213.60 PLN of the 300.00 PLN payment made with the PIN.
    assert (estimate.customer_total, estimate.bank_total, estimate.rate_tables) == (
        Decimal("213.60"),
        Decimal("86.40"),
        ["114/A/NBP/2025"],
    )
    assert case.events.filter(kind=CaseEvent.Kind.ESTIMATE_COMPLETED).count() == 1
    refund = case_refund_provisionally(case_id=case.pk, actor=analyst, now=after_noon)
    assert [e.amount for e in refund.entries] == [Decimal("86.40")]
