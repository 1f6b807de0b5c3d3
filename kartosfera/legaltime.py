"""Legal time: RULES.md section 1. Pure functions, no clock.

Every legal date is a local date in Europe/Warsaw; instants are stored in UTC. A deadline is met by
an act at any moment of its due date, i.e. before the next Warsaw midnight.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given where an instant is required."""


def require_aware(value: datetime, *, name: str = "datetime") -> datetime:
    """Return ``value`` if it is timezone-aware; refuse a naive datetime with a clear error."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{name} must be timezone-aware (got naive {value.isoformat()}); "
            "legal dates are taken in Europe/Warsaw from an aware instant"
        )
    return value


def warsaw_date(instant: datetime, *, name: str = "instant") -> date:
    """The Europe/Warsaw calendar date of an aware instant (``name`` is the argument named in errors)."""
    return require_aware(instant, name=name).astimezone(WARSAW).date()


def day_start(day: date) -> datetime:
    """The aware instant at which a Warsaw calendar day begins (local midnight)."""
    return datetime.combine(day, time.min, tzinfo=WARSAW)


def day_end(day: date) -> datetime:
    """The aware instant at which a Warsaw calendar day ends: the next local midnight (exclusive).

    An act is in time for ``day`` when it happens strictly before this instant. DST changes never
    move it: the next day's local midnight always exists in Europe/Warsaw.
    """
    return day_start(day + timedelta(days=1))


def in_time(act_at: datetime, due_at: datetime) -> bool:
    """Whether an act at ``act_at`` meets a deadline that ends at ``due_at`` (a ``day_end``): strictly
    before it. A deadline's end reached without the act is its breach (``due_at <= now``)."""
    return act_at < due_at
