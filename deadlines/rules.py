"""Legal deadlines: RULES.md section 2. Pure functions of dates, instants and a calendar: no ORM, no clock.

Every function returns a frozen ``Deadline`` that says which rule gave the date, on which legal basis,
and how (the steps, in English and Polish), so a customer, an analyst and an auditor can check it.
Policies (``ROLL_FORWARD``) come in as arguments; the caller reads them from the settings.

A deadline depends only on its rule, its start date, its policies and the calendar, so the result is
memoised in the calendar (``BusinessCalendar.derived``): thousands of claims share a few hundred start
dates, and a calendar never changes once built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from typing import TypeVar

from deadlines.bases import (
    BASES,
    CLAIM_WINDOW,
    MASTERCARD_FRAUD_CHARGEBACK,
    MASTERCARD_SECOND_PRESENTMENT,
    PAYMENT_SERVICE_REPLY,
    PAYMENT_SERVICE_REPLY_EXTENDED,
    REFUND,
    REPLY,
    REPLY_EXTENDED,
    VISA_FRAUD_CHARGEBACK,
)
from deadlines.calendar import SATURDAY, Bilingual, BusinessCalendar, add_months, weekday_name
from kartosfera.legaltime import day_end, require_aware, warsaw_date
from kartosfera.vocabulary import TextChoices
from kartosfera.vocabulary import gettext_lazy as _

_NOT_COUNTED = Bilingual("that day is not counted (KC-111)", "tego dnia nie wlicza się (KC-111)")
_SATURDAY = Bilingual("a Saturday", "sobota")
_DAY_OFF = Bilingual("a statutory day off", "dzień ustawowo wolny od pracy")


class DeadlineInputError(ValueError):
    """An input a deadline rule cannot take (an unknown regime, scheme or stage)."""


class UnknownRegime(DeadlineInputError):
    """A reply regime other than COMPLAINTS_ACT or PAYMENT_SERVICES."""


class UnknownScheme(DeadlineInputError):
    """A card scheme other than VISA or MASTERCARD."""


class UnknownStage(DeadlineInputError):
    """A chargeback stage other than CHARGEBACK or SECOND_PRESENTMENT."""


class StageNotInScheme(DeadlineInputError):
    """A stage the scheme does not have: Visa has no second presentment (`CB-MC-2P` is Mastercard's)."""


_Choice = TypeVar("_Choice", bound=Enum)


class Regime(TextChoices):
    """Reply regime of a complaint (a policy per complaint category)."""

    # REK-6 / REK-7: 30 / 60 calendar days
    COMPLAINTS_ACT = "COMPLAINTS_ACT", _("Complaints Act (30/60 calendar days)")
    # UUP-PS-15 / UUP-PS-35: 15 / 35 business days
    PAYMENT_SERVICES = "PAYMENT_SERVICES", _("Payment Services Act (15/35 business days)")


class Scheme(TextChoices):
    """Card scheme: of a card, and of the chargeback raised on its transaction."""

    # Trade names, the same in every language.
    VISA = "VISA", "Visa"
    MASTERCARD = "MASTERCARD", "Mastercard"


class Stage(StrEnum):
    """Stage of a card-scheme dispute whose window is tracked."""

    CHARGEBACK = "CHARGEBACK"
    SECOND_PRESENTMENT = "SECOND_PRESENTMENT"


def _parse(kind: type[_Choice], value: object, error: type[DeadlineInputError], what: str) -> _Choice:
    if type(value) is kind:
        return value
    try:
        return kind(value)
    except ValueError:
        allowed = " or ".join(member.value for member in kind)
        raise error(f"unknown {what} {value!r}: expected {allowed}") from None


def parse_regime(value: object) -> Regime:
    """The ``Regime`` named by ``value``; refuse anything else with ``UnknownRegime``."""
    return _parse(Regime, value, UnknownRegime, "reply regime")


def parse_scheme(value: object) -> Scheme:
    """The ``Scheme`` named by ``value``; refuse anything else with ``UnknownScheme``."""
    return _parse(Scheme, value, UnknownScheme, "card scheme")


def parse_stage(value: object) -> Stage:
    """The ``Stage`` named by ``value``; refuse anything else with ``UnknownStage``."""
    return _parse(Stage, value, UnknownStage, "chargeback stage")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the computation of a deadline, e.g. a roll-forward, as the explanation states it."""

    code: str  # START, CALENDAR_DAYS, MONTHS, BUSINESS_DAYS, ROLL, NO_ROLL, DUE
    day: date
    text: Bilingual


@dataclass(frozen=True, slots=True)
class Deadline:
    """A legal deadline: the Warsaw due date, the instant it ends, the rule, its basis and the steps."""

    rule: str
    start_date: date
    due_date: date
    due_at: datetime  # the next Warsaw midnight after due_date: an act strictly before it is in time
    basis: Bilingual
    steps: tuple[Step, ...]
    policies: tuple[tuple[str, str | bool], ...]
    explanation_en: str
    explanation_pl: str

    @property
    def basis_en(self) -> str:
        """The legal basis in English."""
        return self.basis.en

    @property
    def basis_pl(self) -> str:
        """The legal basis in Polish."""
        return self.basis.pl

    def explanation(self, lang: str) -> str:
        """The explanation in ``lang`` ("pl" or "en")."""
        return self.explanation_pl if lang == "pl" else self.explanation_en

    def policy(self, name: str) -> str | bool | None:
        """The value of policy ``name`` used for this deadline, or None when it played no part."""
        return dict(self.policies).get(name)


def deadline_breached(*, due_at: datetime, at: datetime) -> bool:
    """The one definition of a breach: at ``at`` the deadline's end (``due_at``, the midnight after
    the Warsaw due date) has come, and an act then is late. The traffic lights use it; the queues and
    the reports use its database form, ``disputes.selectors.deadline_passed``."""
    return at >= due_at


def is_met(deadline: Deadline, act_at: datetime) -> bool:
    """Whether an act at ``act_at`` is in time: any moment before the end of the Warsaw due date."""
    return not deadline_breached(due_at=deadline.due_at, at=require_aware(act_at, name="act_at"))


def _require_date(value: object, name: str) -> date:
    # A datetime is a date too, but taking its date would silently use whatever zone it carries.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date (a Europe/Warsaw calendar date), got {type(value).__name__}")
    return value


def _day(day: date, described: Bilingual) -> Bilingual:
    return Bilingual(f"{day.isoformat()} ({described.en})", f"{day.isoformat()} ({described.pl})")


def _days(days: list[date], describe) -> Bilingual:
    parts = [_day(day, describe(day)) for day in days]
    return Bilingual(", ".join(part.en for part in parts), ", ".join(part.pl for part in parts))


def _ordinal_en(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _start(day: date, what: Bilingual, *, of_instant: bool = False) -> Step:
    weekday = weekday_name(day)
    if of_instant:
        # The date of an instant is its Europe/Warsaw date (RULES.md section 1), whatever zone it came in.
        weekday = Bilingual(f"{weekday.en}, Europe/Warsaw date", f"{weekday.pl}, data w czasie warszawskim")
    when = _day(day, weekday)
    return Step(
        "START",
        day,
        Bilingual(f"{what.en} {when.en}; {_NOT_COUNTED.en}", f"{what.pl} {when.pl}; {_NOT_COUNTED.pl}"),
    )


def _finish(
    rule: str,
    start: date,
    due: date,
    steps: list[Step],
    calendar: BusinessCalendar,
    key: tuple,
    policies: tuple[tuple[str, str | bool], ...] = (),
    dispatch_counts: bool = False,
) -> Deadline:
    due_at = day_end(due)
    when = _day(due, calendar.describe(due))
    en = f"due by the end of {when.en}, i.e. before {due_at.isoformat()} (midnight, Europe/Warsaw)"
    pl = f"termin upływa z końcem dnia {when.pl}, tj. przed {due_at.isoformat()} (północ czasu warszawskiego)"
    if dispatch_counts:
        en += "; dispatching the reply before then is in time (Complaints Act art. 6)"
        pl += (
            "; do zachowania terminu wystarczy wysłanie odpowiedzi przed jego upływem "
            "(art. 6 ustawy o reklamacjach)"
        )
    steps.append(Step("DUE", due, Bilingual(f"{en} [{rule}]", f"{pl} [{rule}]")))
    deadline = Deadline(
        rule=rule,
        start_date=start,
        due_date=due,
        due_at=due_at,
        basis=BASES[rule],
        steps=tuple(steps),
        policies=policies,
        explanation_en=_sentence("; ".join(step.text.en for step in steps)),
        explanation_pl=_sentence("; ".join(step.text.pl for step in steps)),
    )
    calendar.remember(key, deadline)
    return deadline


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _business_days(start: date, count: int, calendar: BusinessCalendar) -> tuple[date, Step]:
    due = calendar.add_business_days(start, count)
    between = [start + timedelta(days=offset) for offset in range(1, (due - start).days)]
    skipped = [day for day in between if not calendar.is_business_day(day)]
    opened = [day for day in between if calendar.is_statutory_day_off(day) and calendar.is_business_day(day)]
    when = _day(due, calendar.describe(due))
    if count == 1:
        en, pl = f"first business day after it: {when.en}", f"pierwszy dzień roboczy po nim: {when.pl}"
    else:
        en = f"the {_ordinal_en(count)} business day after it: {when.en}"
        pl = f"{count}. dzień roboczy po nim: {when.pl}"
    if skipped:
        listed = _days(skipped, calendar.describe)
        en += f"; not business days, not counted: {listed.en}"
        pl += f"; dni nierobocze, nieliczone: {listed.pl}"
    if opened:
        listed = _days(opened, calendar.describe)
        en += f"; bank open days counted as business days: {listed.en}"
        pl += f"; dni otwarcia banku liczone jako robocze: {listed.pl}"
    return due, Step("BUSINESS_DAYS", due, Bilingual(en, pl))


def _roll(end: date, roll_forward: bool, calendar: BusinessCalendar) -> tuple[date, Step]:
    if not calendar.is_statutory_day_off(end):
        text = Bilingual(
            "neither a Saturday nor a statutory day off: no roll-forward (KC-115)",
            "nie jest sobotą ani dniem ustawowo wolnym od pracy: bez przesunięcia (KC-115)",
        )
        return end, Step("NO_ROLL", end, text)
    if not roll_forward:
        text = Bilingual(
            "a Saturday or statutory day off, not moved: policy ROLL_FORWARD is off",
            "sobota lub dzień ustawowo wolny od pracy, bez przesunięcia: polityka ROLL_FORWARD wyłączona",
        )
        return end, Step("NO_ROLL", end, text)
    rolled = calendar.roll_forward(end)
    when = _day(rolled, weekday_name(rolled))
    off = _SATURDAY if end.weekday() == SATURDAY else _DAY_OFF
    en = (
        f"{off.en} → moved to {when.en}, the next day that is neither a Saturday nor a statutory day off "
        "(KC-115; statutory days off only: the bank's closure and open days do not move a statutory deadline)"
    )
    pl = (
        f"{off.pl} → termin przesunięty na {when.pl}, najbliższy dzień, który nie jest sobotą ani dniem "
        "ustawowo wolnym od pracy (KC-115; tylko dni ustawowo wolne: dni zamknięcia i otwarcia banku nie "
        "przesuwają terminu ustawowego)"
    )
    also_off = [end + timedelta(days=offset) for offset in range(1, (rolled - end).days)]
    if also_off:
        listed = _days(also_off, calendar.describe_statutory)
        en += f"; also days off: {listed.en}"
        pl += f"; również dni wolne: {listed.pl}"
    return rolled, Step("ROLL", rolled, Bilingual(en, pl))


def _calendar_days(start: date, days: int, calendar: BusinessCalendar) -> tuple[date, Step]:
    end = start + timedelta(days=days)
    when = _day(end, calendar.describe_statutory(end))
    return end, Step("CALENDAR_DAYS", end, Bilingual(f"day {days} = {when.en}", f"dzień {days} = {when.pl}"))


def refund_due(
    *, reported_at: datetime, calendar: BusinessCalendar, found_at: datetime | None = None
) -> Deadline:
    """`UUP-46-1`: refund by the end of the first business day after the report (or discovery, if earlier)."""
    reported_on = warsaw_date(reported_at, name="reported_at")
    found_on = None if found_at is None else warsaw_date(found_at, name="found_at")
    found_first = found_on is not None and found_on < reported_on
    start = found_on if found_first else reported_on
    key = (REFUND, start, reported_on if found_first else None)
    cached = calendar.derived.get(key)
    if cached is not None:
        return cached
    if found_first:
        first = _day(start, weekday_name(start))
        text = Bilingual(
            f"the bank found the transaction itself on {first.en}, before the report of {reported_on}: the "
            f"earlier date starts the period; {_NOT_COUNTED.en}",
            f"bank sam stwierdził transakcję {first.pl}, przed zgłoszeniem z {reported_on}: bieg terminu "
            f"liczy się od wcześniejszej daty; {_NOT_COUNTED.pl}",
        )
        start_step = Step("START", start, text)
    else:
        start_step = _start(start, Bilingual("report received on", "zgłoszenie otrzymane"), of_instant=True)
    due, counted = _business_days(start, 1, calendar)
    return _finish(REFUND, start, due, [start_step, counted], calendar, key)


def reply_due(
    *,
    received_at: datetime,
    regime: Regime | str,
    extended: bool,
    roll_forward: bool,
    calendar: BusinessCalendar,
) -> Deadline:
    """Reply to a complaint: `REK-6`/`REK-7` (30/60 days, roll) or `UUP-PS-15`/`UUP-PS-35` (business days)."""
    regime = parse_regime(regime)
    if not isinstance(extended, bool):
        raise TypeError(f"extended must be True or False, got {extended!r}")
    received_on = warsaw_date(received_at, name="received_at")
    if regime is Regime.COMPLAINTS_ACT:
        rule = REPLY_EXTENDED if extended else REPLY
        key = (rule, received_on, roll_forward)
        cached = calendar.derived.get(key)
        if cached is not None:
            return cached
        start = _start(
            received_on, Bilingual("complaint received on", "reklamacja otrzymana"), of_instant=True
        )
        end, counted = _calendar_days(received_on, 60 if extended else 30, calendar)
        due, rolled = _roll(end, roll_forward, calendar)
        policies = (("REPLY_REGIME", regime.value), ("ROLL_FORWARD", roll_forward))
        steps = [start, counted, rolled]
        return _finish(rule, received_on, due, steps, calendar, key, policies, dispatch_counts=True)
    rule = PAYMENT_SERVICE_REPLY_EXTENDED if extended else PAYMENT_SERVICE_REPLY
    key = (rule, received_on)
    cached = calendar.derived.get(key)
    if cached is not None:
        return cached
    start = _start(
        received_on,
        Bilingual(
            "payment-service complaint received on", "reklamacja dotycząca usługi płatniczej otrzymana"
        ),
        of_instant=True,
    )
    due, counted = _business_days(received_on, 35 if extended else 15, calendar)
    policies = (("REPLY_REGIME", regime.value),)
    return _finish(rule, received_on, due, [start, counted], calendar, key, policies, dispatch_counts=True)


def claim_window_end(*, debited_on: date, roll_forward: bool, calendar: BusinessCalendar) -> Deadline:
    """`UUP-44-2`: the last day to report an unauthorised transaction: 13 months after the debit, rolled."""
    debited_on = _require_date(debited_on, "debited_on")
    key = (CLAIM_WINDOW, debited_on, roll_forward)
    cached = calendar.derived.get(key)
    if cached is not None:
        return cached
    start = _start(debited_on, Bilingual("account debited on", "obciążenie rachunku"))
    end, clipped = add_months(debited_on, 13)
    when = _day(end, calendar.describe_statutory(end))
    if clipped:
        text = Bilingual(
            f"13 months later (KC-112): {end:%Y-%m} has no day {debited_on.day} → its last day, {when.en}",
            f"13 miesięcy później (KC-112): miesiąc {end:%Y-%m} nie ma dnia {debited_on.day} → jego ostatni "
            f"dzień, {when.pl}",
        )
    else:
        text = Bilingual(
            f"13 months later, the day with the same number (KC-112): {when.en}",
            f"13 miesięcy później, dzień o tej samej liczbie (KC-112): {when.pl}",
        )
    due, rolled = _roll(end, roll_forward, calendar)
    steps = [start, Step("MONTHS", end, text), rolled]
    return _finish(CLAIM_WINDOW, debited_on, due, steps, calendar, key, (("ROLL_FORWARD", roll_forward),))


def chargeback_due(
    *, processed_on: date, scheme: Scheme | str, stage: Stage | str, calendar: BusinessCalendar
) -> Deadline:
    """Card-scheme windows, calendar days, no roll: `CB-VISA-10.4`/`CB-MC-4837` 120 days, `CB-MC-2P` 45 days.

    For ``SECOND_PRESENTMENT`` (Mastercard only) ``processed_on`` is the date the chargeback was filed.
    """
    scheme, stage = parse_scheme(scheme), parse_stage(stage)
    processed_on = _require_date(processed_on, "processed_on")
    if stage is Stage.SECOND_PRESENTMENT and scheme is not Scheme.MASTERCARD:
        raise StageNotInScheme(
            f"{scheme.value} has no second presentment: CB-MC-2P is a Mastercard window; "
            "track the Visa dispute with stage CHARGEBACK"
        )
    if stage is Stage.SECOND_PRESENTMENT:
        rule, days = MASTERCARD_SECOND_PRESENTMENT, 45
        what = Bilingual("chargeback filed on", "chargeback złożony")
    else:
        rule = VISA_FRAUD_CHARGEBACK if scheme is Scheme.VISA else MASTERCARD_FRAUD_CHARGEBACK
        days = 120
        what = Bilingual(
            "transaction processed (processing date) on", "transakcja przetworzona (data przetworzenia)"
        )
    key = (rule, processed_on)
    cached = calendar.derived.get(key)
    if cached is not None:
        return cached
    end, counted = _calendar_days(processed_on, days, calendar)
    no_roll = Step(
        "NO_ROLL",
        end,
        Bilingual(
            "card-scheme windows count calendar days and do not roll forward, even to a weekend or holiday",
            "terminy organizacji kartowych liczy się w dniach kalendarzowych i nie przesuwa się ich, "
            "nawet na dzień wolny",
        ),
    )
    steps = [_start(processed_on, what), counted, no_roll]
    return _finish(rule, processed_on, end, steps, calendar, key)
