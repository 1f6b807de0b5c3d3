"""The real NBP client against the local NBP server (tests/liability/nbp_server.py)."""

from datetime import date
from decimal import Decimal

import pytest

from liability.nbp import NbpBadAnswer, NbpBadRequest, NbpClient, NbpRate, NbpUnreachable, chunks, parse_rates
from tests.liability.nbp_server import REAL_EUR_RATES, NbpServer, publication_day_rates


@pytest.fixture
def server():
    # Every 2025 publication day, with the real rates of RULES.md where known.
    server = NbpServer(
        rates=publication_day_rates(date(2025, 1, 1), date(2025, 12, 31)) | REAL_EUR_RATES
    ).start()
    yield server
    server.stop()


def client_for(server, **options) -> NbpClient:
    return NbpClient(server.url, **({"timeout": 2.0, "retries": 0, "backoff": 0.0} | options))


def test_single_date_gives_the_exact_decimal_mid(nbp_server):
    with client_for(nbp_server) as client:
        rate = client.rate("EUR", date(2025, 5, 23))

    assert rate == NbpRate(
        code="EUR", table_no="099/A/NBP/2025", effective_date=date(2025, 5, 23), mid=Decimal("4.2541")
    )
    assert str(rate.mid) == "4.2541"
    assert nbp_server.requests == ["/api/exchangerates/rates/a/eur/2025-05-23/?format=json"]


def test_404_for_a_weekend_is_no_table_not_an_error(nbp_server):
    with client_for(nbp_server) as client:
        saturday = client.rate("EUR", date(2025, 5, 24))
        weekend = client.rates("EUR", date(2025, 5, 24), date(2025, 5, 25))

    assert (saturday, weekend) == (None, [])
    assert nbp_server.request_count == 2


def test_a_range_longer_than_93_days_is_split_into_requests_of_93_days(server):
    with client_for(server) as client:
        rates = client.rates("EUR", date(2025, 5, 1), date(2025, 9, 30))  # 153 days

    assert server.requests == [
        "/api/exchangerates/rates/a/eur/2025-05-01/2025-08-01/?format=json",
        "/api/exchangerates/rates/a/eur/2025-08-02/2025-09-30/?format=json",
    ]
    assert [r.effective_date for r in rates] == sorted(server.rates["EUR"])[
        sorted(server.rates["EUR"]).index(date(2025, 5, 2)) : sorted(server.rates["EUR"]).index(
            date(2025, 9, 30)
        )
        + 1
    ]
    assert client.requests_sent == 2


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 1, 1), date(2025, 1, 1), [(date(2025, 1, 1), date(2025, 1, 1))]),
        (date(2025, 1, 1), date(2025, 4, 3), [(date(2025, 1, 1), date(2025, 4, 3))]),  # 93 days
        (
            date(2025, 1, 1),
            date(2025, 4, 4),
            [(date(2025, 1, 1), date(2025, 4, 3)), (date(2025, 4, 4), date(2025, 4, 4))],
        ),
    ],
)
def test_chunks_hold_at_most_93_days(start, end, expected):
    assert chunks(start, end) == expected


def test_400_is_our_error_and_is_not_retried(server):
    # A client wrongly configured to ask 120 days at once: the NBP refuses the query.
    with client_for(server, max_days=120, retries=3) as client, pytest.raises(NbpBadRequest, match="93"):
        client.rates("EUR", date(2025, 1, 1), date(2025, 4, 30))

    assert server.request_count == 1


def test_5xx_is_retried_with_exponential_backoff_then_succeeds(server):
    server.fail_next(500, 503)
    waits = []

    with client_for(server, retries=2, backoff=0.5, sleep=waits.append) as client:
        rate = client.rate("EUR", date(2025, 5, 23))

    assert rate.table_no == "099/A/NBP/2025"
    assert server.request_count == 3
    assert waits == [0.5, 1.0]


def test_5xx_on_every_attempt_is_unreachable(server):
    server.fail_next(502, 502, 502)

    with client_for(server, retries=2) as client, pytest.raises(NbpUnreachable, match="3 attempts"):
        client.rate("EUR", date(2025, 5, 23))

    assert server.request_count == 3


def test_a_timeout_is_retried_then_unreachable(server):
    server.hang = True

    with client_for(server, timeout=0.2, retries=1) as client, pytest.raises(NbpUnreachable, match="Timeout"):
        client.rate("EUR", date(2025, 5, 23))

    assert server.request_count == 2


def test_a_stopped_server_is_unreachable_and_answers_again_once_started(server):
    server.stop()

    with client_for(server, retries=1) as client:
        with pytest.raises(NbpUnreachable, match="ConnectError"):
            client.rate("EUR", date(2025, 5, 23))
        server.start()
        rate = client.rate("EUR", date(2025, 5, 23))

    assert rate.mid == Decimal("4.2541")


@pytest.mark.parametrize(
    "content",
    [
        b"<html>proxy login</html>",
        b'{"table":"A","code":"USD","rates":[{"no":"099/A/NBP/2025","effectiveDate":"2025-05-23","mid":4.2541}]}',
        b'{"table":"B","code":"EUR","rates":[{"no":"099/A/NBP/2025","effectiveDate":"2025-05-23","mid":4.2541}]}',
        b'{"table":"A","code":"EUR","rates":[{"no":"099/A/NBP/2025","effectiveDate":"2025-05-23","mid":"4.2541"}]}',
        b'{"table":"A","code":"EUR","rates":[{"no":"099/A/NBP/2025","effectiveDate":"2025-05-23","mid":-1.0}]}',
        b'{"table":"A","code":"EUR","rates":[{"no":"099/A/NBP/2025","effectiveDate":"2025-06-23","mid":4.2541}]}',
        b'{"table":"A","code":"EUR"}',
    ],
)
def test_an_answer_that_is_not_table_a_for_what_was_asked_is_refused(content):
    with pytest.raises(NbpBadAnswer):
        parse_rates(content, code="EUR", start=date(2025, 5, 1), end=date(2025, 5, 31))


def test_parse_keeps_every_published_decimal():
    content = (
        b'{"table":"A","code":"EUR","rates":[{"no":"1/A/NBP/2025","effectiveDate":"2025-05-23","mid":4.25}]}'
    )

    (rate,) = parse_rates(content, code="EUR", start=date(2025, 5, 23), end=date(2025, 5, 23))

    assert str(rate.mid) == "4.25"
