"""Traffic lights for deadlines, counted in business days (pure: no ORM, no clock)."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from deadlines.calendar import BusinessCalendar
from deadlines.rules import deadline_breached


class Light(StrEnum):
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"
    NONE = "NONE"  # no running deadline (met, withheld, not owed)


def business_days_left(*, calendar: BusinessCalendar, today: date, due_on: date) -> int:
    """Business days after ``today`` up to and including ``due_on`` (0 when due today, negative when past)."""
    return calendar.business_days_between(today, due_on)


@dataclass(frozen=True)
class LightRule:
    """A deadline's traffic light: red once breached or with at most ``red_within`` business days left,
    amber with at most ``amber_within``, else green; NONE with no running deadline."""

    red_within: int
    amber_within: int

    def __call__(
        self,
        *,
        calendar: BusinessCalendar,
        now: datetime,
        today: date,
        due_at: datetime | None,
        due_on: date | None,
    ) -> Light:
        if due_at is None or due_on is None:
            return Light.NONE
        if deadline_breached(due_at=due_at, at=now):
            return Light.RED
        left = business_days_left(calendar=calendar, today=today, due_on=due_on)
        return (
            Light.RED
            if left <= self.red_within
            else Light.AMBER
            if left <= self.amber_within
            else Light.GREEN
        )


# D+1 refund: red once due today or past, amber with one business day left, else green.
refund_light = LightRule(red_within=0, amber_within=1)
# Reply: red past due or within 2 business days, amber within 5, else green.
reply_light = LightRule(red_within=2, amber_within=5)
# A chargeback window (filing, CB-MC-2P): red past due or within 2 business days, amber within 10
# (about the sweep's alert horizon), else green.
chargeback_light = LightRule(red_within=2, amber_within=10)
