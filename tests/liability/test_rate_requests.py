"""What the NBP is asked, and what is refused from its answers (RULES.md section 4), on the local NBP.

- a stored date is never asked again; the rest costs at most one request per 93 days;
- a mid that is not a number (``true``), or with more decimals than stored, is refused, not stored;
- a business day a range answer lacks is not taken as "no table that day";
- a malformed answer is reported as malformed, with bounded retries; a 400 is not retried.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from liability import rules
from liability.engine import Findings, TransactionFacts
from liability.models import ExchangeRate, RateAbsence, RateCoverage
from liability.nbp import NbpBadAnswer, NbpBadRequest, NbpClient, NbpUnreachable, parse_rates
from liability.services import RateNotStored, liability_assess, rates_fetch_range
from liability.tasks import fetch_rates
from tests.liability.nbp_server import REAL_EUR_RATES, publication_day_rates

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 2, 2, 12, 0, tzinfo=WARSAW)
PATH = "/api/exchangerates/rates/a/eur/{}/{}/?format=json"


def fetch_what_is_missing(error: RateNotStored) -> int:
    """Run the fetch task for every range the error names (what the workflow queues); the requests made."""
    return sum(
        fetch_rates.apply(kwargs={"currency": "EUR", "start": a.isoformat(), "end": b.isoformat()}).get()[
            "requests"
        ]
        for a, b in error.fetch_ranges
    )


def monthly_claim(first: datetime, months: int) -> dict:
    """A payment with the PIN on the same day of each month (a minute later each), reported after the last."""
    transactions = [
        TransactionFacts(
            id=f"m{n}",
            amount=Decimal("30.00"),
            executed_at=first + timedelta(days=round(n * 365 / 12), minutes=n),
            sca_applied=True,
        )
        for n in range(months + 1)
    ]
    return {
        "transactions": transactions,
        "reported_at": transactions[-1].executed_at + timedelta(days=1),
        "cause": "LOST",
        "findings": Findings(),
        "now": NOW,
    }


@pytest.mark.django_db
def test_a_year_long_claim_with_two_dates_missing_asks_for_those_two_days_only(nbp_server):
    nbp_server.rates["EUR"] = publication_day_rates(date(2024, 12, 1), date(2026, 1, 31)) | REAL_EUR_RATES
    rates_fetch_range(currency="EUR", start=date(2024, 12, 1), end=date(2026, 1, 31), now=NOW)
    # Storage then loses two days of the claim, first and last (as if never fetched).
    missing = [date(2025, 1, 7), date(2026, 1, 7)]
    ExchangeRate.objects.filter(effective_date__in=missing).delete()
    RateCoverage.objects.all().delete()
    for start, end in [
        (date(2024, 12, 1), date(2025, 1, 6)),
        (date(2025, 1, 8), date(2026, 1, 6)),
        (date(2026, 1, 8), date(2026, 1, 31)),
    ]:
        RateCoverage.objects.create(currency="EUR", start_on=start, end_on=end, source="NBP", recorded_at=NOW)
    nbp_server.reset_count()
    claim = monthly_claim(datetime(2025, 1, 7, 10, 0, tzinfo=WARSAW), months=12)

    with pytest.raises(RateNotStored) as waiting:
        liability_assess(**claim)
    requests = fetch_what_is_missing(waiting.value)
    result = liability_assess(**claim)

    # The engine made 5 requests here before (2024-12-28..2026-01-07 in 93-day chunks, 366 days stored).
    assert waiting.value.fetch_ranges == ((missing[0], missing[0]), (missing[1], missing[1]))
    assert requests == 2
    assert nbp_server.requests == [PATH.format(day, day) for day in missing]
    assert {line.rule for line in result.lines} == {rules.CAP}
    assert result.lines[0].table == nbp_server.rates["EUR"][missing[0]][0]


@pytest.mark.django_db
def test_a_claim_whose_rates_are_stored_asks_nothing(nbp_server):
    nbp_server.rates["EUR"] = publication_day_rates(date(2025, 3, 1), date(2025, 7, 1))
    rates_fetch_range(currency="EUR", start=date(2025, 3, 1), end=date(2025, 7, 1), now=NOW)
    nbp_server.reset_count()

    result = liability_assess(**monthly_claim(datetime(2025, 3, 10, 10, 0, tzinfo=WARSAW), months=3))
    fetched = rates_fetch_range(currency="EUR", start=date(2025, 3, 1), end=date(2025, 7, 1), now=NOW)

    assert len(result.lines) == 4
    assert (fetched.asked, fetched.requests, nbp_server.request_count) == ([], 0, 0)


@pytest.mark.parametrize("mid", [b"true", b"false", b'"4.2541"', b"null", b"-4.2541", b"0"])
def test_a_mid_that_is_not_a_positive_number_is_refused(mid):
    content = (
        b'{"table":"A","code":"EUR","rates":[{"no":"099/A/NBP/2025","effectiveDate":"2025-05-23","mid":%s}]}'
    )

    with pytest.raises(NbpBadAnswer, match="not a rate"):
        parse_rates(content % mid, code="EUR", start=date(2025, 5, 23), end=date(2025, 5, 23))


@pytest.mark.django_db
def test_an_answer_with_mid_true_is_refused_as_malformed_and_nothing_is_stored(nbp_server):
    nbp_server.set_rate(date(2025, 5, 23), "099/A/NBP/2025", "true")

    with pytest.raises(NbpBadAnswer, match="not table A") as raised:
        rates_fetch_range(currency="EUR", start=date(2025, 5, 19), end=date(2025, 5, 23), now=NOW)

    assert not isinstance(raised.value, NbpUnreachable)  # something answered: it is not an outage
    assert not ExchangeRate.objects.exists() and not RateCoverage.objects.exists()
    assert nbp_server.request_count == 2  # NBP_RETRIES = 1 quick retry, then reported


@pytest.mark.django_db
@pytest.mark.parametrize(("mid", "stored"), [("4.1234567", False), ("1234567.25", False), ("4.123456", True)])
def test_a_rate_the_column_cannot_hold_exactly_is_refused_not_rounded(nbp_server, mid, stored):
    nbp_server.rates["EUR"] = {date(2025, 5, 23): ("099/A/NBP/2025", mid)}

    if stored:
        rates_fetch_range(currency="EUR", start=date(2025, 5, 23), end=date(2025, 5, 23), now=NOW)
        assert ExchangeRate.objects.get().mid == Decimal(mid)
    else:
        with pytest.raises(NbpBadAnswer, match="refused, not rounded"):
            rates_fetch_range(currency="EUR", start=date(2025, 5, 23), end=date(2025, 5, 23), now=NOW)
        assert not ExchangeRate.objects.exists() and not RateCoverage.objects.exists()


@pytest.mark.django_db
def test_a_business_day_missing_from_a_range_answer_is_asked_again_not_taken_as_no_table(nbp_server):
    thursday = date(2025, 5, 22)
    nbp_server.rates["EUR"] = publication_day_rates(date(2025, 5, 1), date(2025, 5, 31)) | REAL_EUR_RATES
    published = nbp_server.rates["EUR"].pop(thursday)  # the answer lacks Thursday's table
    claim = {
        "transactions": [
            TransactionFacts(
                id="t1",
                amount=Decimal("800.00"),
                executed_at=datetime(2025, 5, 22, 10, 0, tzinfo=WARSAW),
                sca_applied=True,
            )
        ],
        "reported_at": datetime(2025, 5, 22, 18, 0, tzinfo=WARSAW),
        "cause": "LOST",
        "findings": Findings(),
        "now": NOW,
    }
    with pytest.raises(RateNotStored) as first:
        liability_assess(**claim)
    fetch_what_is_missing(first.value)

    # Wednesday's table is stored, yet Thursday does not take it: the day is unknown, asked again.
    with pytest.raises(RateNotStored) as second:
        liability_assess(**claim)
    assert second.value.fetch_ranges == ((thursday, thursday),)
    assert RateAbsence.objects.get().day == thursday
    nbp_server.set_rate(thursday, *published)  # the NBP answers with it this time
    fetch_what_is_missing(second.value)
    result = liability_assess(**claim)

    assert (result.lines[0].table, result.lines[0].rate) == published
    assert nbp_server.requests[-1] == PATH.format(thursday, thursday)
    assert not RateAbsence.objects.exists()


def test_the_client_retries_a_malformed_answer_a_bounded_number_of_times_and_says_it_is_malformed(nbp_server):
    nbp_server.set_rate(date(2025, 5, 23), "099/A/NBP/2025", "true")
    naps: list[float] = []

    with (
        NbpClient(nbp_server.url, retries=2, backoff=0.1, sleep=naps.append) as client,
        pytest.raises(NbpBadAnswer, match="with something that is not table A after 3 attempts"),
    ):
        client.rates("EUR", date(2025, 5, 19), date(2025, 5, 23))

    assert (nbp_server.request_count, naps) == (3, [0.1, 0.2])


@pytest.mark.django_db(transaction=True)
def test_the_fetch_task_gives_up_on_a_malformed_answer_after_bounded_retries(
    nbp_server, celery_worker, settings
):
    settings.NBP_FETCH_MALFORMED_RETRIES = 3  # the worker's default too
    nbp_server.set_rate(date(2025, 5, 23), "099/A/NBP/2025", "true")

    with pytest.raises(NbpBadAnswer):
        fetch_rates.delay(currency="EUR", start="2025-05-19", end="2025-05-23").get(timeout=60)

    # 1 try and 3 retries of the task, each 2 requests (NBP_RETRIES = 1): then given up, not forever.
    assert nbp_server.request_count == 8
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_fetch_task_does_not_retry_a_400(nbp_server, celery_worker):
    nbp_server.status = 400

    with pytest.raises(NbpBadRequest):
        fetch_rates.delay(currency="EUR", start="2025-05-19", end="2025-05-23").get(timeout=60)

    assert nbp_server.request_count == 1
