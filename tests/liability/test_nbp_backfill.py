from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from liability.models import ExchangeRate, RateCoverage
from tests.liability.nbp_server import REAL_EUR_RATES, publication_day_rates


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("nbp_backfill", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_backfill_stores_the_range_and_prints_what_it_stored(nbp_server):
    nbp_server.rates["EUR"] |= publication_day_rates(date(2025, 5, 19), date(2025, 5, 25)) | REAL_EUR_RATES

    output = backfill("--from", "2025-05-19", "--to", "2025-05-25", "--currency", "EUR")

    assert output.splitlines() == [
        "EUR 2025-05-19 4.2056 095/A/NBP/2025 (new)",
        "EUR 2025-05-20 4.2497 096/A/NBP/2025 (new)",
        "EUR 2025-05-21 4.2058 097/A/NBP/2025 (new)",
        "EUR 2025-05-22 4.2059 098/A/NBP/2025 (new)",
        "EUR 2025-05-23 4.2541 099/A/NBP/2025 (new)",
        "EUR 2025-05-19..2025-05-25: 5 new, 0 corrected, 0 already stored; known through 2025-05-25; "
        "1 request(s) to the NBP",
    ]
    assert ExchangeRate.objects.count() == 5
    assert list(RateCoverage.objects.values_list("start_on", "end_on")) == [
        (date(2025, 5, 19), date(2025, 5, 25))
    ]


@pytest.mark.django_db
def test_backfill_names_the_business_days_the_answer_lacked_and_leaves_them_unknown(nbp_server):
    output = backfill("--from", "2025-05-19", "--to", "2025-05-25")

    assert output.splitlines()[-2:] == [
        "missing from the NBP's answer, asked again later: 2025-05-19, 2025-05-21, 2025-05-22",
        "EUR 2025-05-19..2025-05-25: 2 new, 0 corrected, 0 already stored; 2025-05-19 not known yet; "
        "1 request(s) to the NBP",
    ]
    assert list(RateCoverage.objects.values_list("start_on", "end_on")) == [
        (date(2025, 5, 20), date(2025, 5, 20)),
        (date(2025, 5, 23), date(2025, 5, 25)),
    ]


@pytest.mark.django_db
def test_backfill_again_asks_nothing_and_refresh_asks_again(nbp_server):
    nbp_server.rates["EUR"] |= publication_day_rates(date(2025, 5, 19), date(2025, 5, 25)) | REAL_EUR_RATES
    backfill("--from", "2025-05-20", "--to", "2025-05-23")

    again = backfill("--from", "2025-05-20", "--to", "2025-05-23")
    refreshed = backfill("--from", "2025-05-20", "--to", "2025-05-23", "--refresh")

    assert again.splitlines() == [
        "EUR 2025-05-20..2025-05-23: 0 new, 0 corrected, 0 already stored; known through 2025-05-23; "
        "0 request(s) to the NBP"
    ]
    assert refreshed.splitlines() == [
        "EUR 2025-05-20..2025-05-23: 0 new, 0 corrected, 4 already stored; known through 2025-05-23; "
        "1 request(s) to the NBP"
    ]
    assert nbp_server.request_count == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2025-05-23", "--to", "2025-05-20"), "after"),
        (("--from", "23.05.2025", "--to", "2025-05-30"), "not a date"),
    ],
)
def test_backfill_refuses_bad_dates(nbp_server, args, message):
    with pytest.raises(CommandError, match=message):
        backfill(*args)

    assert nbp_server.request_count == 0


@pytest.mark.django_db
def test_backfill_reports_an_unreachable_nbp_and_stores_nothing(nbp_server):
    nbp_server.stop()

    with pytest.raises(CommandError, match="NBP did not answer"):
        backfill("--from", "2025-05-20", "--to", "2025-05-23")

    assert not ExchangeRate.objects.exists()
