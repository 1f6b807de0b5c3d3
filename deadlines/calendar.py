"""The business calendar: RULES.md section 1 (`CAL-BD`, `KC-112`, `KC-115`). Pure: no Django, no clock.

Two calendars live in one object, on purpose:

- the **bank's business days** (`CAL-BD`): Monday to Friday except Polish public holidays
  (``holidays.Poland``), corrected by the bank's overrides (a closure day is not a business day, an
  extra open day is). Business-day rules (`UUP-46-1` D+1, `UUP-PS-15`/`UUP-PS-35`) count these;
- the **statutory days off** (Saturday, Sunday, ``holidays.Poland``), with no override. `KC-115`
  roll-forward uses only these. DECISION: a bank closure never moves a statutory deadline (it must
  not give the bank more time against its customer) and a bank open day on a Saturday or a holiday
  never shortens one; the law speaks of days off "by statute", not of the bank's opening hours.

Each year is computed once, lazily, the first time a date in it is asked about, and kept in the
instance: flags per day, the ordinals of the business (and statutory working) days and running counts,
so that adding N business days or rolling forward is a few list look-ups, never a ``holidays`` call.
A calendar never changes after it is built; a changed override means a new calendar.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import holidays

WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_PL = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
SATURDAY = 5

# Past this many memoised values a calendar forgets them all rather than grow without bound.
DERIVED_LIMIT = 200_000


class OverrideKind(StrEnum):
    """What a bank override makes of a day."""

    CLOSED = "CLOSED"  # the bank is closed: not a business day
    OPEN = "OPEN"  # the bank is open on a Saturday, Sunday or holiday: a business day


class CalendarRangeError(ValueError):
    """A date computation left the range of years the calendar can represent."""


class OverrideChangesNothing(ValueError):
    """An override that would not change the bank's calendar (e.g. a closure on a Sunday)."""

    def __init__(self, *, day: date, kind: OverrideKind, why: Bilingual) -> None:
        self.day = day
        self.kind = kind
        self.why = why
        if kind is OverrideKind.CLOSED:
            message = f"{day.isoformat()} is not a business day ({why.en}): a closure changes nothing"
        else:
            message = f"{day.isoformat()} is already a business day ({why.en}): an open day changes nothing"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A short text in English and Polish, written out in both, not translated by gettext.

    The one place text is not gettext's, and why: a computed explanation is a record. The steps of a
    deadline (``Case.deadline_explanations``, the audit entry's computation) and the lines of a
    liability assessment (``liability.explain``, the same two-language shape as a dict) are stored as
    they were computed, in both languages, and the audit log's hash covers them; a later change of the
    translation catalogue must not change what an issued explanation said, nor break the replay that
    compares them. Everything else (pages, letters, labels) is English msgids translated by gettext at
    render time (docs/ARCHITECTURE.md, "One vocabulary").
    """

    en: str
    pl: str

    def text(self, lang: str) -> str:
        """The text in ``lang`` ("pl" or "en"; anything else gives English)."""
        return self.pl if lang == "pl" else self.en


@dataclass(frozen=True, slots=True)
class Override:
    """The bank's correction of one day of the package calendar."""

    day: date
    kind: OverrideKind
    reason: str


def weekday_name(day: date) -> Bilingual:
    """The day of the week of ``day`` in English and Polish."""
    weekday = day.weekday()
    return Bilingual(WEEKDAYS_EN[weekday], WEEKDAYS_PL[weekday])


def add_months(day: date, months: int) -> tuple[date, bool]:
    """`KC-112`: the day with the same number ``months`` later, or that month's last day; and if clipped."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise CalendarRangeError(f"{day.isoformat()} + {months} months is outside the years 1-9999")
    last = monthrange(year, month)[1]
    if day.day > last:
        return date(year, month, last), True
    return date(year, month, day.day), False


class _Year:
    """One year of the calendar, precomputed: flags and running counts per day of the year."""

    __slots__ = (
        "business",
        "business_days",
        "business_through",
        "first",
        "holiday_names",
        "working",
        "working_days",
        "working_through",
    )

    def __init__(self, year: int, overrides: dict[date, Override]) -> None:
        start = date(year, 1, 1)
        self.first = start.toordinal()
        length = 366 if monthrange(year, 2)[1] == 29 else 365
        names_en = holidays.Poland(years=year, language="en_US")
        names_pl = holidays.Poland(years=year, language="pl")
        self.holiday_names = {
            day.toordinal(): Bilingual(names_en[day], names_pl.get(day, names_en[day])) for day in names_en
        }
        first_weekday = start.weekday()
        working = bytearray(length)
        for index in range(length):
            ordinal = self.first + index
            working[index] = (first_weekday + index) % 7 < SATURDAY and ordinal not in self.holiday_names
        business = bytearray(working)
        for day, override in overrides.items():
            if day.year == year:
                business[day.toordinal() - self.first] = override.kind is OverrideKind.OPEN
        self.working = bytes(working)
        self.business = bytes(business)
        self.working_days, self.working_through = _series(self.first, self.working)
        self.business_days, self.business_through = _series(self.first, self.business)


def _series(first: int, flags: bytes) -> tuple[list[int], list[int]]:
    """The ordinals of the flagged days and, per day, how many flagged days there are up to it."""
    ordinals: list[int] = []
    through: list[int] = []
    for index, flag in enumerate(flags):
        if flag:
            ordinals.append(first + index)
        through.append(len(ordinals))
    return ordinals, through


class BusinessCalendar:
    """Polish business days with the bank's overrides, and the statutory days off for `KC-115`."""

    def __init__(self, overrides: Iterable[Override] = ()) -> None:
        by_day: dict[date, Override] = {}
        for override in overrides:
            if override.day in by_day:
                raise ValueError(f"two overrides for {override.day.isoformat()}")
            by_day[override.day] = Override(override.day, OverrideKind(override.kind), override.reason)
        self._overrides = by_day
        self._years: dict[int, _Year] = {}
        # Values computed purely from this calendar (the deadline rules memoise their results here):
        # sound because a calendar never changes once built.
        self.derived: dict[tuple, object] = {}

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The bank's overrides, in date order."""
        return tuple(self._overrides[day] for day in sorted(self._overrides))

    def _year(self, year: int) -> _Year:
        computed = self._years.get(year)
        if computed is None:
            if not 1 <= year <= 9999:
                raise CalendarRangeError(f"the calendar covers the years 1-9999, not {year}")
            computed = self._years[year] = _Year(year, self._overrides)
        return computed

    def _day_at(self, number: int, index: int, days_of: Callable[[_Year], list[int]]) -> date:
        """The day at ``index`` (from 0) of ``days_of`` the year ``number``, continued into the years
        after it when ``index`` runs past its end."""
        days = days_of(self._year(number))
        while index >= len(days):
            index -= len(days)
            number += 1
            days = days_of(self._year(number))
        return date.fromordinal(days[index])

    def remember(self, key: tuple, value: object) -> None:
        """Keep a value derived purely from this calendar under ``key`` (see ``derived``)."""
        if len(self.derived) >= DERIVED_LIMIT:
            self.derived.clear()
        self.derived[key] = value

    # --- the bank's business days (CAL-BD) ---------------------------------------------------------

    def is_business_day(self, day: date) -> bool:
        """`CAL-BD`: whether the bank does business on ``day`` (package calendar plus overrides)."""
        year = self._year(day.year)
        return bool(year.business[day.toordinal() - year.first])

    def business_days_between(self, start: date, end: date) -> int:
        """The business days after ``start`` up to and including ``end`` (`KC-111`: ``start`` itself is
        not counted); 0 when they are the same day, negative when ``end`` is before ``start``."""
        first, last, sign = (start, end, 1) if end >= start else (end, start, -1)
        days = (date.fromordinal(first.toordinal() + n) for n in range(1, (last - first).days + 1))
        return sign * sum(1 for day in days if self.is_business_day(day))

    def add_business_days(self, start: date, count: int) -> date:
        """The ``count``-th business day after ``start`` (`KC-111`: ``start`` itself is not counted).

        ``count`` 0 gives ``start``. Business days are the bank's, overrides included.
        """
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        if count == 0:
            return start
        year = self._year(start.year)
        index = year.business_through[start.toordinal() - year.first] + count - 1
        return self._day_at(start.year, index, lambda each: each.business_days)

    def next_business_day_after(self, day: date) -> date:
        """The first business day strictly after ``day`` (the D+1 day of `UUP-46-1`)."""
        return self.add_business_days(day, 1)

    # --- statutory days off (KC-115) ----------------------------------------------------------------

    def is_statutory_day_off(self, day: date) -> bool:
        """Whether ``day`` is a Saturday, a Sunday or a public holiday; bank overrides do not count."""
        year = self._year(day.year)
        return not year.working[day.toordinal() - year.first]

    def roll_forward(self, day: date) -> date:
        """`KC-115`: ``day`` if it is not a statutory day off, else the next day that is neither.

        Statutory days off only: bank closures and open days never move a statutory deadline.
        """
        year = self._year(day.year)
        index = day.toordinal() - year.first
        if year.working[index]:
            return day
        return self._day_at(day.year, year.working_through[index], lambda each: each.working_days)

    # --- descriptions for explanations ---------------------------------------------------------------

    def holiday_name(self, day: date) -> Bilingual | None:
        """The name of the Polish public holiday on ``day``, if it is one."""
        return self._year(day.year).holiday_names.get(day.toordinal())

    def holidays_in(self, year: int) -> dict[date, Bilingual]:
        """Every Polish public holiday of ``year`` with its name, as the calendar uses them."""
        names = self._year(year).holiday_names
        return {date.fromordinal(ordinal): names[ordinal] for ordinal in sorted(names)}

    def override_on(self, day: date) -> Override | None:
        """The bank's override of ``day``, if any."""
        return self._overrides.get(day)

    def describe_statutory(self, day: date) -> Bilingual:
        """What ``day`` is for `KC-115`: its weekday, and the holiday if it is one (no overrides)."""
        weekday = weekday_name(day)
        holiday = self.holiday_name(day)
        if holiday is None:
            return weekday
        return Bilingual(
            f"{weekday.en}, public holiday: {holiday.en}",
            f"{weekday.pl}, dzień ustawowo wolny od pracy: {holiday.pl}",
        )

    def describe(self, day: date) -> Bilingual:
        """What ``day`` is for the bank: weekday, holiday, override (``Saturday, bank open day: …``)."""
        described = self.describe_statutory(day)
        override = self._overrides.get(day)
        if override is None:
            return described
        if override.kind is OverrideKind.CLOSED:
            return Bilingual(
                f"{described.en}, bank closure day: {override.reason}",
                f"{described.pl}, dzień zamknięcia banku: {override.reason}",
            )
        return Bilingual(
            f"{described.en}, bank open day: {override.reason}",
            f"{described.pl}, dzień otwarcia banku: {override.reason}",
        )

    def check_override(self, day: date, kind: OverrideKind | str) -> None:
        """Refuse an override that changes nothing: a closure on a day off, an open day on a business day.

        Judged against the package calendar (weekends and ``holidays.Poland``), which is what an
        override corrects.

        :raises OverrideChangesNothing: the override would leave the calendar as it is.
        :raises ValueError: ``kind`` is not an ``OverrideKind``.
        """
        kind = OverrideKind(kind)
        day_off = self.is_statutory_day_off(day)
        if (kind is OverrideKind.CLOSED and day_off) or (kind is OverrideKind.OPEN and not day_off):
            raise OverrideChangesNothing(day=day, kind=kind, why=self.describe_statutory(day))
