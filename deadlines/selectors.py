"""Reads for the deadline engine: the bank's business calendar."""

from deadlines.calendar import BusinessCalendar, Override, OverrideKind
from deadlines.models import CalendarOverride

# (the override rows it was built from, the calendar): one per process, replaced when the rows change.
_cached: tuple[tuple, BusinessCalendar] | None = None


def bank_calendar() -> BusinessCalendar:
    """The bank's business calendar: ``holidays.Poland`` with the database overrides.

    Cached per process and rebuilt only when the overrides change. The check costs one query that
    reads the override rows themselves (a handful a year): exact, unlike a count or a timestamp,
    which a deletion followed by an insertion within the same clock tick could leave unchanged.
    """
    global _cached
    rows = tuple(CalendarOverride.objects.order_by("day").values_list("day", "kind", "reason"))
    cached = _cached
    if cached is not None and cached[0] == rows:
        return cached[1]
    calendar = BusinessCalendar(Override(day, OverrideKind(kind), reason) for day, kind, reason in rows)
    _cached = (rows, calendar)
    return calendar
