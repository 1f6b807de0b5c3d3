from datetime import date
from decimal import Decimal

import pytest

from reports.rules import (
    Period,
    PeriodProblem,
    ageing_buckets,
    bar_extent,
    default_period,
    period_problems,
    share,
)


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 11, 21), date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
        (date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_the_default_period_is_the_last_full_month(today, first, last):
    assert default_period(today) == Period(first, last)


@pytest.mark.parametrize(
    ("first", "last", "problems"),
    [
        (date(2026, 10, 1), date(2026, 10, 31), []),
        (date(2026, 11, 21), date(2026, 11, 21), []),
        (date(2026, 10, 2), date(2026, 10, 1), [PeriodProblem.FROM_AFTER_TO]),
        (date(2026, 11, 1), date(2026, 11, 22), [PeriodProblem.IN_THE_FUTURE]),
        (date(2025, 11, 20), date(2026, 11, 21), [PeriodProblem.TOO_LONG]),  # 367 days
        (date(1999, 12, 31), date(2000, 1, 1), [PeriodProblem.BEFORE_RECORDS]),
        (date(2000, 1, 1), date(2000, 1, 1), []),
        (date(1, 1, 1), date(1, 1, 1), [PeriodProblem.BEFORE_RECORDS]),
        (date(2025, 11, 21), date(2026, 11, 21), []),  # 366 days, the most
    ],
)
def test_period_problems(first, last, problems):
    assert period_problems(first, last, today=date(2026, 11, 21)) == problems


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 0, None),
        (0, 3, Decimal("0.0")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
        (3, 3, Decimal("100.0")),
    ],
)
def test_share_rounds_half_up_to_a_tenth_of_a_per_cent(part, whole, expected):
    assert share(part, whole) == expected


def test_a_share_above_the_whole_is_refused():
    with pytest.raises(ValueError):
        share(4, 3)


def test_ageing_buckets_as_received_date_ranges():
    buckets = ageing_buckets(date(2026, 10, 31))
    assert [(b.key, b.received_from, b.received_to) for b in buckets] == [
        ("0-7", date(2026, 10, 24), date(2026, 10, 31)),
        ("8-14", date(2026, 10, 17), date(2026, 10, 23)),
        ("15-30", date(2026, 10, 1), date(2026, 10, 16)),
        ("31-60", date(2026, 9, 1), date(2026, 9, 30)),
        ("61-", None, date(2026, 8, 31)),
    ]


@pytest.mark.parametrize(
    ("value", "maximum", "expected"),
    [(0, 10, 0), (5, 10, 150), (10, 10, 300), (1, 100000, 1), (Decimal("66.7"), 100, 200), (3, 0, 0)],
)
def test_bar_extent(value, maximum, expected):
    assert bar_extent(value, maximum, width=300) == expected


def test_a_period_without_a_length_bound_has_no_length_problem():
    assert period_problems(date(2020, 1, 1), date(2025, 12, 31), today=date(2026, 1, 1), max_days=None) == []
