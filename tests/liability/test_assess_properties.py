"""Properties of the liability engine over generated claims (hypothesis)."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from liability import rules
from liability.engine import Findings, TransactionFacts, assess_liability, replay_assessment

START = datetime(2025, 1, 1, tzinfo=UTC)
GROSZ = Decimal("0.01")

amounts = st.integers(min_value=1, max_value=5_000_000).map(lambda grosze: Decimal(grosze) / 100)
instants = st.integers(min_value=0, max_value=400 * 24 * 60).map(
    lambda minutes: START + timedelta(minutes=minutes)
)
# Within a year: a report one day after the last one is inside every transaction's 13-month window.
instants_in_a_year = st.integers(min_value=0, max_value=365 * 24 * 60).map(
    lambda minutes: START + timedelta(minutes=minutes)
)


@st.composite
def claims(draw, *, cap_only: bool = False):
    count = draw(st.integers(min_value=1, max_value=8))
    executed = draw(st.lists(instants_in_a_year if cap_only else instants, min_size=count, max_size=count))
    transactions = [
        TransactionFacts(
            id=f"t{n}",
            amount=draw(amounts),
            executed_at=when,
            sca_applied=True if cap_only else draw(st.booleans()),
        )
        for n, when in enumerate(executed)
    ]
    if cap_only:
        reported_at = max(executed) + timedelta(seconds=draw(st.integers(min_value=1, max_value=86_400)))
        findings, cause = Findings(), draw(st.sampled_from(sorted(rules.CAPPED_CAUSES)))
    else:
        reported_at = draw(instants)
        findings = Findings(**{name: draw(st.booleans()) for name in Findings.__dataclass_fields__})
        cause = draw(st.sampled_from(rules.CAUSES))
    # One mid rate per day, 3.5000-5.0000, as the NBP publishes them (4 decimals).
    seed = draw(st.integers(min_value=0, max_value=10_000))

    def rate_on(day: date) -> tuple[Decimal, str]:
        return Decimal(35_000 + (day.toordinal() * 7919 + seed) % 15_001) / 10_000, f"T-{day.isoformat()}"

    return {
        "transactions": transactions,
        "reported_at": reported_at,
        "cause": cause,
        "findings": findings,
        "rate_on": rate_on,
    }


@settings(max_examples=300, deadline=None)
@given(claims())
def test_shares_add_up_to_the_amount_and_are_never_negative(claim):
    result = assess_liability(**claim)

    for line in result.lines:
        assert line.customer + line.bank == line.amount
        assert line.customer >= 0 and line.bank >= 0
        assert line.customer == line.customer.quantize(GROSZ) and line.bank == line.bank.quantize(GROSZ)
        assert (line.rate is None) == (line.rule != rules.CAP)
    assert result.customer_total + result.bank_total == sum(t.amount for t in claim["transactions"])
    assert len(result.lines) == len(claim["transactions"])


@settings(max_examples=300, deadline=None)
@given(claims(cap_only=True))
def test_under_the_cap_alone_the_customer_pays_at_most_50_eur(claim):
    result = assess_liability(**claim)

    assert {line.rule for line in result.lines} == {rules.CAP}
    # Exact arithmetic (fractions) for the check itself.
    paid_eur = sum(Fraction(line.customer) / Fraction(line.rate) for line in result.lines)
    # Rounding a cap half-up to the grosz may add up to half a grosz (RULES.md's own example: 212.49
    # PLN at 4.2497 is 50.0001 EUR); it is the only excess the formula allows.
    allowance = max(Fraction("0.005") / Fraction(line.rate) for line in result.lines)
    assert paid_eur <= 50 + allowance
    assert Decimal(paid_eur.numerator) / Decimal(paid_eur.denominator) < Decimal("50.005")  # 50.00 EUR


@settings(max_examples=100, deadline=None)
@given(claims())
def test_a_stored_assessment_replays_to_itself(claim):
    result = assess_liability(**claim)

    stored = json.loads(json.dumps(result.to_dict()))

    assert replay_assessment(stored).to_dict() == stored
