"""The liability engine's public interface: who pays what of an unauthorised-transaction claim.

Pure (RULES.md section 3): no ORM, no clock, no I/O. The caller gives the EUR rate as a function
``rate_on(warsaw_date) -> (mid, table_no)``; ``liability.services.liability_assess`` wires it to the
stored NBP rates (one prefetch per claim) and is what the workflow calls.

The 13-month window (``UUP-44-2-LATE``) needs the last reporting day for each debit date. It is the
optional ``window_end(debited_on) -> date`` parameter; by default ``liability.days.claim_window_end``
(KC-112 month clip, KC-115 roll over Saturdays, Sundays and ``holidays.Poland``), so this module does
not depend on the deadlines app. The integrator may pass ``deadlines.engine.claim_window_end`` instead.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Unpack

from kartosfera.legaltime import warsaw_date
from kartosfera.money import MoneyError, round_grosz
from liability import rules
from liability.days import claim_window_end
from liability.explain import LineContext, explain

# The value types live in liability.facts and the stored form in liability.record; the engine's callers
# import them from here, its front door.
from liability.facts import ENGINE as ENGINE
from liability.facts import ENGINE_1 as ENGINE_1
from liability.facts import Assessment as Assessment
from liability.facts import ClaimFacts as ClaimFacts
from liability.facts import DuplicateTransaction as DuplicateTransaction
from liability.facts import Findings as Findings
from liability.facts import InvalidAmount as InvalidAmount
from liability.facts import InvalidFacts as InvalidFacts
from liability.facts import LiabilityInputError as LiabilityInputError
from liability.facts import Line as Line
from liability.facts import NaiveInstant as NaiveInstant
from liability.facts import NoTransactions as NoTransactions
from liability.facts import RateOn as RateOn
from liability.facts import TransactionFacts as TransactionFacts
from liability.facts import UnknownCause as UnknownCause
from liability.facts import WindowEnd as WindowEnd
from liability.facts import aware
from liability.record import NotAnAssessment as NotAnAssessment
from liability.record import StoredAssessment


@dataclass(frozen=True, slots=True)
class _Claim:
    transactions: tuple[TransactionFacts, ...]
    reported_at: datetime
    cause: str
    findings: Findings
    rounding: str
    decisions: tuple[tuple[TransactionFacts, str, date], ...]  # execution order: (tx, rule, window end)


def _decide(claim: ClaimFacts, *, window_end: WindowEnd | None, rounding: str) -> _Claim:
    """Validate the claim and pick each transaction's rule (first match wins), in execution order."""
    txs = tuple(claim["transactions"])
    reported_at, cause, findings = claim["reported_at"], claim["cause"], claim["findings"]
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
    aware(reported_at, "reported_at")
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
        end = window_end(tx.debit_date)
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


def dates_needing_rates(*, window_end: WindowEnd | None = None, **claim: Unpack[ClaimFacts]) -> list[date]:
    """The Warsaw execution dates whose EUR rate ``assess_liability`` will ask for (cap rule only).

    :raises LiabilityInputError: (and subclasses) as ``assess_liability``.
    """
    return _rate_dates(_decide(claim, window_end=window_end, rounding="ROUND_HALF_UP"))


def _rate_dates(claim: _Claim) -> list[date]:
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
    rate_on: RateOn,
    window_end: WindowEnd | None = None,
    rounding: str = "ROUND_HALF_UP",
    **claim: Unpack[ClaimFacts],
) -> Assessment:
    """Decide the customer's and the bank's share of every transaction of a claim (RULES.md section 3).

    ``rate_on(day)`` gives the EUR mid rate and its table for a Warsaw execution date; it is called
    once per date, only for transactions under the cap rule. Errors it raises (e.g.
    ``liability.services.RateUnavailable``) propagate and nothing is returned.

    :raises NoTransactions, DuplicateTransaction, UnknownCause, NaiveInstant, InvalidAmount,
        InvalidFacts: the input is refused (all are ``LiabilityInputError``, a ``ValueError``).
    """
    return _assess(_decide(claim, window_end=window_end, rounding=rounding), rate_on=rate_on, engine=ENGINE)


def assess_liability_reading_rates(
    *,
    read_rates: Callable[[list[date]], RateOn],
    window_end: WindowEnd | None = None,
    rounding: str = "ROUND_HALF_UP",
    **claim: Unpack[ClaimFacts],
) -> Assessment:
    """``assess_liability`` for a caller that reads a claim's rates together: the claim is decided once,
    and ``read_rates`` gets the dates ``dates_needing_rates`` lists and returns the ``rate_on`` to use.

    :raises LiabilityInputError: as ``assess_liability`` (before ``read_rates`` is called).
    """
    decided = _decide(claim, window_end=window_end, rounding=rounding)
    return _assess(decided, rate_on=read_rates(_rate_dates(decided)), engine=ENGINE)


def _cap_arithmetic(engine: str) -> tuple[Callable[..., rules.CapStep], Fraction | Decimal]:
    """The cap step of ``engine`` and the 50 EUR it starts from (engine 1 only to replay its results)."""
    if engine == ENGINE:
        return rules.cap_step, rules.CAP_EUR
    if engine == ENGINE_1:
        return rules.cap_step_decimal, Decimal(rules.CAP_EUR.numerator)
    raise InvalidFacts(f"unknown liability engine {engine!r}")


def _assess(claim: _Claim, *, rate_on: RateOn, engine: str) -> Assessment:
    """``assess_liability`` of a decided claim with the cap arithmetic of ``engine`` (engine 1 only to
    replay its results)."""
    findings, rounding = claim.findings, claim.rounding
    cap_step, remaining_eur = _cap_arithmetic(engine)
    rates: dict[date, tuple[Decimal, str]] = {}
    lines = []
    for tx, rule, end in claim.decisions:
        step, rate, table, day = None, None, None, None
        if rule == rules.CAP:
            day = tx.executed_on
            if day not in rates:
                rates[day] = _checked_rate(rate_on(day), day)
            rate, table = rates[day]
            step = cap_step(amount=tx.amount, rate=rate, remaining_eur=remaining_eur, rounding=rounding)
            remaining_eur = step.remaining_eur_after
            customer = step.customer
        else:
            customer = tx.amount if rule in rules.CUSTOMER_PAYS_ALL else Decimal("0.00")
        ctx = LineContext(
            rule=rule,
            amount=tx.amount,
            customer=customer,
            bank=tx.amount - customer,
            executed_at=tx.executed_at,
            reported_at=claim.reported_at,
            debited_on=tx.debit_date,
            window_end=end,
            cause=claim.cause,
            undetectable=findings.undetectable,
            bank_staff=findings.bank_staff,
            rate=rate,
            table=table,
            cap=None if step is None else step.cap,
            remaining_eur_before=None if step is None else step.remaining_eur_before,
            remaining_eur_after=None if step is None else step.remaining_eur_after,
        )
        lines.append(
            Line(
                transaction_id=tx.id,
                explanation_pl=explain(ctx, "pl"),
                explanation_en=explain(ctx, "en"),
                rate_date=day,
                **ctx.figures(),
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

    ``replay_agrees(d)`` proves a stored result was computed by these rules from these inputs; the
    replayed explanations speak today's wording, so show the stored record, which says what was said.
    A result names its engine and replays with that engine's cap arithmetic (engine 1: 50-digit
    Decimal, ``rules.cap_step_decimal``; engine 2: exact rationals).

    :raises LiabilityInputError: the stored inputs are not a valid claim.
    :raises NotAnAssessment: the data is not a stored assessment (``liability.record``).
    """
    stored = StoredAssessment.parse(data)
    inputs = stored.inputs
    rates, windows = stored.rates(), stored.windows()
    transactions = [
        TransactionFacts(
            id=t.id,
            amount=t.amount,
            executed_at=t.executed_at,
            sca_applied=t.sca_applied,
            debited_on=t.debited_on,
        )
        for t in inputs.transactions
    ]
    claim = ClaimFacts(
        transactions=transactions,
        reported_at=inputs.reported_at,
        cause=inputs.cause,
        findings=Findings(**inputs.findings.model_dump()),
    )
    decided = _decide(claim, window_end=windows.__getitem__, rounding=inputs.rounding)
    return _assess(decided, rate_on=rates.__getitem__, engine=stored.engine)


def replay_agrees(data: Mapping[str, Any]) -> bool:
    """Whether replaying a stored ``Assessment.to_dict()`` decides the same: the same figures, rates
    and rules (reason codes), line for line. The explanations' wording is not compared: a record
    stored before the wording changed still agrees, and it is shown as stored.

    :raises LiabilityInputError: the stored inputs are not a valid claim.
    :raises NotAnAssessment: the data is not a stored assessment (``liability.record``).
    """
    stored = StoredAssessment.parse(data)
    return StoredAssessment.parse(replay_assessment(data).to_dict()).decision() == stored.decision()
