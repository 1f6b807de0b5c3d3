from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.calendar import (
    BusinessCalendar,
    CalendarRangeError,
    Override,
    OverrideChangesNothing,
    OverrideKind,
    add_months,
)

# Every Polish public holiday of 2025-2027 (Dz.U. 2024 poz. 1965 added 24 December from 2025),
# written out from the law, not from the package: a package release that drifts fails here.
POLISH_HOLIDAYS = {
    2025: [
        (date(2025, 1, 1), "Nowy Rok"),
        (date(2025, 1, 6), "Święto Trzech Króli"),
        (date(2025, 4, 20), "Niedziela Wielkanocna"),
        (date(2025, 4, 21), "Poniedziałek Wielkanocny"),
        (date(2025, 5, 1), "Święto Państwowe"),
        (date(2025, 5, 3), "Święto Narodowe Trzeciego Maja"),
        (date(2025, 6, 8), "Zielone Świątki"),
        (date(2025, 6, 19), "Dzień Bożego Ciała"),
        (date(2025, 8, 15), "Wniebowzięcie Najświętszej Marii Panny"),
        (date(2025, 11, 1), "Uroczystość Wszystkich Świętych"),
        (date(2025, 11, 11), "Narodowe Święto Niepodległości"),
        (date(2025, 12, 24), "Wigilia Bożego Narodzenia"),
        (date(2025, 12, 25), "Boże Narodzenie (pierwszy dzień)"),
        (date(2025, 12, 26), "Boże Narodzenie (drugi dzień)"),
    ],
    2026: [
        (date(2026, 1, 1), "Nowy Rok"),
        (date(2026, 1, 6), "Święto Trzech Króli"),
        (date(2026, 4, 5), "Niedziela Wielkanocna"),
        (date(2026, 4, 6), "Poniedziałek Wielkanocny"),
        (date(2026, 5, 1), "Święto Państwowe"),
        (date(2026, 5, 3), "Święto Narodowe Trzeciego Maja"),
        (date(2026, 5, 24), "Zielone Świątki"),
        (date(2026, 6, 4), "Dzień Bożego Ciała"),
        (date(2026, 8, 15), "Wniebowzięcie Najświętszej Marii Panny"),
        (date(2026, 11, 1), "Uroczystość Wszystkich Świętych"),
        (date(2026, 11, 11), "Narodowe Święto Niepodległości"),
        (date(2026, 12, 24), "Wigilia Bożego Narodzenia"),
        (date(2026, 12, 25), "Boże Narodzenie (pierwszy dzień)"),
        (date(2026, 12, 26), "Boże Narodzenie (drugi dzień)"),
    ],
    2027: [
        (date(2027, 1, 1), "Nowy Rok"),
        (date(2027, 1, 6), "Święto Trzech Króli"),
        (date(2027, 3, 28), "Niedziela Wielkanocna"),
        (date(2027, 3, 29), "Poniedziałek Wielkanocny"),
        (date(2027, 5, 1), "Święto Państwowe"),
        (date(2027, 5, 3), "Święto Narodowe Trzeciego Maja"),
        (date(2027, 5, 16), "Zielone Świątki"),
        (date(2027, 5, 27), "Dzień Bożego Ciała"),
        (date(2027, 8, 15), "Wniebowzięcie Najświętszej Marii Panny"),
        (date(2027, 11, 1), "Uroczystość Wszystkich Świętych"),
        (date(2027, 11, 11), "Narodowe Święto Niepodległości"),
        (date(2027, 12, 24), "Wigilia Bożego Narodzenia"),
        (date(2027, 12, 25), "Boże Narodzenie (pierwszy dzień)"),
        (date(2027, 12, 26), "Boże Narodzenie (drugi dzień)"),
    ],
}
HOLIDAY_ROWS = [(day, name) for rows in POLISH_HOLIDAYS.values() for day, name in rows]

CALENDAR = BusinessCalendar()
PACKAGE = holidays.Poland()

WEDNESDAY_2025_12_31 = date(2025, 12, 31)
SATURDAY_2026_01_03 = date(2026, 1, 3)


@pytest.mark.parametrize(("day", "name_pl"), HOLIDAY_ROWS, ids=[day.isoformat() for day, _ in HOLIDAY_ROWS])
def test_every_polish_holiday_2025_2027_is_a_statutory_day_off_and_not_a_business_day(day, name_pl):
    assert CALENDAR.is_business_day(day) is False
    assert CALENDAR.is_statutory_day_off(day) is True
    assert CALENDAR.holiday_name(day).pl == name_pl


@pytest.mark.parametrize("year", sorted(POLISH_HOLIDAYS))
def test_the_calendar_has_exactly_the_statutory_holidays_of_the_year(year):
    assert [(day, name.pl) for day, name in CALENDAR.holidays_in(year).items()] == POLISH_HOLIDAYS[year]


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2025, 12, 23), True),  # Tuesday
        (date(2025, 12, 27), False),  # Saturday
        (date(2025, 12, 28), False),  # Sunday
        (date(2025, 12, 29), True),  # Monday
        (date(2023, 12, 24), False),  # a Sunday; 24 December was no holiday before 2025 either way
        (date(2024, 12, 24), True),  # Tuesday: 24 December became a holiday only from 2025
        (date(2025, 12, 24), False),
    ],
)
def test_business_days_are_weekdays_that_are_not_holidays(day, business):
    assert CALENDAR.is_business_day(day) is business


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2025, 12, 23), 1, date(2025, 12, 29)),
        (date(2025, 12, 1), 15, date(2025, 12, 22)),
        (date(2025, 12, 29), 3, date(2026, 1, 2)),  # crosses the year: 31 Dec, 1 Jan (holiday), 2 Jan
        (date(2025, 12, 23), 0, date(2025, 12, 23)),
        (date(2025, 12, 27), 1, date(2025, 12, 29)),  # from a Saturday
        (date(2025, 1, 1), 500, date(2026, 12, 23)),  # several years ahead in one call
    ],
)
def test_add_business_days_does_not_count_the_start_day(start, count, expected):
    assert CALENDAR.add_business_days(start, count) == expected


def test_add_business_days_refuses_a_negative_count():
    with pytest.raises(ValueError, match="must not be negative"):
        CALENDAR.add_business_days(date(2025, 1, 1), -1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 24), date(2025, 12, 29)),
        (date(2026, 2, 28), date(2026, 3, 2)),
        (date(2025, 12, 29), date(2025, 12, 29)),
        (date(2026, 12, 31), date(2026, 12, 31)),  # a Thursday: not moved
        (date(2027, 12, 25), date(2027, 12, 27)),  # Saturday and holiday, then Sunday 26 (holiday)
        (date(2022, 12, 31), date(2023, 1, 2)),  # Saturday, then Sunday 1 January: into the next year
    ],
)
def test_roll_forward_moves_only_off_days(day, expected):
    assert CALENDAR.roll_forward(day) == expected


def test_a_closure_removes_a_business_day_and_an_open_day_adds_one():
    calendar = BusinessCalendar(
        [
            Override(WEDNESDAY_2025_12_31, OverrideKind.CLOSED, "core banking migration"),
            Override(SATURDAY_2026_01_03, OverrideKind.OPEN, "branch open for the new-year backlog"),
        ]
    )

    assert calendar.is_business_day(WEDNESDAY_2025_12_31) is False
    assert calendar.is_business_day(SATURDAY_2026_01_03) is True
    assert calendar.next_business_day_after(date(2025, 12, 30)) == date(2026, 1, 2)
    assert calendar.next_business_day_after(date(2026, 1, 2)) == SATURDAY_2026_01_03
    assert calendar.describe(WEDNESDAY_2025_12_31).en == "Wednesday, bank closure day: core banking migration"


def test_overrides_never_change_the_statutory_days_off():
    calendar = BusinessCalendar(
        [
            Override(WEDNESDAY_2025_12_31, OverrideKind.CLOSED, "core banking migration"),
            Override(SATURDAY_2026_01_03, OverrideKind.OPEN, "branch open for the new-year backlog"),
        ]
    )

    assert calendar.is_statutory_day_off(WEDNESDAY_2025_12_31) is False
    assert calendar.is_statutory_day_off(SATURDAY_2026_01_03) is True
    assert calendar.roll_forward(WEDNESDAY_2025_12_31) == WEDNESDAY_2025_12_31
    assert calendar.roll_forward(SATURDAY_2026_01_03) == date(2026, 1, 5)


def test_two_overrides_of_one_day_are_refused():
    with pytest.raises(ValueError, match="two overrides for 2025-12-31"):
        BusinessCalendar(
            [
                Override(WEDNESDAY_2025_12_31, OverrideKind.CLOSED, "a"),
                Override(WEDNESDAY_2025_12_31, OverrideKind.CLOSED, "b"),
            ]
        )


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (
            date(2025, 12, 28),
            "CLOSED",
            r"2025-12-28 is not a business day \(Sunday\): a closure changes nothing",
        ),
        (
            date(2025, 12, 25),
            "CLOSED",
            r"\(Thursday, public holiday: Christmas Day\): a closure changes nothing",
        ),
        (date(2025, 12, 29), "OPEN", r"2025-12-29 is already a business day \(Monday\): an open day changes"),
    ],
)
def test_an_override_that_changes_nothing_is_refused(day, kind, message):
    with pytest.raises(OverrideChangesNothing, match=message):
        CALENDAR.check_override(day, kind)


@pytest.mark.parametrize(("day", "kind"), [(date(2025, 12, 31), "CLOSED"), (date(2025, 12, 27), "OPEN")])
def test_an_override_that_changes_the_calendar_passes_the_check(day, kind):
    assert CALENDAR.check_override(day, kind) is None


@pytest.mark.parametrize(
    ("start", "months", "expected", "clipped"),
    [
        (date(2025, 1, 31), 13, date(2026, 2, 28), True),
        (date(2025, 1, 30), 13, date(2026, 2, 28), True),
        (date(2027, 1, 31), 13, date(2028, 2, 29), True),  # leap February: its last day is the 29th
        (date(2027, 1, 29), 13, date(2028, 2, 29), False),
        (date(2026, 1, 29), 13, date(2027, 2, 28), True),
        (date(2024, 2, 29), 13, date(2025, 3, 29), False),
        (date(2025, 3, 31), 13, date(2026, 4, 30), True),
        (date(2025, 12, 15), 13, date(2027, 1, 15), False),
    ],
)
def test_add_months_clips_to_the_last_day_of_a_shorter_month(start, months, expected, clipped):
    assert add_months(start, months) == (expected, clipped)


def test_the_calendar_refuses_years_it_cannot_represent():
    with pytest.raises(CalendarRangeError):
        CALENDAR.add_business_days(date(9999, 12, 30), 5)


# --- properties, against a day-by-day reference that asks the holidays package each time ----------


def _reference_is_business(day, overrides):
    if day in overrides:
        return overrides[day] is OverrideKind.OPEN
    return day.weekday() < 5 and day not in PACKAGE


def _reference_add(start, count, overrides):
    day = start
    while count:
        day += timedelta(days=1)
        if _reference_is_business(day, overrides):
            count -= 1
    return day


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
override_sets = st.dictionaries(
    st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 3, 31)),
    st.sampled_from(list(OverrideKind)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 10, 1), max_value=date(2026, 2, 28)),
    count=st.integers(0, 60),
    overrides=override_sets,
)
def test_add_business_days_agrees_with_the_day_by_day_reference(start, count, overrides):
    calendar = BusinessCalendar(Override(day, kind, "test") for day, kind in overrides.items())

    assert calendar.add_business_days(start, count) == _reference_add(start, count, overrides)


@settings(max_examples=300, deadline=None)
@given(day=days)
def test_roll_forward_agrees_with_the_day_by_day_reference(day):
    expected = day
    while expected.weekday() >= 5 or expected in PACKAGE:
        expected += timedelta(days=1)

    assert CALENDAR.roll_forward(day) == expected


@settings(max_examples=300, deadline=None)
@given(first=days, second=days, count=st.integers(0, 400), more=st.integers(0, 400))
def test_business_day_addition_is_monotone(first, second, count, more):
    earlier, later = sorted([first, second])

    assert CALENDAR.add_business_days(earlier, count) <= CALENDAR.add_business_days(later, count)
    assert CALENDAR.add_business_days(first, count) <= CALENDAR.add_business_days(first, count + more)
    if more:
        assert CALENDAR.add_business_days(first, count) < CALENDAR.add_business_days(first, count + more)


@settings(max_examples=300, deadline=None)
@given(day=days)
def test_the_next_business_day_is_the_first_business_day_after(day):
    following = CALENDAR.next_business_day_after(day)

    assert following > day
    assert CALENDAR.is_business_day(following)
    assert all(
        not CALENDAR.is_business_day(day + timedelta(days=offset))
        for offset in range(1, (following - day).days)
    )
