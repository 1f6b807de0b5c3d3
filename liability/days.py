"""Calendar facts the liability engine needs (RULES.md sections 1, 2 and 4). Pure: no Django, no clock.

The bank's full business calendar (closure days from the database) lives in the deadlines app. What
the liability engine needs does not depend on it:

- statutory days off (KC-115): Sundays and public holidays from ``holidays.Poland`` (Saturdays are
  treated like them by KC-115), used for the 13-month reporting window ``UUP-44-2``;
- NBP publication days: the NBP publishes table A on weekdays that are not public holidays;
- the ``RATE_DAY`` policy: which table date a transaction date asks for.
"""

from datetime import date, timedelta

from deadlines.calendar import BusinessCalendar
from deadlines.calendar import add_months as _add_months_clipped
from deadlines.rules import claim_window_end as _claim_window_end_rule

SAME_DAY_OR_LAST_BEFORE = "SAME_DAY_OR_LAST_BEFORE"
LAST_BEFORE = "LAST_BEFORE"
RATE_DAY_POLICIES = (SAME_DAY_OR_LAST_BEFORE, LAST_BEFORE)

# The statutory calendar (weekends and holidays.Poland, no bank overrides): the deadline engine's
# own pure calendar, shared so that KC-112, KC-115 and the holiday list have one implementation.
STATUTORY_CALENDAR = BusinessCalendar()


def is_public_holiday(day: date) -> bool:
    """True when ``day`` is a Polish public holiday (``holidays.Poland``)."""
    return STATUTORY_CALENDAR.holiday_name(day) is not None


def is_statutory_day_off(day: date) -> bool:
    """True for a Saturday, a Sunday or a public holiday: the days KC-115 rolls a period end past."""
    return STATUTORY_CALENDAR.is_statutory_day_off(day)


def is_nbp_publication_day(day: date) -> bool:
    """True when the NBP publishes a table A that day: weekdays other than public holidays."""
    return day.weekday() < 5 and not is_public_holiday(day)


def final_tables_through(today: date, *, today_published: bool) -> date:
    """The last day whose set of tables is final: today only if its table is out or it gets none.

    Before today's table A is published (~12:15 Warsaw), "no table today" is not an answer yet.
    """
    if today_published or not is_nbp_publication_day(today):
        return today
    return today - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """KC-112: the same day number ``months`` later, or that month's last day when it has no such day."""
    return _add_months_clipped(day, months)[0]


def roll_forward(day: date) -> date:
    """KC-115: the first day from ``day`` on that is neither a Saturday nor a statutory day off."""
    return STATUTORY_CALENDAR.roll_forward(day)


def claim_window_end(debited_on: date, *, roll: bool = True) -> date:
    """UUP-44-2: last day to report an unauthorised transaction, 13 months (KC-112) after the debit.

    ``roll`` is the ``ROLL_FORWARD`` policy (KC-115). Computed by ``deadlines.rules`` on the
    statutory calendar, which is what KC-115 uses whatever the bank's overrides are.
    """
    return _claim_window_end_rule(
        debited_on=debited_on, roll_forward=roll, calendar=STATUTORY_CALENDAR
    ).due_date


def rate_day_target(on: date, policy: str) -> date:
    """The last table date the ``RATE_DAY`` policy accepts for a transaction executed on ``on``.

    ``SAME_DAY_OR_LAST_BEFORE``: the table of ``on`` itself if there is one, else the last before, so
    the last table dated ``on`` or earlier. ``LAST_BEFORE``: the last table dated before ``on``.
    """
    if policy == SAME_DAY_OR_LAST_BEFORE:
        return on
    if policy == LAST_BEFORE:
        return on - timedelta(days=1)
    raise ValueError(f"unknown RATE_DAY policy {policy!r}; expected one of {', '.join(RATE_DAY_POLICIES)}")
