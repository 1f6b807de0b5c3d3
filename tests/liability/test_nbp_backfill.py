from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from liability.models import ExchangeRate, RateCoverage


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("nbp_backfill", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_backfill_stores_the_range_and_prints_what_it_stored(nbp_server):
    output = backfill("--from", "2025-05-01", "--to", "2025-09-30", "--currency", "EUR")

    assert output.splitlines() == [
        "EUR 2025-05-20 4.2497 096/A/NBP/2025 (new)",
        "EUR 2025-05-23 4.2541 099/A/NBP/2025 (new)",
        "EUR 2025-05-28 4.2447 102/A/NBP/2025 (new)",
        "EUR 2025-06-13 4.2720 114/A/NBP/2025 (new)",
        "EUR 2025-09-05 4.2476 172/A/NBP/2025 (new)",
        "EUR 2025-05-01..2025-09-30: 5 new, 0 corrected, 0 already stored; known through 2025-09-30; "
        "2 request(s) to the NBP",
    ]
    assert ExchangeRate.objects.count() == 5
    assert list(RateCoverage.objects.values_list("start_on", "end_on")) == [
        (date(2025, 5, 1), date(2025, 9, 30))
    ]


@pytest.mark.django_db
def test_backfill_again_stores_nothing_new(nbp_server):
    backfill("--from", "2025-05-20", "--to", "2025-05-23")

    output = backfill("--from", "2025-05-20", "--to", "2025-05-23")

    assert output.splitlines() == [
        "EUR 2025-05-20..2025-05-23: 0 new, 0 corrected, 2 already stored; known through 2025-05-23; "
        "1 request(s) to the NBP"
    ]


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
