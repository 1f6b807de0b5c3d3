"""Pure calculations of the auditors' reports: the period, shares and case-ageing buckets.

No ORM, no clock: the selectors pass ``today`` and the counts they aggregated in the database.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# The longest period one report covers: a year (a leap year's 366 days), so a page stays readable.
MAX_PERIOD_DAYS = 366

# Ageing of open cases, in whole days since the Warsaw date the claim was received: (first, last),
# ``None`` for no upper bound. The buckets follow the legal clocks: a week, a fortnight, the 30-day
# reply (REK-6), the 60-day extended reply (REK-7), and beyond.
AGEING_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 14), (15, 30), (31, 60), (61, None))


class PeriodProblem(StrEnum):
    FROM_AFTER_TO = "FROM_AFTER_TO"
    IN_THE_FUTURE = "IN_THE_FUTURE"
    TOO_LONG = "TOO_LONG"
    BEFORE_RECORDS = "BEFORE_RECORDS"


# The first day a report or an export may cover: no card, claim or audit entry of ours is older, so an
# earlier day is a typing error (0001-01-01), and the ageing of cases counts days back from a period's
# end, which the calendar cannot do near its first year.
EARLIEST_DAY = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """Warsaw calendar dates, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def default_period(today: date) -> Period:
    """The last full calendar month before ``today``'s month."""
    last = today.replace(day=1) - timedelta(days=1)
    return Period(first=last.replace(day=1), last=last)


def period_problems(
    first: date, last: date, *, today: date, max_days: int | None = MAX_PERIOD_DAYS
) -> list[PeriodProblem]:
    """What is wrong with the period ``first``..``last`` (empty when it may be reported on).

    ``max_days`` bounds a report's period; ``None`` for no bound (an export may span any period).
    """
    problems = []
    if first > last:
        problems.append(PeriodProblem.FROM_AFTER_TO)
    if last > today:
        problems.append(PeriodProblem.IN_THE_FUTURE)
    if max_days is not None and (last - first).days + 1 > max_days:
        problems.append(PeriodProblem.TOO_LONG)
    if first < EARLIEST_DAY or last < EARLIEST_DAY:
        problems.append(PeriodProblem.BEFORE_RECORDS)
    return problems


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, rounded half-up to 0.1; ``None`` when there is no whole."""
    if whole <= 0:
        return None
    if not 0 <= part <= whole:
        raise ValueError(f"part {part} is not within 0..{whole}")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class AgeingBucket:
    """Cases received between ``received_from`` and ``received_to`` (dates, both included; ``None``:
    no bound) are ``first``..``last`` days old on the as-of date."""

    key: str
    first: int
    last: int | None
    received_from: date | None
    received_to: date


def ageing_buckets(as_of: date) -> list[AgeingBucket]:
    """The ``AGEING_BUCKETS`` as ranges of received dates, for counting open cases as of ``as_of``.

    A case received on ``as_of`` is 0 days old; one received the day before, 1 day; and so on.
    """
    buckets = []
    for first, last in AGEING_BUCKETS:
        key = f"{first}-{last}" if last is not None else f"{first}-"
        buckets.append(
            AgeingBucket(
                key=key,
                first=first,
                last=last,
                received_from=None if last is None else as_of - timedelta(days=last),
                received_to=as_of - timedelta(days=first),
            )
        )
    return buckets


def bar_extent(value: Decimal | int, maximum: Decimal | int, *, width: int) -> int:
    """The length in pixels of a bar for ``value`` on a scale whose end ``maximum`` is ``width`` long.

    A non-zero value gets at least one pixel, so it stays visible next to a zero.
    """
    if maximum <= 0 or value <= 0:
        return 0
    extent = (Decimal(value) * width / Decimal(maximum)).to_integral_value(rounding=ROUND_HALF_UP)
    return max(1, min(width, int(extent)))
