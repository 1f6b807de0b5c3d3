"""rate_on: stored rates first, one range request for a gap, RATE_DAY, and every "no rate" outcome."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from liability.models import ExchangeRate, RateAbsence, RateCoverage, RateSource
from liability.services import (
    RateNotFound,
    RateNotStored,
    RateNotYetPublished,
    RateSourceUnreachable,
    RateUnavailable,
    rate_on,
    rates_fetch_range,
)
from tests.liability.nbp_server import REAL_EUR_RATES, publication_day_rates

WARSAW = ZoneInfo("Europe/Warsaw")
LATER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # long after the 2025 tables were published


@pytest.fixture
def full_2025(nbp_server):
    """The local NBP with a table for every 2025 publication day (the real rates where known)."""
    nbp_server.rates["EUR"] = publication_day_rates(date(2025, 1, 1), date(2025, 12, 31)) | REAL_EUR_RATES
    return nbp_server


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


@pytest.mark.django_db
def test_same_day_rate_is_fetched_once_then_read_from_storage(nbp_server):
    first = rate_on(on=date(2025, 5, 23), now=LATER)
    second = rate_on(on=date(2025, 5, 23), now=LATER)

    assert first == second
    assert (first.table_no, first.mid, first.effective_date, first.source) == (
        "099/A/NBP/2025",
        Decimal("4.2541"),
        date(2025, 5, 23),
        RateSource.NBP,
    )
    assert str(first.mid) == "4.2541"
    assert nbp_server.requests == ["/api/exchangerates/rates/a/eur/2025-05-13/2025-05-23/?format=json"]


@pytest.mark.django_db
def test_a_weekend_takes_fridays_table_and_the_known_gap_costs_no_request(full_2025):
    sunday = rate_on(on=date(2025, 5, 25), now=LATER)
    saturday = rate_on(on=date(2025, 5, 24), now=LATER)

    assert saturday.table_no == sunday.table_no == "099/A/NBP/2025"
    # Saturday: the range asked for Sunday covered it, so storage knows there was no table that day.
    assert full_2025.requests == ["/api/exchangerates/rates/a/eur/2025-05-15/2025-05-25/?format=json"]


@pytest.mark.django_db
def test_last_before_policy_takes_the_table_of_the_day_before(full_2025, settings):
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "RATE_DAY": "LAST_BEFORE"}

    friday = rate_on(on=date(2025, 5, 23), now=LATER)
    monday = rate_on(on=date(2025, 5, 26), now=LATER)

    assert friday.effective_date == date(2025, 5, 22)
    assert friday.table_no == "098/A/NBP/2025"
    assert (monday.table_no, monday.mid) == ("099/A/NBP/2025", Decimal("4.2541"))


@pytest.mark.django_db
def test_same_day_or_last_before_is_the_default_policy(full_2025):
    assert rate_on(on=date(2025, 5, 23), now=LATER).table_no == "099/A/NBP/2025"


@pytest.mark.django_db
def test_an_unknown_rate_day_policy_is_a_configuration_error(nbp_server, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "RATE_DAY": "AVERAGE"}

    with pytest.raises(ImproperlyConfigured):
        rate_on(on=date(2025, 5, 23), now=LATER)


@pytest.mark.django_db
def test_stored_rates_with_coverage_are_used_without_asking_the_nbp(nbp_server):
    ExchangeRate.objects.create(
        currency="EUR",
        table_no="099/A/NBP/2025",
        effective_date=date(2025, 5, 23),
        mid=Decimal("4.2541"),
        source=RateSource.FIXTURE,
        fetched_at=LATER,
    )
    RateCoverage.objects.create(
        currency="EUR",
        start_on=date(2025, 5, 20),
        end_on=date(2025, 5, 26),
        source=RateSource.NBP,
        recorded_at=LATER,
    )

    rate = rate_on(on=date(2025, 5, 25), now=LATER)

    assert (rate.table_no, rate.source) == ("099/A/NBP/2025", RateSource.FIXTURE)
    assert nbp_server.request_count == 0


@pytest.mark.django_db
def test_today_before_the_table_is_published_is_not_yet_published_not_yesterdays_rate(full_2025):
    friday = date(2025, 5, 23)
    del full_2025.rates["EUR"][friday]  # 10:00 on Friday: the NBP has not published table 099 yet

    with pytest.raises(RateNotYetPublished) as raised:
        rate_on(on=friday, now=warsaw(2025, 5, 23, 10, 0))

    assert (raised.value.currency, raised.value.on) == ("EUR", friday)
    assert not ExchangeRate.objects.filter(effective_date=friday).exists()
    # Thursday's table was stored, but the day is not covered: Friday's table is still to come.
    assert RateCoverage.objects.get().end_on == date(2025, 5, 22)

    full_2025.set_rate(friday, "099/A/NBP/2025", Decimal("4.2541"))  # published at ~12:15
    rate = rate_on(on=friday, now=warsaw(2025, 5, 23, 12, 40))

    assert (rate.table_no, rate.mid) == ("099/A/NBP/2025", Decimal("4.2541"))
    assert full_2025.request_count == 2
    assert RateCoverage.objects.get().end_on == friday


@pytest.mark.django_db
def test_a_future_date_is_not_yet_published_and_the_nbp_is_not_asked(nbp_server):
    with pytest.raises(RateNotYetPublished):
        rate_on(on=date(2025, 5, 26), now=warsaw(2025, 5, 23, 15, 0))

    assert nbp_server.request_count == 0


@pytest.mark.django_db
def test_today_without_a_table_takes_the_last_table(full_2025):
    # Saturday: there will be no table today, so Friday's applies at once.
    rate = rate_on(on=date(2025, 5, 24), now=warsaw(2025, 5, 24, 9, 0))

    assert rate.table_no == "099/A/NBP/2025"
    assert RateCoverage.objects.get().end_on == date(2025, 5, 24)


@pytest.mark.django_db
def test_nbp_unreachable_raises_the_specific_error_and_stores_nothing(nbp_server):
    nbp_server.stop()

    with pytest.raises(RateSourceUnreachable) as raised:
        rate_on(on=date(2025, 5, 23), now=LATER)

    error = raised.value
    assert isinstance(error, RateUnavailable)
    assert (error.currency, error.on, error.fetch_start, error.fetch_end) == (
        "EUR",
        date(2025, 5, 23),
        date(2025, 5, 13),
        date(2025, 5, 23),
    )
    assert not ExchangeRate.objects.exists()
    assert not RateCoverage.objects.exists()


@pytest.mark.django_db
def test_no_table_anywhere_near_is_not_found_once_a_second_answer_a_day_later_confirms_it(nbp_server):
    # The first answer (404) lacks nine publication days: not yet taken as days without a table.
    with pytest.raises(RateNotStored):
        rate_on(on=date(2001, 12, 20), now=LATER)
    assert RateAbsence.objects.filter(confirmed_at__isnull=True).count() == 9

    # An hour later the same answer is not confirmation enough; a day later it is.
    with pytest.raises(RateNotStored):
        rate_on(on=date(2001, 12, 20), now=LATER + timedelta(hours=1))
    with pytest.raises(RateNotFound):
        rate_on(on=date(2001, 12, 20), now=LATER + timedelta(hours=24))

    assert nbp_server.request_count == 3
    assert list(RateCoverage.objects.values_list("start_on", "end_on")) == [
        (date(2001, 12, 10), date(2001, 12, 20))
    ]
    assert RateAbsence.objects.filter(confirmed_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_fetching_a_range_twice_stores_each_table_once_and_merges_coverage(full_2025):
    first = rates_fetch_range(currency="EUR", start=date(2025, 5, 1), end=date(2025, 5, 31), now=LATER)
    again = rates_fetch_range(currency="EUR", start=date(2025, 5, 1), end=date(2025, 5, 31), now=LATER)
    next_month = rates_fetch_range(currency="EUR", start=date(2025, 6, 1), end=date(2025, 6, 30), now=LATER)

    # May 2025: 22 weekdays but 1 May is a holiday; June: 21 weekdays but 19 June is Corpus Christi.
    assert (len(first.created), len(again.created), again.unchanged) == (21, 0, 0)
    assert (first.requests, again.requests, again.asked) == (1, 0, [])  # stored dates are not asked again
    assert ExchangeRate.objects.filter(effective_date__month=5).count() == 21
    assert len(next_month.created) == 20
    assert list(RateCoverage.objects.values_list("start_on", "end_on")) == [
        (date(2025, 5, 1), date(2025, 6, 30))
    ]


@pytest.mark.django_db
def test_an_nbp_rate_replaces_a_synthetic_one(nbp_server):
    ExchangeRate.objects.create(
        currency="EUR",
        table_no="SYNTHETIC-2025-05-23",
        effective_date=date(2025, 5, 23),
        mid=Decimal("4.3000"),
        source=RateSource.SYNTHETIC,
        fetched_at=LATER,
    )

    kept = rates_fetch_range(currency="EUR", start=date(2025, 5, 23), end=date(2025, 5, 23), now=LATER)
    assert (kept.requests, nbp_server.request_count) == (0, 0)  # a stored date is not asked again...

    # ...unless asked on purpose (nbp_backfill --refresh).
    result = rates_fetch_range(
        currency="EUR", start=date(2025, 5, 23), end=date(2025, 5, 23), now=LATER, refresh=True
    )

    row = ExchangeRate.objects.get(effective_date=date(2025, 5, 23))
    assert (row.source, row.table_no, row.mid) == (RateSource.NBP, "099/A/NBP/2025", Decimal("4.2541"))
    assert [r.effective_date for r in result.updated] == [date(2025, 5, 23)]


@pytest.mark.django_db
def test_days_after_today_are_never_asked(full_2025):
    result = rates_fetch_range(
        currency="EUR", start=date(2025, 5, 20), end=date(2025, 6, 30), now=warsaw(2025, 5, 23, 13, 0)
    )

    assert full_2025.requests == ["/api/exchangerates/rates/a/eur/2025-05-20/2025-05-23/?format=json"]
    assert result.covered_through == date(2025, 5, 23)
    assert max(r.effective_date for r in result.created) == date(2025, 5, 23)
    assert result.end == date(2025, 5, 23) and result.start + timedelta(days=3) == result.end


def test_rate_errors_survive_pickling_with_their_details():
    import pickle

    error = RateSourceUnreachable(
        "down",
        currency="EUR",
        on=date(2025, 5, 23),
        fetch_start=date(2025, 5, 13),
        fetch_end=date(2025, 5, 23),
    )

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)

    assert type(copy) is RateSourceUnreachable
    assert (str(copy), copy.currency, copy.on, copy.fetch_start, copy.fetch_end) == (
        "down",
        "EUR",
        date(2025, 5, 23),
        date(2025, 5, 13),
        date(2025, 5, 23),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"on": datetime(2025, 5, 23, 10, 0, tzinfo=UTC)}, TypeError),
        ({"on": date(2025, 5, 23), "currency": "EURO"}, ValueError),
    ],
)
def test_rate_on_refuses_a_datetime_or_a_bad_currency(nbp_server, arguments, error):
    with pytest.raises(error):
        rate_on(now=LATER, **arguments)

    assert nbp_server.request_count == 0
