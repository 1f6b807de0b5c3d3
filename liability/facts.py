"""The liability engine's value types: the facts of a claim, its lines and its assessment. Pure.

No ORM, no clock, no I/O (RULES.md section 3). ``liability.engine`` decides with them and re-exports
them; ``liability.record`` is their stored JSON form.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from kartosfera.legaltime import NaiveDatetimeError, require_aware, warsaw_date
from kartosfera.money import GROSZ, MoneyError, to_decimal
from liability.explain import LineFigures, is_synthetic_table
from liability.record import StoredAssessment, StoredFindings, StoredLine, StoredTransaction, stored_form

# Engine 2 keeps the cap's remaining EUR as an exact rational (RULES.md section 3); engine 1 kept a
# 50-digit Decimal. A stored result names its engine, and replays with that engine's arithmetic.
ENGINE = "kartosfera.liability/2"
ENGINE_1 = "kartosfera.liability/1"

RateOn = Callable[[date], tuple[Decimal, str]]
WindowEnd = Callable[[date], date]


class LiabilityInputError(ValueError):
    """The claim given to the engine is not valid; nothing was computed."""


class InvalidAmount(LiabilityInputError):
    """An amount that is a float, not a number, zero or negative, or finer than the grosz."""


class NaiveInstant(LiabilityInputError, NaiveDatetimeError):
    """A datetime without a time zone: the Warsaw date of a naive datetime is unknown."""


class DuplicateTransaction(LiabilityInputError):
    """Two transactions of the claim have the same id."""


class UnknownCause(LiabilityInputError):
    """The cause is not one of LOST, STOLEN, MISAPPROPRIATED, OTHER."""


class NoTransactions(LiabilityInputError):
    """The claim has no transaction."""


class InvalidFacts(LiabilityInputError):
    """A transaction, a finding or a rate of the wrong type or shape."""


def aware(value: datetime, name: str) -> datetime:
    """The instant, refused when naive (NaiveInstant) or not a datetime (InvalidFacts)."""
    try:
        return require_aware(value, name=name)
    except NaiveDatetimeError as exc:
        raise NaiveInstant(str(exc)) from exc
    except TypeError as exc:
        raise InvalidFacts(str(exc)) from exc


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidFacts(f"{name} must be True or False, got {value!r}")
    return value


def _amount(value: object, name: str) -> Decimal:
    try:
        amount = to_decimal(value)  # type: ignore[arg-type]
    except MoneyError as exc:
        raise InvalidAmount(f"{name}: {exc}") from exc
    if amount <= 0:
        raise InvalidAmount(f"{name} must be positive, got {amount}")
    try:
        in_grosze = amount.quantize(GROSZ)
    except InvalidOperation as exc:
        raise InvalidAmount(f"{name} is too large: {amount}") from exc
    if amount != in_grosze:
        raise InvalidAmount(f"{name} must be in whole grosze, got {amount}")
    return in_grosze


@dataclass(frozen=True, slots=True)
class TransactionFacts:
    """One unauthorised transaction: the PLN amount debited and when it was executed.

    ``debited_on`` (start of the 13-month window) defaults to the Warsaw date of execution.
    """

    id: str
    amount: Decimal
    executed_at: datetime
    sca_applied: bool
    debited_on: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidFacts(f"transaction id must be a non-empty str, got {self.id!r}")
        object.__setattr__(self, "amount", _amount(self.amount, f"amount of transaction {self.id}"))
        aware(self.executed_at, f"executed_at of transaction {self.id}")
        _bool(self.sca_applied, f"sca_applied of transaction {self.id}")
        if self.debited_on is None:
            object.__setattr__(self, "debited_on", warsaw_date(self.executed_at))
        elif not isinstance(self.debited_on, date) or isinstance(self.debited_on, datetime):
            raise InvalidFacts(f"debited_on of transaction {self.id} must be a date, got {self.debited_on!r}")

    @property
    def debit_date(self) -> date:
        """``debited_on``, which construction sets to the Warsaw date of execution when not given."""
        return self.debited_on or self.executed_on

    @property
    def executed_on(self) -> date:
        """The Warsaw date of execution: the date whose EUR rate applies."""
        return warsaw_date(self.executed_at)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (Decimals and dates as strings)."""
        return stored_form(StoredTransaction, self)


@dataclass(frozen=True, slots=True)
class Findings:
    """The analyst's findings about the claim (all False until established)."""

    intent: bool = False
    gross_negligence: bool = False
    undetectable: bool = False
    bank_staff: bool = False
    no_means_to_report: bool = False

    def __post_init__(self) -> None:
        for name in ("intent", "gross_negligence", "undetectable", "bank_staff", "no_means_to_report"):
            _bool(getattr(self, name), f"finding {name}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return stored_form(StoredFindings, self)


class ClaimFacts(TypedDict):
    """A claim's facts: the keywords ``assess_liability``, ``assess_liability_reading_rates``,
    ``dates_needing_rates`` and ``liability.services.liability_assess`` each take, so they travel
    together."""

    transactions: Iterable[TransactionFacts]
    reported_at: datetime
    cause: str
    findings: Findings


@dataclass(frozen=True, slots=True, kw_only=True)
class Line(LineFigures):
    """The decision for one transaction: the rule applied, the shares, the rate and why.

    ``rate``/``table``/``rate_date`` are set only where a rate was used (the cap rule); ``table`` is
    the NBP table number, or a ``SYNTHETIC-…`` label for a demo rate that is not an NBP table.
    ``remaining_eur_before``/``_after`` are exact rationals (``Fraction``; a Decimal in a replayed
    engine-1 result), written ``"n/d"`` by ``to_dict``. The figures are ``LineFigures``'.
    """

    transaction_id: str
    explanation_pl: str
    explanation_en: str
    rate_date: date | None = None

    @property
    def synthetic_rate(self) -> bool:
        """True when the rate used is a labelled synthetic (demo) rate, not an NBP table."""
        return is_synthetic_table(self.table)

    def explanation(self, language: str | None = "pl") -> str:
        """The explanation in Polish, or in English for an ``en`` language code."""
        return self.explanation_en if (language or "pl").startswith("en") else self.explanation_pl

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (Decimals and dates as strings, the remaining EUR exact)."""
        return stored_form(StoredLine, self)


@dataclass(frozen=True, slots=True)
class Assessment:
    """The liability of a whole claim: one line per transaction (in execution order) and the totals.

    It keeps its inputs, so ``to_dict()`` can be stored and ``replay_assessment`` recomputes it.
    """

    transactions: tuple[TransactionFacts, ...]
    reported_at: datetime
    cause: str
    findings: Findings
    rounding: str
    lines: tuple[Line, ...]
    engine: str = ENGINE
    customer_total: Decimal = field(init=False)
    bank_total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "customer_total", sum((x.customer for x in self.lines), Decimal("0.00")))
        object.__setattr__(self, "bank_total", sum((x.bank for x in self.lines), Decimal("0.00")))

    @property
    def synthetic_rates_used(self) -> bool:
        """True when any line used a synthetic (demo) rate: show it wherever the result is shown."""
        return any(line.synthetic_rate for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form with the inputs, for storing and replaying."""
        return stored_form(StoredAssessment, self)
