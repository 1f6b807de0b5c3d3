"""liability_assess: the engine with STORED rates only; what is missing is named, and a task fetches it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from liability import rules
from liability.engine import Findings, TransactionFacts
from liability.models import ExchangeRate
from liability.services import (
    RateNotStored,
    RateNotYetPublished,
    RateSourceUnreachable,
    liability_assess,
    rates_prefetch,
)
from liability.tasks import fetch_rates
from tests.liability.nbp_server import REAL_EUR_RATES, publication_day_rates

WARSAW = ZoneInfo("Europe/Warsaw")
LATER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def full_2025(nbp_server):
    nbp_server.rates["EUR"] = publication_day_rates(date(2025, 1, 1), date(2025, 12, 31)) | REAL_EUR_RATES
    return nbp_server


def facts(tx_id: str, amount: str, executed_at: datetime, sca: bool = True) -> TransactionFacts:
    return TransactionFacts(id=tx_id, amount=Decimal(amount), executed_at=executed_at, sca_applied=sca)


def assess_after_fetching(**claim):
    """Assess; on a missing rate, run the fetch task for every range the error names, then assess again."""
    try:
        return liability_assess(**claim)
    except RateNotStored as missing:
        for start, end in missing.fetch_ranges:
            fetch_rates.apply(
                kwargs={"currency": missing.currency, "start": start.isoformat(), "end": end.isoformat()}
            ).get()
    return liability_assess(**claim)


@pytest.mark.django_db
def test_rules_md_example_with_the_rate_fetched_from_the_nbp(nbp_server):
    claim = {
        "transactions": [facts("t1", "800.00", datetime(2025, 5, 23, 10, 0, tzinfo=WARSAW))],
        "reported_at": datetime(2025, 5, 23, 18, 0, tzinfo=WARSAW),
        "cause": "LOST",
        "findings": Findings(),
        "now": LATER,
    }

    with pytest.raises(RateNotStored) as missing:
        liability_assess(**claim)
    assert missing.value.fetch_ranges == ((date(2025, 5, 13), date(2025, 5, 23)),)
    assert nbp_server.request_count == 0  # reading storage never asks the NBP
    result = assess_after_fetching(**claim)

    (line,) = result.lines
    assert (line.rule, line.customer, line.bank) == (rules.CAP, Decimal("212.71"), Decimal("587.29"))
    assert (line.rate, line.table) == (Decimal("4.2541"), "099/A/NBP/2025")
    assert "50 EUR × 4,2541 (tabela 099/A/NBP/2025) = 212,71\xa0zł" in line.explanation_pl


@pytest.mark.django_db
def test_00_30_warsaw_uses_the_warsaw_dates_table_not_the_utc_dates(full_2025):
    executed = datetime(2025, 5, 22, 22, 30, tzinfo=UTC)  # 00:30 on 23 May in Warsaw

    result = assess_after_fetching(
        transactions=[facts("night", "800.00", executed)],
        reported_at=datetime(2025, 5, 23, 8, 0, tzinfo=WARSAW),
        cause="STOLEN",
        findings=Findings(),
        now=LATER,
    )

    assert ExchangeRate.objects.filter(effective_date=date(2025, 5, 22)).exists()  # it was available
    assert (result.lines[0].table, result.lines[0].customer) == ("099/A/NBP/2025", Decimal("212.71"))


def claim_of_200_transactions() -> list[TransactionFacts]:
    """200 card payments spread over 120 days, 2025-03-01..2025-06-28, at varied hours."""
    first = datetime(2025, 3, 1, 8, 0, tzinfo=WARSAW)
    return [
        facts(
            f"t{n:03d}", f"{10 + n % 37}.{n % 100:02d}", first + timedelta(days=n * 119 // 199, hours=n % 13)
        )
        for n in range(200)
    ]


@pytest.mark.django_db
def test_a_claim_of_200_transactions_over_120_days_costs_2_requests_cold_and_none_warm(full_2025):
    transactions = claim_of_200_transactions()
    assert (transactions[-1].executed_on - transactions[0].executed_on).days == 119
    claim = {
        "transactions": transactions,
        "reported_at": datetime(2025, 7, 1, 9, 0, tzinfo=WARSAW),
        "cause": "LOST",
        "findings": Findings(),
        "now": LATER,
    }

    cold = assess_after_fetching(**claim)
    cold_requests = full_2025.request_count
    warm = liability_assess(**claim)

    assert cold_requests == 2
    assert full_2025.request_count == 2  # warm: nothing more
    assert warm == cold
    assert {line.rule for line in cold.lines} == {rules.CAP}
    # Saturday 1 March takes Friday 28 February's table (the 41st of 2025).
    assert (cold.lines[0].rate_date, cold.lines[0].table) == (date(2025, 3, 1), "041/A/NBP/2025")
    # The cap is consumed by the first payments, in execution order, then nothing more is charged.
    paying = [line.customer > 0 for line in cold.lines]
    assert paying == sorted(paying, reverse=True) and 1 < paying.count(True) < 200
    paid_eur = sum(Fraction(line.customer) / Fraction(line.rate) for line in cold.lines)
    assert abs(paid_eur - 50) <= max(Fraction("0.005") / Fraction(line.rate) for line in cold.lines)


@pytest.mark.django_db
def test_a_claim_with_no_capped_transaction_asks_no_rate(nbp_server):
    result = liability_assess(
        transactions=[facts("t1", "800.00", datetime(2025, 5, 23, 10, 0, tzinfo=WARSAW), sca=False)],
        reported_at=datetime(2025, 5, 23, 18, 0, tzinfo=WARSAW),
        cause="LOST",
        findings=Findings(),
        now=LATER,
    )

    assert result.lines[0].rule == rules.NO_SCA
    assert nbp_server.request_count == 0


@pytest.mark.django_db
def test_a_hanging_nbp_does_not_hold_the_assessment_which_names_what_to_fetch(nbp_server):
    nbp_server.hang = True  # a request that called the NBP would wait for its timeout

    with pytest.raises(RateNotStored) as raised:
        liability_assess(
            transactions=[facts("t1", "800.00", datetime(2025, 5, 23, 10, 0, tzinfo=WARSAW))],
            reported_at=datetime(2025, 5, 23, 18, 0, tzinfo=WARSAW),
            cause="LOST",
            findings=Findings(),
            now=LATER,
        )

    assert (raised.value.currency, raised.value.on) == ("EUR", date(2025, 5, 23))
    assert raised.value.fetch_ranges == ((date(2025, 5, 13), date(2025, 5, 23)),)
    assert nbp_server.request_count == 0
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_prefetching_with_an_unreachable_nbp_raises_the_specific_error_when_the_date_is_asked(nbp_server):
    nbp_server.stop()

    rates = rates_prefetch(dates=[date(2025, 5, 23)], now=LATER)

    with pytest.raises(RateSourceUnreachable) as raised:
        rates(date(2025, 5, 23))
    assert (raised.value.currency, raised.value.on) == ("EUR", date(2025, 5, 23))
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_a_capped_transaction_of_today_before_publication_waits_for_the_rate(full_2025):
    friday = date(2025, 5, 23)
    del full_2025.rates["EUR"][friday]
    now = datetime(2025, 5, 23, 11, 0, tzinfo=WARSAW)
    rates_prefetch(dates=[date(2025, 5, 22), friday], now=now)  # the fetch task's work: Thursday's

    with pytest.raises(RateNotYetPublished) as raised:
        liability_assess(
            transactions=[
                facts("yesterday", "20.00", datetime(2025, 5, 22, 10, 0, tzinfo=WARSAW)),
                facts("today", "800.00", datetime(2025, 5, 23, 9, 0, tzinfo=WARSAW)),
            ],
            reported_at=datetime(2025, 5, 23, 10, 0, tzinfo=WARSAW),
            cause="LOST",
            findings=Findings(),
            now=now,
        )

    assert raised.value.on == friday
    assert full_2025.request_count == 1


@pytest.mark.django_db
def test_prefetch_resolves_every_date_from_one_load(full_2025):
    rates = rates_prefetch(dates=[date(2025, 5, 20), date(2025, 5, 24), date(2025, 5, 28)], now=LATER)

    assert rates(date(2025, 5, 24)) == (Decimal("4.2541"), "099/A/NBP/2025")
    assert rates(date(2025, 5, 20)) == (Decimal("4.2497"), "096/A/NBP/2025")
    assert rates.requests == 1


@pytest.mark.django_db
def test_a_date_that_was_not_prefetched_is_a_caller_bug_not_a_missing_rate(full_2025):
    rates = rates_prefetch(dates=[date(2025, 5, 23)], now=LATER)

    with pytest.raises(LookupError, match="not read"):
        rates(date(2025, 7, 1))
