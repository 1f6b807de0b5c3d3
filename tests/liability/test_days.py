from datetime import date

import pytest

from liability.days import (
    LAST_BEFORE,
    SAME_DAY_OR_LAST_BEFORE,
    add_months,
    claim_window_end,
    final_tables_through,
    is_nbp_publication_day,
    is_statutory_day_off,
    rate_day_target,
    roll_forward,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 13, date(2026, 2, 28)),  # KC-112: February has no 31st
        (date(2023, 1, 31), 13, date(2024, 2, 29)),  # leap year
        (date(2025, 5, 23), 13, date(2026, 6, 23)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 21), -15, date(2025, 8, 21)),
    ],
)
def test_add_months_clips_to_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("debited_on", "expected"),
    [
        # RULES.md: debit Fri 2025-01-31 → 13 months = Sat 2026-02-28 → roll to Mon 2026-03-02.
        (date(2025, 1, 31), date(2026, 3, 2)),
        (date(2025, 5, 23), date(2026, 6, 23)),  # a Tuesday: no roll
        (date(2024, 11, 11), date(2025, 12, 11)),
        # 2026-01-01 (Thursday, New Year) is a holiday: 2024-12-01 + 13 months rolls to Fri 2026-01-02.
        (date(2024, 12, 1), date(2026, 1, 2)),
        # 2026-12-24 is a holiday from 2025 (holidays >= 0.64): rolls past 24-27 Dec to Mon 28th.
        (date(2025, 11, 24), date(2026, 12, 28)),
    ],
)
def test_claim_window_end_is_13_months_rolled_forward(debited_on, expected):
    assert claim_window_end(debited_on) == expected


def test_claim_window_end_without_roll_forward_keeps_the_clipped_day():
    assert claim_window_end(date(2025, 1, 31), roll=False) == date(2026, 2, 28)


def test_roll_forward_skips_saturdays_sundays_and_holidays():
    assert roll_forward(date(2025, 12, 24)) == date(2025, 12, 29)
    assert roll_forward(date(2025, 12, 23)) == date(2025, 12, 23)


@pytest.mark.parametrize(
    ("day", "publication", "day_off"),
    [
        (date(2025, 5, 23), True, False),  # Friday
        (date(2025, 5, 24), False, True),  # Saturday
        (date(2025, 5, 25), False, True),  # Sunday
        (date(2025, 12, 24), False, True),  # Christmas Eve, a holiday from 2025
        (date(2026, 6, 4), False, True),  # Corpus Christi
        (date(2025, 5, 2), True, False),  # between holidays, a business day
    ],
)
def test_publication_days_and_statutory_days_off(day, publication, day_off):
    assert is_nbp_publication_day(day) is publication
    assert is_statutory_day_off(day) is day_off


def test_tables_of_today_are_final_only_once_published_or_when_there_is_none():
    friday, saturday = date(2025, 5, 23), date(2025, 5, 24)

    assert final_tables_through(friday, today_published=False) == date(2025, 5, 22)
    assert final_tables_through(friday, today_published=True) == friday
    assert final_tables_through(saturday, today_published=False) == saturday


def test_rate_day_target_for_both_policies():
    assert rate_day_target(date(2025, 5, 23), SAME_DAY_OR_LAST_BEFORE) == date(2025, 5, 23)
    assert rate_day_target(date(2025, 5, 23), LAST_BEFORE) == date(2025, 5, 22)
    with pytest.raises(ValueError, match="unknown RATE_DAY policy"):
        rate_day_target(date(2025, 5, 23), "NEXT_DAY")
