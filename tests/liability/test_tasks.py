"""liability.tasks: fetching NBP rates in Celery, retrying while the NBP is down (eager and real worker)."""

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings

from kartosfera.celery import app
from liability.models import ExchangeRate, RateSource
from liability.nbp import NbpUnreachable
from liability.services import RateSourceUnreachable, rate_on
from liability.tasks import fetch_rates, fetch_recent_rates
from tests.liability.nbp_server import REAL_EUR_RATES, publication_day_rates

LATER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_fetch_rates_stores_the_range_and_is_idempotent_without_asking_again(nbp_server, celery_worker):
    published = publication_day_rates(date(2025, 5, 1), date(2025, 9, 30)) | REAL_EUR_RATES
    nbp_server.rates["EUR"] = published

    first = fetch_rates.delay(currency="EUR", start="2025-05-01", end="2025-09-30").get(timeout=30)
    again = fetch_rates.delay(currency="EUR", start="2025-05-01", end="2025-09-30").get(timeout=30)

    assert first["created"] == [day.isoformat() for day in sorted(published)]
    assert first["asked"] == [["2025-05-01", "2025-09-30"]]
    assert (first["requests"], first["covered_through"], first["attempt"], first["lacking"]) == (
        2,
        "2025-09-30",
        1,
        [],
    )
    assert (again["asked"], again["requests"], again["created"], again["covered_through"]) == (
        [],
        0,
        [],
        "2025-09-30",
    )
    assert nbp_server.request_count == 2
    assert ExchangeRate.objects.filter(source=RateSource.NBP).count() == len(published)


@pytest.mark.django_db(transaction=True)
def test_while_the_nbp_is_down_rate_on_fails_and_the_task_retries_until_it_answers(nbp_server, celery_worker):
    nbp_server.stop()

    # The caller gets the specific error, and nothing is stored.
    with pytest.raises(RateSourceUnreachable):
        rate_on(on=date(2025, 5, 23), now=LATER)
    assert not ExchangeRate.objects.exists()

    # The NBP comes back 1.5 s later; meanwhile the task retries with backoff (0.2 s, 0.4 s, 0.8 s, 1 s…).
    restart = threading.Timer(1.5, nbp_server.start)
    restart.start()
    try:
        result = fetch_rates.delay(currency="EUR", start="2025-05-13", end="2025-05-23").get(timeout=60)
    finally:
        restart.join()

    assert result["attempt"] >= 2  # it failed at least once before the NBP answered
    assert result["created"] == ["2025-05-20", "2025-05-23"]
    served = nbp_server.request_count
    rate = rate_on(on=date(2025, 5, 23), now=LATER)
    assert (rate.table_no, rate.mid) == ("099/A/NBP/2025", Decimal("4.2541"))
    assert nbp_server.request_count == served  # now answered from storage


@pytest.mark.skipif(not django_settings.CELERY_TASK_ALWAYS_EAGER, reason="eager mode only")
@pytest.mark.django_db
def test_in_eager_mode_the_retries_are_bounded_and_the_error_reaches_the_caller(nbp_server, settings):
    settings.NBP_FETCH_EAGER_RETRIES = 2
    settings.NBP_FETCH_RETRY_BASE_SECONDS = 0.01
    nbp_server.stop()

    with pytest.raises(NbpUnreachable):
        fetch_rates.delay(currency="EUR", start="2025-05-13", end="2025-05-23")

    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_fetch_recent_rates_takes_the_last_days_up_to_today(nbp_server):
    nbp_server.rates["EUR"] = publication_day_rates(date(2025, 5, 19), date(2025, 5, 23)) | REAL_EUR_RATES
    # Monday 26 May 2025, 12:35 Warsaw: the beat entry runs in the process (the clock is travelled).
    with time_machine.travel(datetime(2025, 5, 26, 10, 35, tzinfo=UTC), tick=False):
        result = fetch_recent_rates.apply(kwargs={"currency": "EUR", "days": 7}).get()

    assert (result["start"], result["end"]) == ("2025-05-19", "2025-05-26")
    assert result["created"] == ["2025-05-19", "2025-05-20", "2025-05-21", "2025-05-22", "2025-05-23"]
    # Monday's table is not in the answer: the day is not known yet, Sunday is.
    assert result["covered_through"] == "2025-05-25"


def test_beat_fetches_table_a_after_publication_on_business_days():
    schedule = django_settings.CELERY_BEAT_SCHEDULE

    entries = [entry for entry in schedule.values() if entry["task"] == "liability.tasks.fetch_recent_rates"]

    assert [entry["schedule"] for entry in entries] == [
        crontab(hour=12, minute=35, day_of_week="mon-fri"),
        crontab(hour=14, minute=0, day_of_week="mon-fri"),
    ]
    assert django_settings.CELERY_TIMEZONE == "Europe/Warsaw"
    assert {"liability.tasks.fetch_rates", "liability.tasks.fetch_recent_rates"} <= set(app.tasks.keys())
