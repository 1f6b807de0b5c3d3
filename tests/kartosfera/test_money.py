from decimal import Decimal

import pytest

from kartosfera.formatting import format_long_date, format_money
from kartosfera.money import Money, MoneyError, decimals_to_write, minor_units, round_grosz, to_decimal


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


@pytest.mark.parametrize(
    ("currency", "units"),
    [
        ("PLN", 2),
        ("EUR", 2),
        ("JPY", 0),
        ("CLP", 0),
        ("ISK", 0),
        ("KWD", 3),
        ("IQD", 3),
        ("CLF", 4),
        ("UYW", 4),
        # ISO 4217 gives these 2 where CLDR's cash digits (babel's get_currency_precision) give 0.
        ("RSD", 2),
        ("ALL", 2),
        ("AFN", 2),
        ("IRR", 2),
        ("LBP", 2),
        ("MGA", 2),
        ("MMK", 2),
        ("SOS", 2),
        ("SYP", 2),
        ("YER", 2),
        ("LAK", 2),
        ("KPW", 2),
        ("XYZ", 2),
    ],
)
def test_minor_units_are_iso_4217s(currency, units):
    assert minor_units(currency) == units


@pytest.mark.parametrize(
    ("amount", "currency", "places"),
    [
        (Decimal("500.000"), "JPY", 0),
        (Decimal("500.250"), "JPY", 2),
        (Decimal("0.000"), "KWD", 3),
        (Decimal("1234.560"), "RSD", 2),
        (Decimal("88.875"), "PLN", 3),
        (Decimal("-1.23456"), "PLN", 5),
        (Decimal("1E+3"), "PLN", 2),
    ],
)
def test_an_amount_is_written_with_its_minor_units_or_the_decimals_it_carries(amount, currency, places):
    assert decimals_to_write(amount, currency) == places


@pytest.mark.parametrize(
    ("instant", "language", "expected"),
    [
        ("2026-12-06T23:30:59+00:00", "pl", "7 grudnia 2026, 00:30"),  # Warsaw's day and minute
        ("2026-06-30T12:05:00+00:00", "en", "30 June 2026, 14:05"),  # summer time, UTC+2
    ],
)
def test_a_moment_is_its_warsaw_day_in_words_and_time_to_the_minute(instant, language, expected):
    from datetime import datetime

    from kartosfera.formatting import format_moment

    assert format_moment(datetime.fromisoformat(instant), language=language) == expected
