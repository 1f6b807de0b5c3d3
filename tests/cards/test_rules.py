from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cards.rules import (
    contains_pan_like,
    expiry_date,
    is_expiry_date,
    limits_above_maximum,
    masked_card_number,
    settings_at,
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


def _t(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 5, 20, hour, minute, tzinfo=UTC)


# The card now: contactless off (switched off at 12:00), internet off since 11:00 and back on at 14:00.
NOW_SETTINGS = {"contactless_enabled": False, "internet_enabled": True, "status": "ACTIVE"}
HISTORY = [
    (_t(11), {"internet_enabled": {"from": True, "to": False}}),
    (_t(12), {"contactless_enabled": {"from": True, "to": False}}),
    (_t(13), {"status": {"from": "ACTIVE", "to": "BLOCKED"}, "unknown": {"from": 1, "to": 2}}),
    (_t(13, 30), {"status": {"from": "BLOCKED", "to": "ACTIVE"}}),
    (_t(14), {"internet_enabled": {"from": False, "to": True}}),
]


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (_t(10), {"contactless_enabled": True, "internet_enabled": True, "status": "ACTIVE"}),
        (_t(11), {"contactless_enabled": True, "internet_enabled": False, "status": "ACTIVE"}),  # at 11:00
        (_t(12, 30), {"contactless_enabled": False, "internet_enabled": False, "status": "ACTIVE"}),
        (_t(13, 10), {"contactless_enabled": False, "internet_enabled": False, "status": "BLOCKED"}),
        (_t(13, 45), {"contactless_enabled": False, "internet_enabled": False, "status": "ACTIVE"}),
        (_t(15), NOW_SETTINGS),
    ],
)
def test_the_settings_at_a_time_undo_every_later_change(at, expected):
    assert settings_at(current=NOW_SETTINGS, changes=HISTORY, at=at) == expected


def test_two_changes_at_the_same_instant_are_undone_newest_first():
    history = [
        (_t(12), {"daily_cash_limit": {"from": "1000.00", "to": "500.00"}}),
        (_t(12), {"daily_cash_limit": {"from": "500.00", "to": "200.00"}}),
    ]

    then = settings_at(current={"daily_cash_limit": "200.00"}, changes=history, at=_t(11))

    assert then == {"daily_cash_limit": "1000.00"}
