"""The 50 EUR cap in exact arithmetic (RULES.md section 3): the remaining EUR is a rational, never below 0.

The only rounding is the cap's own, half-up to the grosz; so splitting one payment into several on the
same day never changes what the customer pays.
"""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from liability import rules
from liability.engine import ENGINE, ENGINE_1, Findings, TransactionFacts, assess_liability, replay_assessment

WARSAW = ZoneInfo("Europe/Warsaw")
# RULES.md section 4: the real EUR table A mid rates used in its examples.
RATES = {
    date(2025, 5, 20): (Decimal("4.2497"), "096/A/NBP/2025"),
    date(2025, 5, 23): (Decimal("4.2541"), "099/A/NBP/2025"),
    date(2025, 5, 28): (Decimal("4.2447"), "102/A/NBP/2025"),
}


def payments(*rows: tuple[str, date]) -> list[TransactionFacts]:
    """Capped card payments (PIN used) in the given order, a minute apart on their Warsaw day."""
    return [
        TransactionFacts(
            id=f"t{n}",
            amount=Decimal(amount),
            executed_at=datetime(day.year, day.month, day.day, 10, n, tzinfo=WARSAW),
            sca_applied=True,
        )
        for n, (amount, day) in enumerate(rows)
    ]


def assess(transactions: list[TransactionFacts], rate_on=lambda day: RATES[day]):
    last = max(t.executed_at for t in transactions)
    return assess_liability(
        transactions=transactions,
        reported_at=last + timedelta(hours=1),
        cause="STOLEN",
        findings=Findings(),
        rate_on=rate_on,
    )


MAY_20, MAY_23, MAY_28 = date(2025, 5, 20), date(2025, 5, 23), date(2025, 5, 28)


@pytest.mark.parametrize(
    ("rows", "caps", "customer", "bank"),
    [
        # RULES.md: 800.00 PLN on Fri 2025-05-23 at 4.2541 -> customer 212.71, bank 587.29.
        ((("800.00", MAY_23),), ["212.71"], ["212.71"], ["587.29"]),
        # RULES.md: on 2025-05-20 at 4.2497 the cap is 212.485 -> 212.49.
        ((("800.00", MAY_20),), ["212.49"], ["212.49"], ["587.51"]),
        # The same payment split at RULES.md's 112.50 / 4.2497 (no finite decimal expansion): a
        # 50-digit Decimal made the second cap 99.98 and the total 212.48; exactly it is 212.49.
        (
            (("112.50", MAY_20), ("687.50", MAY_20)),
            ["212.49", "99.99"],
            ["112.50", "99.99"],
            ["0.00", "587.51"],
        ),
        (
            (("100.00", MAY_20), ("700.00", MAY_20)),
            ["212.49", "112.49"],
            ["100.00", "112.49"],
            ["0.00", "587.51"],
        ),
        # Three days, three rates: what remains after each is carried exactly.
        (
            (("100.00", MAY_20), ("50.00", MAY_23), ("300.00", MAY_28)),
            ["212.49", "112.60", "62.46"],
            ["100.00", "50.00", "62.46"],
            ["0.00", "0.00", "237.54"],
        ),
        # Used up: the 212.49 cap is 50.0001 EUR, nothing remains, and a later payment costs nothing.
        ((("212.49", MAY_20), ("10.00", MAY_23)), ["212.49", "0.00"], ["212.49", "0.00"], ["0.00", "10.00"]),
    ],
)
def test_the_cap_by_rules_md_examples(rows, caps, customer, bank):
    result = assess(payments(*rows))

    assert [line.cap for line in result.lines] == [Decimal(x) for x in caps]
    assert [line.customer for line in result.lines] == [Decimal(x) for x in customer]
    assert [line.bank for line in result.lines] == [Decimal(x) for x in bank]
    assert all(type(line.remaining_eur_after) is Fraction for line in result.lines)
    assert all(line.remaining_eur_after >= 0 for line in result.lines)


def test_what_remains_is_exact_and_never_below_zero():
    first, second = assess(payments(("112.50", MAY_20), ("687.50", MAY_20))).lines

    assert first.remaining_eur_after == 50 - Fraction("112.50") / Fraction("4.2497")
    assert second.remaining_eur_before * Fraction("4.2497") == Fraction("99.985")  # a half-grosz tie
    assert second.remaining_eur_after == 0  # 99.99 PLN overshoots by 0.005 PLN: 0, not below
    assert first.to_dict()["remaining_eur_after"] == "999850/42497"  # exact, as a fraction
    assert "pozostaje ≈ 23,527543 EUR limitu" in first.explanation_pl


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction("212.485"), "212.49"),
        (Fraction("212.4849999"), "212.48"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction("0.005"), "0.01"),
        (Fraction(1, 200) - Fraction(1, 10**40), "0.00"),
        (Fraction(0), "0.00"),
    ],
)
def test_a_rational_rounds_half_up_to_the_grosz_exactly(value, rounded):
    assert rules.round_grosz_exact(value, rounding="ROUND_HALF_UP") == Decimal(rounded)


def test_a_result_of_engine_1_still_replays_to_itself():
    stored = json.loads((Path(__file__).parent / "engine1_assessment.json").read_text())

    replayed = replay_assessment(stored)

    assert stored["engine"] == ENGINE_1 and replayed.engine == ENGINE_1
    assert replayed.to_dict() == stored
    assert assess(payments(("1.00", MAY_20))).to_dict()["engine"] == ENGINE


# Hypothesis: a claim whose cap is partly used on earlier days, then one payment, then later ones.
grosze = st.integers(min_value=1, max_value=300_000)
mids = st.integers(min_value=35_000, max_value=50_000).map(lambda n: Decimal(n) / 10_000)


@st.composite
def split_payments(draw):
    # Often nothing before: the cap is then whole, 50 × rate, a half-grosz tie for every odd last digit.
    earlier = draw(st.one_of(st.just([]), st.lists(st.tuples(grosze, mids), max_size=2)))
    amount = draw(st.integers(min_value=2, max_value=100_000))
    parts = draw(st.integers(min_value=2, max_value=min(6, amount)))
    cuts = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=amount - 1), min_size=parts - 1, max_size=parts - 1))
    )
    later = draw(st.lists(st.tuples(grosze, mids), max_size=2))
    rate = draw(mids)
    return earlier, amount, [b - a for a, b in zip([0, *cuts], [*cuts, amount], strict=True)], rate, later


def claim(earlier, payment_parts, rate, later):
    """Earlier payments a day apart, the payment's parts minutes apart on one day, later ones after."""
    first = date(2025, 3, 3)
    rates, transactions = {}, []

    def add(grosze_amount: int, day: date, minute: int, mid: Decimal) -> None:
        rates[day] = (mid, f"T-{day.isoformat()}")
        transactions.append(
            TransactionFacts(
                id=f"t{len(transactions)}",
                amount=Decimal(grosze_amount) / 100,
                executed_at=datetime(day.year, day.month, day.day, 9, minute, tzinfo=WARSAW),
                sca_applied=True,
            )
        )

    for n, (amount, mid) in enumerate(earlier):
        add(amount, first + timedelta(days=n), 0, mid)
    split_day = first + timedelta(days=len(earlier))
    for minute, part in enumerate(payment_parts):
        add(part, split_day, minute, rate)
    for n, (amount, mid) in enumerate(later, start=1):
        add(amount, split_day + timedelta(days=n), 0, mid)
    return transactions, rates


@settings(max_examples=400, deadline=None)
@given(split_payments())
@example(([], 80_000, [11_250, 68_750], Decimal("4.2497"), []))  # RULES.md's 112.50 / 4.2497
def test_splitting_a_capped_payment_on_the_same_day_never_changes_what_the_customer_pays(case):
    earlier, amount, parts, rate, later = case
    whole_txs, whole_rates = claim(earlier, [amount], rate, later)
    split_txs, split_rates = claim(earlier, parts, rate, later)

    whole = assess(whole_txs, rate_on=lambda day: whole_rates[day])
    split = assess(split_txs, rate_on=lambda day: split_rates[day])

    assert split.customer_total == whole.customer_total
    assert split.bank_total == whole.bank_total
    # The payments after it are charged the same: what remains of the cap is the same rational.
    after = len(later)
    assert [line.customer for line in split.lines][len(split.lines) - after :] == [
        line.customer for line in whole.lines
    ][len(whole.lines) - after :]
    n = len(earlier)
    assert split.lines[n + len(parts) - 1].remaining_eur_after == whole.lines[n].remaining_eur_after
    assert all(line.remaining_eur_after >= 0 for line in split.lines)
