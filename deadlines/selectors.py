"""Reads for the deadline engine: the bank's business calendar."""

from django.db import connection

from deadlines.calendar import BusinessCalendar, Override, OverrideKind
from deadlines.models import CalendarOverride, CalendarVersion

# (the version stamp it was built at, the calendar): one per process, replaced when the stamp changes.
_cached: tuple[str | None, BusinessCalendar] | None = None
# Raw SQL: this runs on every call, and the ORM's compilation would cost more than the query itself.
_STAMP_SQL = f"SELECT token FROM {CalendarVersion._meta.db_table} WHERE id = 1"  # noqa: S608


def _stamp() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


def bank_calendar() -> BusinessCalendar:
    """The bank's business calendar: ``holidays.Poland`` with the database overrides.

    Cached per process (its year tables and memoised deadlines with it) and rebuilt only when the
    overrides change, in this process or any other: each call reads the version stamp that database
    triggers replace with every write to the overrides (``CalendarVersion``), one primary-key read.
    The stamp is read before the rows, so a change committed in between makes the calendar kept under
    the older stamp, which the next call then finds outdated: never newer rows' stamp on older rows.
    """
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = CalendarOverride.objects.order_by("day").values_list("day", "kind", "reason")
    calendar = BusinessCalendar(Override(day, OverrideKind(kind), reason) for day, kind, reason in rows)
    _cached = (stamp, calendar)
    return calendar
