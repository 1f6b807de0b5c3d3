"""Traffic lights count business days (holidays.Poland plus the bank's overrides)."""

from datetime import date, datetime

import pytest

from deadlines.calendar import BusinessCalendar
from disputes.backoffice.lights import Light, business_days_left, refund_light, reply_light
from kartosfera.legaltime import WARSAW

CAL = BusinessCalendar()


@pytest.mark.parametrize(
    ("today", "due_on", "left"),
    [
        (date(2025, 12, 23), date(2025, 12, 29), 1),  # 24-26 Dec holidays, 27-28 weekend
        (date(2026, 6, 3), date(2026, 6, 5), 1),  # 4 June Corpus Christi
        (date(2025, 5, 26), date(2025, 5, 26), 0),
        (date(2025, 5, 26), date(2025, 6, 2), 5),
        (date(2025, 5, 28), date(2025, 5, 26), -2),
    ],
)
def test_business_days_left(today, due_on, left):
    assert business_days_left(calendar=CAL, today=today, due_on=due_on) == left


def at(*args):
    return datetime(*args, tzinfo=WARSAW)


@pytest.mark.parametrize(
    ("now", "due_at", "due_on", "light"),
    [
        (at(2025, 12, 23, 9), at(2025, 12, 30), date(2025, 12, 29), Light.AMBER),  # one business day left
        (at(2025, 12, 29, 9), at(2025, 12, 30), date(2025, 12, 29), Light.RED),  # due today
        (at(2025, 12, 30, 0), at(2025, 12, 30), date(2025, 12, 29), Light.RED),  # breached
        (at(2025, 5, 20, 9), at(2025, 5, 28), date(2025, 5, 27), Light.GREEN),
    ],
)
def test_refund_light(now, due_at, due_on, light):
    assert refund_light(calendar=CAL, now=now, today=now.date(), due_at=due_at, due_on=due_on) == light


@pytest.mark.parametrize(
    ("today", "due_on", "light"),
    [
        (date(2025, 6, 23), date(2025, 6, 25), Light.RED),  # 2 business days
        (date(2025, 6, 18), date(2025, 6, 25), Light.AMBER),  # 5: 19 (Corpus Christi) is off
        (date(2025, 6, 16), date(2025, 6, 25), Light.GREEN),
    ],
)
def test_reply_light_is_business_day_aware(today, due_on, light):
    now = at(today.year, today.month, today.day, 9)
    due_at = at(due_on.year, due_on.month, due_on.day + 1)
    assert reply_light(calendar=CAL, now=now, today=today, due_at=due_at, due_on=due_on) == light


def test_no_deadline_no_light():
    assert refund_light(
        calendar=CAL, now=at(2025, 1, 2), today=date(2025, 1, 2), due_at=None, due_on=None
    ) == (Light.NONE)
