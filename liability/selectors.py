"""Reads of stored NBP rates: the ``RATE_DAY`` answer from storage, without asking the NBP."""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kartosfera.policies import current_policies
from liability.days import RATE_DAY_POLICIES
from liability.models import ExchangeRate, RateCoverage, RateSource

NBP_DECIMALS = Decimal("0.0001")


def rate_day_policy() -> str:
    """The ``RATE_DAY`` policy from ``KARTOSFERA_POLICIES`` (RULES.md section 4)."""
    policy = current_policies().rate_day
    if policy not in RATE_DAY_POLICIES:
        raise ImproperlyConfigured(
            f"KARTOSFERA_POLICIES['RATE_DAY'] = {policy!r}; expected one of {RATE_DAY_POLICIES}"
        )
    return policy


def rate_lookback() -> timedelta:
    """How far before a date a table is looked for (longer than any run of days without a table)."""
    return timedelta(days=settings.NBP_LOOKBACK_DAYS)


def exact_mid(mid: Decimal) -> Decimal:
    """The mid rate with the NBP's decimals: 4.254100 read from the database is 4.2541 again."""
    normal = mid.normalize()
    return normal.quantize(NBP_DECIMALS) if normal.as_tuple().exponent > -4 else normal  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class Rate:
    """A stored table A mid rate: what a liability line cites."""

    currency: str
    table_no: str
    effective_date: date
    mid: Decimal
    source: str
    table_type: str = "A"

    @property
    def synthetic(self) -> bool:
        """True for a demo rate that is not an NBP table; its ``table_no`` says SYNTHETIC too."""
        return self.source == RateSource.SYNTHETIC

    @classmethod
    def from_model(cls, row: ExchangeRate) -> "Rate":
        """The value of a stored row."""
        return cls(
            currency=row.currency,
            table_no=row.table_no,
            effective_date=row.effective_date,
            mid=exact_mid(row.mid),
            source=row.source,
            table_type=row.table_type,
        )


def merge_ranges(ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Merge overlapping or adjacent inclusive date ranges, sorted."""
    merged: list[tuple[date, date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class RateBook:
    """The stored rates and coverage of one currency over a window, answering ``RATE_DAY`` in memory."""

    def __init__(
        self, *, currency: str, start: date, end: date, rates: list[Rate], coverage: list[tuple[date, date]]
    ):
        self.currency, self.start, self.end = currency, start, end
        self._rates = sorted(rates, key=lambda rate: rate.effective_date)
        self._days = [rate.effective_date for rate in self._rates]
        self._coverage = merge_ranges(coverage)

    def is_covered(self, start: date, end: date) -> bool:
        """True when every day from ``start`` to ``end`` is known: its table, if any, is stored."""
        if start > end:
            return True
        return any(a <= start and end <= b for a, b in self._coverage)

    def resolve(self, target: date) -> Rate | None:
        """The last table dated ``target`` or before, or None when storage cannot tell (a gap)."""
        if not self.start <= target <= self.end:
            return None
        index = bisect_right(self._days, target)
        if not index:
            return None
        rate = self._rates[index - 1]
        if rate.effective_date == target or self.is_covered(rate.effective_date + timedelta(days=1), target):
            return rate
        return None

    def unresolved(self, targets: list[date]) -> list[date]:
        """The targets that storage cannot answer."""
        return [target for target in targets if self.resolve(target) is None]

    def is_known(self, day: date) -> bool:
        """True when storage knows ``day``: its rate is stored, or it lies in a covered range."""
        index = bisect_left(self._days, day)
        return (index < len(self._days) and self._days[index] == day) or self.is_covered(day, day)

    def _stored_between(self, after: date, before: date) -> bool:
        """True when a rate is stored for a day strictly between ``after`` and ``before``."""
        return bisect_left(self._days, before) > bisect_right(self._days, after)

    def unknown_runs(self, start: date, end: date) -> list[tuple[date, date]]:
        """The ranges of ``start..end`` to ask the NBP about so that every day is known.

        A day is known when its rate is stored or it lies in a covered range. Each range starts and
        ends on an unknown day and holds no stored rate (a stored date is never asked again); known
        days without a table (a covered weekend) may lie inside, which costs nothing.
        """
        stored = set(self._days)
        runs: list[tuple[date, date]] = []
        first = last = None
        day = start
        while day <= end:
            if day in stored:
                if first is not None:
                    runs.append((first, last))  # type: ignore[arg-type]
                first = last = None
            elif not self.is_known(day):
                first, last = first or day, day
            day += timedelta(days=1)
        if first is not None:
            runs.append((first, last))  # type: ignore[arg-type]
        return runs

    def fetch_plan(
        self, targets: list[date], *, lookback: timedelta, max_days: int
    ) -> tuple[list[tuple[date, date]], dict[date, tuple[date, date]]]:
        """What to fetch so that storage answers every target: the ranges, and the range of each target.

        For an unanswered target, only the days after its last stored table (within ``lookback``)
        can hold the table it needs; of those, the unknown ones are fetched. The windows of several
        targets are fetched as one range when no stored rate lies between them and that costs no
        more requests of ``max_days`` days than apart. A target missing from the second result has
        no unknown day before it: the NBP has no table there (``RateNotFound``).
        """

        def requests(first: date, last: date) -> int:
            return -(-((last - first).days + 1) // max_days)

        spans: list[list[Any]] = []  # [first unknown day, last unknown day, targets], in date order
        for target in sorted(set(self.unresolved(targets))):
            index = bisect_right(self._days, target)
            last_stored = self._days[index - 1] if index else None
            start = target - lookback
            if last_stored is not None and last_stored >= start:
                start = last_stored + timedelta(days=1)
            runs = self.unknown_runs(start, target)  # no stored rate in the window: at most one run
            if not runs:
                continue
            first, last = runs[0][0], runs[-1][1]
            if (
                spans
                and (
                    first <= spans[-1][1] + timedelta(days=1)  # overlapping or adjacent windows
                    or (
                        not self._stored_between(spans[-1][1], first)
                        and requests(spans[-1][0], last) <= requests(*spans[-1][:2]) + requests(first, last)
                    )
                )
            ):
                spans[-1][1] = max(spans[-1][1], last)
                spans[-1][2].append(target)
            else:
                spans.append([first, last, [target]])
        ranges = [(first, last) for first, last, _ in spans]
        needs = {target: (first, last) for first, last, span_targets in spans for target in span_targets}
        return ranges, needs


def rate_book_load(*, currency: str, start: date, end: date) -> RateBook:
    """Load the stored rates and the coverage of ``currency`` from ``start`` to ``end`` (two queries)."""
    rows = ExchangeRate.objects.filter(currency=currency, table_type="A", effective_date__range=(start, end))
    coverage = RateCoverage.objects.filter(
        currency=currency, table_type="A", start_on__lte=end, end_on__gte=start
    ).values_list("start_on", "end_on")
    return RateBook(
        currency=currency,
        start=start,
        end=end,
        rates=[Rate.from_model(row) for row in rows],
        coverage=list(coverage),
    )


def rate_stored_on(*, currency: str, target: date) -> Rate | None:
    """The last stored table dated ``target`` or before, when storage can tell; None for a gap."""
    return rate_book_load(currency=currency, start=target - rate_lookback(), end=target).resolve(target)
