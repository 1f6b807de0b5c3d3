"""No outside call inside a request: claims and assessments read stored NBP rates, tasks fetch the rest.

Both setups (``make test``: SQLite and eager tasks; ``make test-services``: PostgreSQL and a real
worker), on the real clock (a worker cannot travel in time): a card stolen about a month ago, a
claim about its 800.00 PLN payment with the PIN, the local NBP stand-in misbehaving. The claim is
filed from the portal and on the 828 line; each time it is submitted at once, and its estimate is
completed when the NBP answers again.

A request may still run a task in its own process when there is no broker (eager tasks run where
they are queued, after the commit): the ``nbp_calls`` guard records, for every NBP client this
process makes, the Celery task it was made in, so the tests prove the request itself never calls
the NBP.
"""

import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from celery import current_task
from django.urls import reverse

from cards.models import CancellationReason
from customers.middleware import SIGNED_IN_AT
from disputes.models import Case, CaseState, EstimateStatus
from disputes.services import AssessmentRateUnavailable, case_assess_liability, case_start_review
from disputes.tasks import sweep_waiting_estimates
from kartosfera import clock
from kartosfera.legaltime import WARSAW
from liability.days import is_nbp_publication_day
from liability.engine import Findings
from liability.services import _fetch as liability_fetch  # where rates_fetch_range makes its client
from tests.backoffice.conftest import sign_in
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import make_theft
from tests.liability.nbp_server import publication_day_rates

pytestmark = pytest.mark.django_db(transaction=True)

FETCH_TASK = "liability.tasks.fetch_rates"


def a_month_ago() -> datetime:
    """14:00 Warsaw on the last NBP publication day at least 30 days ago."""
    day = clock.today_warsaw() - timedelta(days=30)
    while not is_nbp_publication_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, clock_time(14, 0), tzinfo=WARSAW)


@pytest.fixture
def stolen(db):
    """A card stolen a month ago: 800.00 PLN taken with the PIN at 14:00, the card cancelled at 20:00."""
    theft = make_theft(cancelled=False, username="marta")
    executed_at = a_month_ago()
    payment = TransactionFactory(
        card=theft.card,
        executed_at=executed_at,
        amount_pln=Decimal("800.00"),
        original_amount=Decimal("800.00"),
        sca_applied=True,
        debited_on=executed_at.date(),
        processed_on=executed_at.date(),
    )
    theft.card.cancel(reason=CancellationReason.STOLEN, reported_at=executed_at + timedelta(hours=6))
    theft.card.save()
    return theft, payment


@pytest.fixture
def nbp(nbp_server, stolen, settings):
    """The NBP stand-in with the tables of the last months; the test decides how it misbehaves.

    In this process (eager tasks) a fetch gives up quickly; the worker keeps retrying.
    """
    today = clock.today_warsaw()
    nbp_server.rates["EUR"] = publication_day_rates(today - timedelta(days=120), today - timedelta(days=1))
    settings.NBP_TIMEOUT_SECONDS, settings.NBP_RETRIES, settings.NBP_FETCH_EAGER_RETRIES = 0.5, 0, 0
    return nbp_server


@pytest.fixture
def nbp_calls(monkeypatch):
    """The Celery task each NBP client of this process was made in (None: outside any task).

    With eager tasks the post-commit fetch runs here, inside its task; with a worker, nothing here.
    """
    calls: list[str | None] = []
    make_client = liability_fetch.nbp_client

    def recorded():
        calls.append(current_task.name if current_task else None)
        return make_client()

    monkeypatch.setattr(liability_fetch, "nbp_client", recorded)
    return calls


def misbehave(nbp, how: str) -> None:
    if how == "never answers":
        nbp.hang = True
    elif how == "answers 400":
        nbp.status = 400
    elif how == "answers malformed":  # "mid": true for the day of the payment
        day = a_month_ago().date()
        table_no, _ = nbp.rates["EUR"][day]
        nbp.set_rate(day, table_no, "true")


def file_from_the_portal(client, theft, payment) -> tuple[Case, object]:
    client.force_login(theft.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = clock.now().isoformat()
    session.save()
    client.post(f"/claims/new/{theft.card.pk}/", {"transactions": [payment.pk], "draft_token": "t1"})
    draft = Case.objects.get(customer=theft.customer)
    # The answers the submission checks (the whole draft is validated when it is sent).
    noticed = clock.now().astimezone(WARSAW).date().isoformat()
    for step, answer in (
        ("cause", {"cause": "STOLEN"}),
        ("noticed", {"noticed_on": noticed, "noticed_time": ""}),
        ("whereabouts", {"card_whereabouts": "W portfelu."}),
        ("access", {"access_to_card_and_phone": "Nikt."}),
    ):
        client.post(f"/claims/{draft.pk}/step/{step}/", answer)
    response = client.post(f"/claims/{draft.pk}/step/review/")
    return Case.objects.get(pk=draft.pk), response


def file_on_the_828_line(client, theft, payment, analyst) -> tuple[Case, object]:
    received = clock.now().astimezone(WARSAW).replace(second=0, microsecond=0)
    response = sign_in(client, analyst).post(
        reverse("backoffice:claim_new") + f"?customer={theft.customer.pk}&card={theft.card.pk}",
        {
            "transactions": [payment.pk],
            "channel": "LINE_828",
            "cause": "STOLEN",
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "account": "Karta skradziona w tramwaju, PIN zapisany nie był.",
        },
    )
    return Case.objects.get(customer=theft.customer), response


def estimated(case: Case, timeout: float = 60.0) -> Case:
    """Run the waiting-estimates sweep until the case's estimate is complete (a worker may be retrying)."""
    deadline = time.monotonic() + timeout
    while True:
        sweep_waiting_estimates.delay().get(timeout=30)
        case.refresh_from_db()
        if case.estimate_status == EstimateStatus.ESTIMATED or time.monotonic() > deadline:
            return case
        time.sleep(0.5)


@pytest.mark.parametrize("how", ["never answers", "answers 400", "answers malformed"])
@pytest.mark.parametrize("channel", ["portal", "828 line"])
def test_a_claim_is_submitted_whatever_the_nbp_does_and_estimated_once_it_answers(
    how, channel, nbp, stolen, analyst, client, celery_worker, nbp_calls
):
    theft, payment = stolen
    misbehave(nbp, how)

    if channel == "portal":
        case, response = file_from_the_portal(client, theft, payment)
        assert response["Location"] == f"/claims/{case.pk}/submitted/"
    else:
        case, response = file_on_the_828_line(client, theft, payment, analyst)
        assert response["Location"] == reverse("backoffice:case", kwargs={"case_id": case.pk})

    assert (case.state, case.estimate_status) == (CaseState.SUBMITTED, EstimateStatus.WAITING_FOR_RATE)
    assert case.number and case.refund_due_on and not case.assessments.exists()
    assert set(nbp_calls) <= {FETCH_TASK}  # the request itself never called the NBP

    nbp.answer()
    day = a_month_ago().date()
    table_no, mid = publication_day_rates(day, day)[day]
    nbp.set_rate(day, table_no, mid)
    case = estimated(case)

    estimate = case.assessments.get(kind="ESTIMATE")
    cap = (50 * mid).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert case.estimate_status == EstimateStatus.ESTIMATED
    assert (estimate.customer_total, estimate.bank_total, estimate.rate_tables) == (
        cap,
        Decimal("800.00") - cap,
        [table_no],
    )
    assert set(nbp_calls) <= {FETCH_TASK}


def test_an_analysts_assessment_waits_for_no_nbp_and_works_once_the_rate_is_stored(
    nbp, stolen, analyst, client, celery_worker, nbp_calls
):
    theft, payment = stolen
    nbp.hang = True
    case, _ = file_on_the_828_line(client, theft, payment, analyst)
    case_start_review(case_id=case.pk, actor=analyst, now=clock.now())

    with pytest.raises(AssessmentRateUnavailable):
        case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=clock.now())
    assert set(nbp_calls) <= {FETCH_TASK}

    nbp.answer()
    estimated(case)
    stored = case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=clock.now())

    assert stored.customer_total + stored.bank_total == Decimal("800.00")
    assert stored.customer_total > 0 and len(stored.rate_tables) == 1
