"""The pure rules of the workflow: case numbers, outcomes, the D+1 refund and the settlement moves."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disputes.rules import (
    MoneyMove,
    MoneyRuleError,
    Outcome,
    case_number,
    expected_reply_date_problem,
    may_approve,
    net_to_customer,
    outcome_for,
    provisional_refunds,
    refund_needs_second_person,
    settlement_moves,
    withdrawal_reversals,
)
from ledger.rules import LedgerKind

D = Decimal


@pytest.mark.parametrize(
    ("year", "sequence", "number"),
    [(2026, 1, "RK/2026/000001"), (2026, 123, "RK/2026/000123"), (2025, 999_999, "RK/2025/999999")],
)
def test_case_number(year, sequence, number):
    assert case_number(year=year, sequence=sequence) == number


@pytest.mark.parametrize("sequence", [0, 1_000_000])
def test_case_number_out_of_range(sequence):
    with pytest.raises(ValueError):
        case_number(year=2026, sequence=sequence)


@pytest.mark.parametrize(
    ("customer", "bank", "outcome"),
    [
        ("0.00", "920.00", Outcome.ACCEPTED),
        ("920.00", "0.00", Outcome.REJECTED),
        ("212.71", "707.29", Outcome.PARTIALLY_ACCEPTED),
    ],
)
def test_outcome_follows_the_shares(customer, bank, outcome):
    assert outcome_for(customer_total=D(customer), bank_total=D(bank)) == outcome


AMOUNTS = {1: D("800.00"), 2: D("120.00"), 3: D("50.00")}


@pytest.mark.parametrize(
    ("policy", "owed", "bank_shares", "refunds"),
    [
        # RULES.md section 3: the D+1 refund returns the full disputed amount (default policy) …
        ("FULL_THEN_RECOVER", [1, 2, 3], None, {1: D("800.00"), 2: D("120.00"), 3: D("50.00")}),
        # … only what was reported in time (UUP-44-2) …
        ("FULL_THEN_RECOVER", [1, 2], None, {1: D("800.00"), 2: D("120.00")}),
        # … or, under NET_OF_CAP, the bank's share only; a zero share is no refund at all.
        (
            "NET_OF_CAP",
            [1, 2, 3],
            {1: D("587.29"), 2: D("120.00"), 3: D("0.00")},
            {1: D("587.29"), 2: D("120.00")},
        ),
    ],
)
def test_provisional_refunds(policy, owed, bank_shares, refunds):
    assert provisional_refunds(policy=policy, amounts=AMOUNTS, owed=owed, bank_shares=bank_shares) == refunds


def test_net_of_cap_needs_the_estimate():
    with pytest.raises(MoneyRuleError):
        provisional_refunds(policy="NET_OF_CAP", amounts=AMOUNTS, owed=[1])


def test_unknown_refund_policy():
    with pytest.raises(ValueError):
        provisional_refunds(policy="SOMETHING", amounts=AMOUNTS, owed=[1])


def test_net_to_customer_counts_refunds_against_recoveries_and_ignores_chargeback_credits():
    entries = [
        (1, "PROVISIONAL_REFUND", D("800.00")),
        (1, "RECOVERY", D("212.71")),
        (1, "CHARGEBACK_CREDIT", D("800.00")),
        (2, "PROVISIONAL_REFUND", D("120.00")),
        (2, "REVERSAL", D("120.00")),
        (3, "FINAL_REFUND", D("50.00")),
    ]
    assert net_to_customer(entries) == {1: D("587.29"), 2: D("0.00"), 3: D("50.00")}


@pytest.mark.parametrize(
    ("targets", "net", "moves"),
    [
        # Rejected after a full provisional refund: recover everything.
        (
            {1: D("0.00"), 2: D("0.00")},
            {1: D("800.00"), 2: D("120.00")},
            [MoneyMove(1, LedgerKind.RECOVERY, D("800.00")), MoneyMove(2, LedgerKind.RECOVERY, D("120.00"))],
        ),
        # Accepted after a NET_OF_CAP refund: refund the rest.
        (
            {1: D("800.00"), 2: D("120.00")},
            {1: D("587.29"), 2: D("120.00")},
            [MoneyMove(1, LedgerKind.FINAL_REFUND, D("212.71"))],
        ),
        # Accepted after a withheld refund: refund everything.
        (
            {1: D("800.00"), 2: D("120.00")},
            {},
            [
                MoneyMove(1, LedgerKind.FINAL_REFUND, D("800.00")),
                MoneyMove(2, LedgerKind.FINAL_REFUND, D("120.00")),
            ],
        ),
        # Settled: nothing to move.
        ({1: D("587.29"), 2: D("120.00")}, {1: D("587.29"), 2: D("120.00")}, []),
    ],
    ids=["recover", "top-up", "after-withholding", "settled"],
)
def test_settlement_moves(targets, net, moves):
    amounts = {1: D("800.00"), 2: D("120.00")}
    assert settlement_moves(amounts=amounts, targets=targets, net=net) == moves


@pytest.mark.parametrize(
    ("net", "moves"),
    [
        # Refunded in full at D+1: both refunds are taken back whole.
        (
            {1: D("800.00"), 2: D("120.00")},
            [MoneyMove(1, LedgerKind.REVERSAL, D("800.00")), MoneyMove(2, LedgerKind.REVERSAL, D("120.00"))],
        ),
        # NET_OF_CAP: only the bank's share was refunded, and a payment the customer bears was not.
        ({1: D("587.29"), 2: D("0.00")}, [MoneyMove(1, LedgerKind.REVERSAL, D("587.29"))]),
        # Never refunded (or withheld): nothing to take back.
        ({}, []),
        ({1: D("0.00"), 2: D("0.00")}, []),
    ],
    ids=["full", "net-of-cap", "no-entries", "nothing-left"],
)
def test_withdrawal_reversals_take_back_what_is_still_on_the_account(net, moves):
    assert withdrawal_reversals(net) == moves


@pytest.mark.parametrize(
    ("targets", "net"),
    [({1: D("800.01")}, {}), ({1: D("-1")}, {}), ({}, {1: D("900.00")}), ({9: D("1.00")}, {})],
    ids=["target-above-amount", "negative-target", "net-above-amount", "unknown-transaction"],
)
def test_settlement_moves_refuse_impossible_figures(targets, net):
    with pytest.raises(MoneyRuleError):
        settlement_moves(amounts={1: D("800.00")}, targets=targets, net=net)


grosze = st.integers(min_value=1, max_value=10_000_000).map(lambda g: D(g) / 100)


@given(amount=grosze, data=st.data())
def test_after_the_moves_the_customer_has_exactly_the_target(amount, data):
    target = data.draw(st.integers(min_value=0, max_value=int(amount * 100)).map(lambda g: D(g) / 100))
    have = data.draw(st.integers(min_value=0, max_value=int(amount * 100)).map(lambda g: D(g) / 100))
    moves = settlement_moves(amounts={1: amount}, targets={1: target}, net={1: have})
    entries = [(1, "PROVISIONAL_REFUND", have)] if have else []
    entries += [(m.key, m.kind, m.amount) for m in moves]
    assert net_to_customer(entries).get(1, D("0")) == target
    assert all(m.amount > 0 for m in moves) and len(moves) <= 1


@pytest.mark.parametrize(
    ("expected_on", "problem"),
    [
        (date(2025, 6, 23), "PAST"),
        (date(2025, 6, 24), None),
        (date(2025, 7, 25), None),
        (date(2025, 7, 26), "AFTER_EXTENDED_DEADLINE"),
    ],
)
def test_expected_reply_date_of_a_delay_notice(expected_on, problem):
    # REK-7: the notice is sent on 24 June; the extended (60-day) deadline is 25 July.
    assert (
        expected_reply_date_problem(
            expected_on=expected_on, today=date(2025, 6, 24), extended_due_on=date(2025, 7, 25)
        )
        == problem
    )


@pytest.mark.parametrize(
    ("amount", "limit", "needed"),
    [
        (Decimal("5000.00"), Decimal("5000.00"), False),  # at the limit: one person
        (Decimal("5000.01"), Decimal("5000.00"), True),
        (Decimal("0.00"), Decimal("0.00"), False),
    ],
)
def test_a_refund_above_the_limit_needs_a_second_person(amount, limit, needed):
    assert refund_needs_second_person(amount=amount, limit=limit) is needed


@pytest.mark.parametrize(
    ("approver_id", "proposer_id", "holds_approval", "allowed"),
    [
        (2, 1, True, True),
        (1, 1, True, False),  # the proposer never approves their own proposal
        (2, 1, False, False),  # nor does anyone without the approval permission
        (None, 1, True, False),
    ],
)
def test_who_may_approve(approver_id, proposer_id, holds_approval, allowed):
    assert (
        may_approve(approver_id=approver_id, proposer_id=proposer_id, holds_approval=holds_approval)
        is allowed
    )
