from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kartosfera.formatting import format_amount_in_words, format_instant, format_money, format_rate
from kartosfera.legaltime import NaiveDatetimeError


@pytest.mark.parametrize(
    ("amount", "polish", "english"),
    [
        ("212.71", "dwieście dwanaście złotych 71/100", "two hundred and twelve zlotys 71/100"),
        ("1.00", "jeden złoty 00/100", "one zloty 00/100"),
        ("2.05", "dwa złote 05/100", "two zlotys 05/100"),
        ("12.00", "dwanaście złotych 00/100", "twelve zlotys 00/100"),
        ("22.00", "dwadzieścia dwa złote 00/100", "twenty-two zlotys 00/100"),
        ("0.50", "zero złotych 50/100", "zero zlotys 50/100"),
        ("1234.56", "tysiąc dwieście trzydzieści cztery złote 56/100", None),
        ("2399.99", "dwa tysiące trzysta dziewięćdziesiąt dziewięć złotych 99/100", None),
    ],
)
def test_amount_in_words_as_banks_write_it(amount, polish, english):
    assert format_amount_in_words(Decimal(amount)) == polish
    if english:
        assert format_amount_in_words(Decimal(amount), language="en") == english


def test_amount_in_words_refuses_a_negative_amount_and_a_float():
    with pytest.raises(ValueError, match="never negative"):
        format_amount_in_words(Decimal("-1.00"))
    with pytest.raises(ValueError, match="float"):
        format_amount_in_words(212.71)


@pytest.mark.parametrize(
    ("rate", "language", "expected"),
    [
        ("4.2541", "pl", "4,2541"),
        ("4.2541", "en", "4.2541"),
        ("4.25", "pl", "4,2500"),
        ("4.254123", "pl", "4,254123"),
    ],
)
def test_a_rate_keeps_every_published_decimal(rate, language, expected):
    assert format_rate(Decimal(rate), language=language) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2025, 5, 26, 5, 45, 12, tzinfo=UTC), "26 maja 2025, 07:45:12"),  # CEST, UTC+2
        (datetime(2025, 1, 15, 23, 30, 0, tzinfo=UTC), "16 stycznia 2025, 00:30:00"),  # CET: next day
    ],
)
def test_an_instant_is_shown_in_warsaw_time_to_the_second(instant, expected):
    assert format_instant(instant) == expected


def test_a_naive_instant_is_refused():
    with pytest.raises(NaiveDatetimeError):
        format_instant(datetime(2025, 5, 26, 7, 45, 12))


def test_an_alphabetic_currency_code_is_spaced_from_the_digits():
    assert format_money(Decimal("212.71"), language="en") == "PLN\u00a0212.71"
    assert format_money(Decimal("212.71"), "EUR", language="en") == "€212.71"
    assert format_money(Decimal("1234.56")) == "1\u00a0234,56\u00a0zł"
