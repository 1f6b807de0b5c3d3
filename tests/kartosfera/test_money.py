from decimal import Decimal

import pytest

from kartosfera.formatting import format_long_date, format_money
from kartosfera.money import Money, MoneyError, round_grosz, to_decimal


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("212.485", Decimal("212.49")),  # RULES.md: half-up at the grosz
        ("212.484", Decimal("212.48")),
        ("0.005", Decimal("0.01")),
        ("-0.005", Decimal("-0.01")),
        ("800", Decimal("800.00")),
    ],
)
def test_round_grosz_is_half_up(amount, expected):
    assert round_grosz(Decimal(amount)) == expected


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", "Infinity"])
def test_to_decimal_refuses_floats_and_non_numbers(bad):
    with pytest.raises(MoneyError):
        to_decimal(bad)


def test_to_decimal_accepts_a_polish_decimal_comma():
    assert to_decimal("1234,56") == Decimal("1234.56")


def test_money_adds_only_the_same_currency():
    assert Money(Decimal("1.10")) + Money(Decimal("2.20")) == Money(Decimal("3.30"))
    with pytest.raises(MoneyError):
        Money(Decimal("1"), "PLN") + Money(Decimal("1"), "EUR")


def test_formatting_polish_and_english():
    from datetime import date

    assert format_money(Decimal("1234.56")) == "1\xa0234,56\xa0zł"
    assert format_long_date(date(2026, 11, 21)) == "21 listopada 2026"
    assert format_long_date(date(2026, 11, 21), language="en") == "21 November 2026"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-12-06T23:30:00+00:00", "7 grudnia 2026"),  # 00:30 in Warsaw (CET): the next day
        ("2026-12-06T22:59:59+00:00", "6 grudnia 2026"),  # 23:59:59 in Warsaw
        ("2026-06-30T22:15:00+00:00", "1 lipca 2026"),  # 00:15 in Warsaw (CEST, UTC+2)
        ("2026-06-30T21:59:00+00:00", "30 czerwca 2026"),
    ],
)
def test_an_instant_is_written_as_its_day_in_warsaw_not_in_utc(instant, expected):
    from datetime import datetime

    assert format_long_date(datetime.fromisoformat(instant)) == expected


def test_a_naive_instant_is_refused_rather_than_guessed():
    from datetime import datetime

    from kartosfera.legaltime import NaiveDatetimeError

    with pytest.raises(NaiveDatetimeError):
        format_long_date(datetime(2026, 12, 6, 23, 30))
