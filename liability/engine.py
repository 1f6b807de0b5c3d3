"""The liability engine's public interface: who pays what of an unauthorised-transaction claim.

Pure (RULES.md section 3): no ORM, no clock, no I/O. The caller gives the EUR rate as a function
``rate_on(warsaw_date) -> (mid, table_no)``; ``liability.services.liability_assess`` wires it to the
stored NBP rates (one prefetch per claim) and is what the workflow calls.

The 13-month window (``UUP-44-2-LATE``) needs the last reporting day for each debit date. It is the
optional ``window_end(debited_on) -> date`` parameter; by default ``liability.days.claim_window_end``
(KC-112 month clip, KC-115 roll over Saturdays, Sundays and ``holidays.Poland``), so this module does
not depend on the deadlines app. The integrator may pass ``deadlines.engine.claim_window_end`` instead.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from kartosfera.legaltime import NaiveDatetimeError, require_aware, warsaw_date
from kartosfera.money import GROSZ, MoneyError, round_grosz, to_decimal
from liability import rules
from liability.days import claim_window_end
from liability.explain import LineContext, explain, is_synthetic_table

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


def _aware(value: datetime, name: str) -> datetime:
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
        _aware(self.executed_at, f"executed_at of transaction {self.id}")
        _bool(self.sca_applied, f"sca_applied of transaction {self.id}")
        if self.debited_on is None:
            object.__setattr__(self, "debited_on", warsaw_date(self.executed_at))
        elif not isinstance(self.debited_on, date) or isinstance(self.debited_on, datetime):
            raise InvalidFacts(f"debited_on of transaction {self.id} must be a date, got {self.debited_on!r}")

    @property
    def executed_on(self) -> date:
        """The Warsaw date of execution: the date whose EUR rate applies."""
        return warsaw_date(self.executed_at)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (Decimals and dates as strings)."""
        return {
            "id": self.id,
            "amount": str(self.amount),
            "executed_at": self.executed_at.isoformat(),
            "sca_applied": self.sca_applied,
            "debited_on": self.debited_on.isoformat(),  # type: ignore[union-attr]
        }


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

    def to_dict(self) -> dict[str, bool]:
        """JSON-ready form."""
        return {
            "intent": self.intent,
            "gross_negligence": self.gross_negligence,
            "undetectable": self.undetectable,
            "bank_staff": self.bank_staff,
            "no_means_to_report": self.no_means_to_report,
        }


def _str(value: Decimal | Fraction | date | None) -> str | None:
    """JSON-ready text: a date in ISO form, a Decimal as written, a Fraction exactly (``"n/d"``)."""
    return None if value is None else (value.isoformat() if isinstance(value, date) else str(value))


@dataclass(frozen=True, slots=True)
class Line:
    """The decision for one transaction: the rule applied, the shares, the rate and why.

    ``rate``/``table``/``rate_date`` are set only where a rate was used (the cap rule); ``table`` is
    the NBP table number, or a ``SYNTHETIC-…`` label for a demo rate that is not an NBP table.
    ``remaining_eur_before``/``_after`` are exact rationals (``Fraction``; a Decimal in a replayed
    engine-1 result), written ``"n/d"`` by ``to_dict``.
    """

    transaction_id: str
    rule: str
    customer: Decimal
    bank: Decimal
    rate: Decimal | None
    table: str | None
    explanation_pl: str
    explanation_en: str
    amount: Decimal
    executed_at: datetime
    debited_on: date
    window_end: date
    rate_date: date | None = None
    cap: Decimal | None = None
    remaining_eur_before: Fraction | Decimal | None = None
    remaining_eur_after: Fraction | Decimal | None = None

    @property
    def synthetic_rate(self) -> bool:
        """True when the rate used is a labelled synthetic (demo) rate, not an NBP table."""
        return is_synthetic_table(self.table)

    def explanation(self, language: str | None = "pl") -> str:
        """The explanation in Polish, or in English for an ``en`` language code."""
        return self.explanation_en if (language or "pl").startswith("en") else self.explanation_pl

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (Decimals and dates as strings)."""
        return {
            "transaction_id": self.transaction_id,
            "rule": self.rule,
            "customer": str(self.customer),
            "bank": str(self.bank),
            "rate": _str(self.rate),
            "table": self.table,
            "synthetic_rate": self.synthetic_rate,
            "rate_date": _str(self.rate_date),
            "amount": str(self.amount),
            "executed_at": self.executed_at.isoformat(),
            "debited_on": self.debited_on.isoformat(),
            "window_end": self.window_end.isoformat(),
            "cap": _str(self.cap),
            "remaining_eur_before": _str(self.remaining_eur_before),
            "remaining_eur_after": _str(self.remaining_eur_after),
            "explanation_pl": self.explanation_pl,
            "explanation_en": self.explanation_en,
        }


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
        return {
            "engine": self.engine,
            "inputs": {
                "transactions": [t.to_dict() for t in self.transactions],
                "reported_at": self.reported_at.isoformat(),
                "cause": str(self.cause),
                "findings": self.findings.to_dict(),
                "rounding": self.rounding,
            },
            "currency": "PLN",
            "customer_total": str(self.customer_total),
            "bank_total": str(self.bank_total),
            "synthetic_rates_used": self.synthetic_rates_used,
            "lines": [line.to_dict() for line in self.lines],
        }


@dataclass(frozen=True, slots=True)
class _Claim:
    transactions: tuple[TransactionFacts, ...]
    reported_at: datetime
    cause: str
    findings: Findings
    rounding: str
    decisions: tuple[tuple[TransactionFacts, str, date], ...]  # execution order: (tx, rule, window end)


def _decide(
    *,
    transactions: Iterable[TransactionFacts],
    reported_at: datetime,
    cause: str,
    findings: Findings,
    window_end: WindowEnd | None,
    rounding: str,
) -> _Claim:
    """Validate the claim and pick each transaction's rule (first match wins), in execution order."""
    txs = tuple(transactions)
    if not txs:
        raise NoTransactions("a claim needs at least one transaction")
    for tx in txs:
        if not isinstance(tx, TransactionFacts):
            raise InvalidFacts(f"transactions must be TransactionFacts, got {type(tx).__name__}")
    seen: set[str] = set()
    for tx in txs:
        if tx.id in seen:
            raise DuplicateTransaction(f"transaction id {tx.id!r} appears more than once in the claim")
        seen.add(tx.id)
    _aware(reported_at, "reported_at")
    if cause not in rules.CAUSES:
        raise UnknownCause(f"unknown cause {cause!r}; expected one of {', '.join(rules.CAUSES)}")
    if not isinstance(findings, Findings):
        raise InvalidFacts(f"findings must be Findings, got {type(findings).__name__}")
    try:
        round_grosz(Decimal(0), rounding=rounding)
    except MoneyError as exc:
        raise LiabilityInputError(str(exc)) from exc
    window_end = window_end or claim_window_end
    reported_on = warsaw_date(reported_at)
    decisions = []
    # The cap is consumed in execution order; equal instants keep the order they were given in.
    for _, tx in sorted(enumerate(txs), key=lambda pair: (pair[1].executed_at, pair[0])):
        end = window_end(tx.debited_on)  # type: ignore[arg-type]
        if not isinstance(end, date):
            raise InvalidFacts(f"window_end must return a date, got {end!r}")
        facts = rules.RuleFacts(
            executed_at=tx.executed_at,
            sca_applied=tx.sca_applied,
            reported_at=reported_at,
            reported_on=reported_on,
            window_end=end,
            cause=str(cause),
            intent=findings.intent,
            gross_negligence=findings.gross_negligence,
            undetectable=findings.undetectable,
            bank_staff=findings.bank_staff,
            no_means_to_report=findings.no_means_to_report,
        )
        decisions.append((tx, rules.first_matching_rule(facts), end))
    return _Claim(txs, reported_at, str(cause), findings, rounding, tuple(decisions))


def dates_needing_rates(
    *,
    transactions: Iterable[TransactionFacts],
    reported_at: datetime,
    cause: str,
    findings: Findings,
    window_end: WindowEnd | None = None,
) -> list[date]:
    """The Warsaw execution dates whose EUR rate ``assess_liability`` will ask for (cap rule only).

    :raises LiabilityInputError: (and subclasses) as ``assess_liability``.
    """
    claim = _decide(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        window_end=window_end,
        rounding="ROUND_HALF_UP",
    )
    return sorted({tx.executed_on for tx, rule, _ in claim.decisions if rule == rules.CAP})


def _checked_rate(answer: object, day: date) -> tuple[Decimal, str]:
    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise InvalidFacts(f"rate_on({day}) must return (Decimal mid, str table), got {answer!r}")
    mid, table = answer
    if not isinstance(mid, Decimal) or not mid.is_finite() or mid <= 0:
        raise InvalidFacts(f"rate_on({day}) must give a positive Decimal mid, got {mid!r}")
    if not isinstance(table, str) or not table:
        raise InvalidFacts(f"rate_on({day}) must give the table number, got {table!r}")
    return mid, table


def assess_liability(
    *,
    transactions: Iterable[TransactionFacts],
    reported_at: datetime,
    cause: str,
    findings: Findings,
    rate_on: RateOn,
    window_end: WindowEnd | None = None,
    rounding: str = "ROUND_HALF_UP",
) -> Assessment:
    """Decide the customer's and the bank's share of every transaction of a claim (RULES.md section 3).

    ``rate_on(day)`` gives the EUR mid rate and its table for a Warsaw execution date; it is called
    once per date, only for transactions under the cap rule. Errors it raises (e.g.
    ``liability.services.RateUnavailable``) propagate and nothing is returned.

    :raises NoTransactions, DuplicateTransaction, UnknownCause, NaiveInstant, InvalidAmount,
        InvalidFacts: the input is refused (all are ``LiabilityInputError``, a ``ValueError``).
    """
    return _assess(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        rate_on=rate_on,
        window_end=window_end,
        rounding=rounding,
        engine=ENGINE,
    )


def _assess(
    *,
    transactions: Iterable[TransactionFacts],
    reported_at: datetime,
    cause: str,
    findings: Findings,
    rate_on: RateOn,
    window_end: WindowEnd | None,
    rounding: str,
    engine: str,
) -> Assessment:
    """``assess_liability`` with the cap arithmetic of ``engine`` (engine 1 only to replay its results)."""
    claim = _decide(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        window_end=window_end,
        rounding=rounding,
    )
    if engine == ENGINE:
        cap_step, remaining_eur = rules.cap_step, rules.CAP_EUR
    elif engine == ENGINE_1:
        cap_step, remaining_eur = rules.cap_step_decimal, Decimal(rules.CAP_EUR.numerator)
    else:
        raise InvalidFacts(f"unknown liability engine {engine!r}")
    rates: dict[date, tuple[Decimal, str]] = {}
    lines = []
    for tx, rule, end in claim.decisions:
        amount = tx.amount
        context = {
            "rule": rule,
            "amount": amount,
            "executed_at": tx.executed_at,
            "reported_at": claim.reported_at,
            "debited_on": tx.debited_on,
            "window_end": end,
            "cause": claim.cause,
            "undetectable": findings.undetectable,
            "bank_staff": findings.bank_staff,
        }
        if rule == rules.CAP:
            day = tx.executed_on
            if day not in rates:
                rates[day] = _checked_rate(rate_on(day), day)
            rate, table = rates[day]
            step = cap_step(amount=amount, rate=rate, remaining_eur=remaining_eur, rounding=rounding)
            remaining_eur = step.remaining_eur_after
            customer = step.customer
            context.update(
                rate=rate,
                table=table,
                cap=step.cap,
                remaining_eur_before=step.remaining_eur_before,
                remaining_eur_after=step.remaining_eur_after,
            )
        else:
            day = None
            customer = amount if rule in rules.CUSTOMER_PAYS_ALL else Decimal("0.00")
        bank = amount - customer
        ctx = LineContext(customer=customer, bank=bank, **context)
        lines.append(
            Line(
                transaction_id=tx.id,
                rule=rule,
                customer=customer,
                bank=bank,
                rate=ctx.rate,
                table=ctx.table,
                explanation_pl=explain(ctx, "pl"),
                explanation_en=explain(ctx, "en"),
                amount=amount,
                executed_at=tx.executed_at,
                debited_on=tx.debited_on,  # type: ignore[arg-type]
                window_end=end,
                rate_date=day,
                cap=ctx.cap,
                remaining_eur_before=ctx.remaining_eur_before,
                remaining_eur_after=ctx.remaining_eur_after,
            )
        )
    return Assessment(
        transactions=claim.transactions,
        reported_at=claim.reported_at,
        cause=claim.cause,
        findings=findings,
        rounding=rounding,
        lines=tuple(lines),
        engine=engine,
    )


def replay_assessment(data: Mapping[str, Any]) -> Assessment:
    """Recompute a stored ``Assessment.to_dict()`` from its inputs with the rates and windows it used.

    Comparing ``replay_assessment(d).to_dict()`` with ``d`` proves a stored result was computed by
    these rules from these inputs. A result names its engine and replays with that engine's cap
    arithmetic (engine 1: 50-digit Decimal; engine 2: exact rationals).

    :raises LiabilityInputError: the stored inputs are not a valid claim.
    :raises KeyError: the data is not an assessment.
    """
    inputs = data["inputs"]
    transactions = [
        TransactionFacts(
            id=t["id"],
            amount=Decimal(t["amount"]),
            executed_at=datetime.fromisoformat(t["executed_at"]),
            sca_applied=t["sca_applied"],
            debited_on=date.fromisoformat(t["debited_on"]),
        )
        for t in inputs["transactions"]
    ]
    rates = {
        date.fromisoformat(line["rate_date"]): (Decimal(line["rate"]), line["table"])
        for line in data["lines"]
        if line["rate_date"] is not None
    }
    windows = {
        date.fromisoformat(line["debited_on"]): date.fromisoformat(line["window_end"])
        for line in data["lines"]
    }

    def stored_rate(day: date) -> tuple[Decimal, str]:
        return rates[day]

    def stored_window(debited_on: date) -> date:
        return windows[debited_on]

    return _assess(
        transactions=transactions,
        reported_at=datetime.fromisoformat(inputs["reported_at"]),
        cause=inputs["cause"],
        findings=Findings(**inputs["findings"]),
        rate_on=stored_rate,
        window_end=stored_window,
        rounding=inputs["rounding"],
        engine=data["engine"],
    )
