"""Legal deadlines: RULES.md section 2. Pure functions of dates, instants and a calendar: no ORM, no clock.

Every function returns a frozen ``Deadline`` that says which rule gave the date, on which legal basis,
and how (the steps, in English and Polish, worded by ``deadlines.steps``), so a customer, an analyst
and an auditor can check it. Policies (``ROLL_FORWARD``) come in as arguments; the caller reads them
from the settings.

A deadline depends only on its rule, its start date, its policies and the calendar, so the result is
memoised in the calendar (``BusinessCalendar.derived``): thousands of claims share a few hundred start
dates, and a calendar never changes once built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
from deadlines.calendar import Bilingual, BusinessCalendar, add_months, weekday_name
from deadlines.steps import (
    NOT_COUNTED,
    Step,
    business_days_step,
    calendar_days_step,
    day_text,
    due_step,
    roll_step,
    sentence,
    start_step,
)
from kartosfera.legaltime import day_end, require_aware, warsaw_date
from kartosfera.vocabulary import TextChoices
from kartosfera.vocabulary import gettext_lazy as _


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
# The policies a deadline was computed with, by name (``Deadline.policy``).
Policies = tuple[tuple[str, str | bool], ...]


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
class Deadline:
    """A legal deadline: the Warsaw due date, the instant it ends, the rule, its basis and the steps."""

    rule: str
    start_date: date
    due_date: date
    due_at: datetime  # the next Warsaw midnight after due_date: an act strictly before it is in time
    basis: Bilingual
    steps: tuple[Step, ...]
    policies: Policies
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


# A memo key: the rule, its start date and whatever else the date depends on (a policy, the report date).
_Key = tuple[object, ...]


def _remembered(calendar: BusinessCalendar, key: _Key) -> Deadline | None:
    """The deadline computed earlier on this calendar under ``key``, if any."""
    cached = calendar.derived.get(key)
    return cached if isinstance(cached, Deadline) else None


def _finish(
    rule: str,
    start: date,
    due: date,
    steps: list[Step],
    calendar: BusinessCalendar,
    key: _Key,
    policies: Policies = (),
    dispatch_counts: bool = False,
) -> Deadline:
    steps.append(due_step(rule, due, calendar, dispatch_counts=dispatch_counts))
    deadline = Deadline(
        rule=rule,
        start_date=start,
        due_date=due,
        due_at=day_end(due),
        basis=BASES[rule],
        steps=tuple(steps),
        policies=policies,
        explanation_en=sentence("; ".join(step.text.en for step in steps)),
        explanation_pl=sentence("; ".join(step.text.pl for step in steps)),
    )
    calendar.remember(key, deadline)
    return deadline


def refund_due(
    *, reported_at: datetime, calendar: BusinessCalendar, found_at: datetime | None = None
) -> Deadline:
    """`UUP-46-1`: refund by the end of the first business day after the report (or discovery, if earlier)."""
    reported_on = warsaw_date(reported_at, name="reported_at")
    found_on = None if found_at is None else warsaw_date(found_at, name="found_at")
    start = reported_on if found_on is None else min(found_on, reported_on)
    found_first = start < reported_on
    key: _Key = (REFUND, start, reported_on if found_first else None)
    cached = _remembered(calendar, key)
    if cached is not None:
        return cached
    if found_first:
        first = day_text(start, weekday_name(start))
        text = Bilingual(
            f"the bank found the transaction itself on {first.en}, before the report of {reported_on}: the "
            f"earlier date starts the period; {NOT_COUNTED.en}",
            f"bank sam stwierdził transakcję {first.pl}, przed zgłoszeniem z {reported_on}: bieg terminu "
            f"liczy się od wcześniejszej daty; {NOT_COUNTED.pl}",
        )
        first_step = Step("START", start, text)
    else:
        received = Bilingual("report received on", "zgłoszenie otrzymane")
        first_step = start_step(start, received, of_instant=True)
    due, counted = business_days_step(start, 1, calendar)
    return _finish(REFUND, start, due, [first_step, counted], calendar, key)


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
        key: _Key = (rule, received_on, roll_forward)
        cached = _remembered(calendar, key)
        if cached is not None:
            return cached
        start = start_step(
            received_on, Bilingual("complaint received on", "reklamacja otrzymana"), of_instant=True
        )
        end, counted = calendar_days_step(received_on, 60 if extended else 30, calendar)
        due, rolled = roll_step(end, roll_forward, calendar)
        policies: Policies = (("REPLY_REGIME", regime.value), ("ROLL_FORWARD", roll_forward))
        steps = [start, counted, rolled]
        return _finish(rule, received_on, due, steps, calendar, key, policies, dispatch_counts=True)
    rule = PAYMENT_SERVICE_REPLY_EXTENDED if extended else PAYMENT_SERVICE_REPLY
    key = (rule, received_on)
    cached = _remembered(calendar, key)
    if cached is not None:
        return cached
    start = start_step(
        received_on,
        Bilingual(
            "payment-service complaint received on", "reklamacja dotycząca usługi płatniczej otrzymana"
        ),
        of_instant=True,
    )
    due, counted = business_days_step(received_on, 35 if extended else 15, calendar)
    policies = (("REPLY_REGIME", regime.value),)
    return _finish(rule, received_on, due, [start, counted], calendar, key, policies, dispatch_counts=True)


def claim_window_end(*, debited_on: date, roll_forward: bool, calendar: BusinessCalendar) -> Deadline:
    """`UUP-44-2`: the last day to report an unauthorised transaction: 13 months after the debit, rolled."""
    debited_on = _require_date(debited_on, "debited_on")
    key = (CLAIM_WINDOW, debited_on, roll_forward)
    cached = _remembered(calendar, key)
    if cached is not None:
        return cached
    start = start_step(debited_on, Bilingual("account debited on", "obciążenie rachunku"))
    end, clipped = add_months(debited_on, 13)
    when = day_text(end, calendar.describe_statutory(end))
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
    due, rolled = roll_step(end, roll_forward, calendar)
    steps = [start, Step("MONTHS", end, text), rolled]
    return _finish(CLAIM_WINDOW, debited_on, due, steps, calendar, key, (("ROLL_FORWARD", roll_forward),))


def claim_reported_on(*, reported_at: datetime | None, received_at: datetime) -> date:
    """The day a claim reports its transactions, judged against the `UUP-44-2` window: the Warsaw date of
    the loss report (``reported_at``) if there is one, else of the claim's receipt (``received_at``)."""
    if reported_at is None:
        return warsaw_date(received_at, name="received_at")
    return warsaw_date(reported_at, name="reported_at")


def reported_out_of_window(*, reported_on: date, window: Deadline) -> bool:
    """`UUP-44-2`: a transaction reported on ``reported_on`` is out of time when that day is after the
    window's last day (``claim_window_end``); a report on the last day itself is in time."""
    return _require_date(reported_on, "reported_on") > window.due_date


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
    cached = _remembered(calendar, key)
    if cached is not None:
        return cached
    end, counted = calendar_days_step(processed_on, days, calendar)
    no_roll = Step(
        "NO_ROLL",
        end,
        Bilingual(
            "card-scheme windows count calendar days and do not roll forward, even to a weekend or holiday",
            "terminy organizacji kartowych liczy się w dniach kalendarzowych i nie przesuwa się ich, "
            "nawet na dzień wolny",
        ),
    )
    steps = [start_step(processed_on, what), counted, no_roll]
    return _finish(rule, processed_on, end, steps, calendar, key)
