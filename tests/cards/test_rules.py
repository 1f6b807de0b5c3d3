from datetime import date
from decimal import Decimal

import pytest

from cards.rules import (
    contains_pan_like,
    expiry_date,
    is_expiry_date,
    limits_above_maximum,
    masked_card_number,
)


def test_card_number_is_masked_to_the_last_four_digits():
    assert masked_card_number("1234") == "•••• 1234"


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2028, 2, date(2028, 2, 29)),  # leap year
        (2027, 2, date(2027, 2, 28)),
        (2029, 4, date(2029, 4, 30)),
        (2029, 12, date(2029, 12, 31)),
    ],
)
def test_card_expires_on_the_last_day_of_its_month(year, month, expected):
    assert expiry_date(year, month) == expected
    assert is_expiry_date(expected)


def test_other_days_are_not_expiry_dates():
    assert not is_expiry_date(date(2029, 4, 29))


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "card 5500005555555559 used",
        "4222222222222",  # 13-digit Visa
        "6759649826438453123",  # 19-digit Maestro
    ],
)
def test_anything_like_a_card_number_is_detected(text):
    assert contains_pan_like(text)


@pytest.mark.parametrize(
    "text",
    [
        "44051401359",
        "+48601234567",
        "tok_abcdef",
        "•••• 1234",
        "411111111111",
        "4111 1111 1111",
        "2026-05-20 10:15",
    ],
)
def test_shorter_numbers_are_not_card_numbers(text):
    assert not contains_pan_like(text)


def test_limits_above_the_product_maximum_are_named():
    maxima = {"cash": Decimal("10000.00"), "pos": Decimal("20000.00"), "internet": Decimal("15000.00")}
    limits = {"cash": Decimal("10000.00"), "pos": Decimal("20000.01"), "internet": Decimal("0.00")}

    assert limits_above_maximum(limits=limits, maxima=maxima) == ["pos"]
