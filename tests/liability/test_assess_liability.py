"""The pure liability engine: RULES.md section 3, rule by rule, and its worked examples."""

import json
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from kartosfera.legaltime import NaiveDatetimeError
from liability import rules
from liability.engine import (
    DuplicateTransaction,
    Findings,
    InvalidAmount,
    InvalidFacts,
    LiabilityInputError,
    NaiveInstant,
    NoTransactions,
    TransactionFacts,
    UnknownCause,
    assess_liability,
    assess_liability_reading_rates,
    dates_needing_rates,
    replay_assessment,
)
from liability.rules import Cause
from tests.liability.nbp_server import REAL_EUR_RATES

WARSAW = ZoneInfo("Europe/Warsaw")


def at(*args: int) -> datetime:
    """An aware Warsaw-local instant."""
    return datetime(*args, tzinfo=WARSAW)


class RealRates:
    """rate_on over the real EUR table A rates of RULES.md; records the dates asked."""

    def __init__(self, extra: dict | None = None):
        self.asked: list[date] = []
        self.rates = {day: (mid, table) for day, (table, mid) in REAL_EUR_RATES.items()} | (extra or {})

    def __call__(self, day: date) -> tuple[Decimal, str]:
        self.asked.append(day)
        return self.rates[day]


def tx(tx_id="t1", amount="800.00", when=None, *, sca=True, debited_on=None) -> TransactionFacts:
    return TransactionFacts(
        id=tx_id,
        amount=Decimal(amount),
        executed_at=when or at(2025, 5, 23, 10, 0),
        sca_applied=sca,
        debited_on=debited_on,
    )


def test_rules_md_example_800_pln_on_23_may_2025():
    rates = RealRates()

    result = assess_liability(
        transactions=[tx()],
        reported_at=at(2025, 5, 24, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=rates,
    )

    (line,) = result.lines
    assert (line.rule, line.customer, line.bank) == (rules.CAP, Decimal("212.71"), Decimal("587.29"))
    assert (line.rate, line.table, line.rate_date) == (Decimal("4.2541"), "099/A/NBP/2025", date(2025, 5, 23))
    assert (result.customer_total, result.bank_total) == (Decimal("212.71"), Decimal("587.29"))
    assert rates.asked == [date(2025, 5, 23)]
    assert line.explanation_pl == (
        "Limit 50 EUR na całą reklamację (instrument utracony): 50 EUR × 4,2541 (tabela 099/A/NBP/2025) "
        "= 212,71\xa0zł; klient ponosi min(800,00\xa0zł; 212,71\xa0zł) = 212,71\xa0zł, bank 587,29\xa0zł; "
        "pozostaje 0 EUR limitu (limit wyczerpany)."
    )
    assert "EUR 50 × 4.2541 (table 099/A/NBP/2025)" in line.explanation_en
    assert line.explanation("en-gb") == line.explanation_en


def test_rules_md_example_cap_212_485_rounds_half_up_on_20_may_2025():
    result = assess_liability(
        transactions=[tx(when=at(2025, 5, 20, 15, 0))],
        reported_at=at(2025, 5, 21, 8, 0),
        cause="STOLEN",
        findings=Findings(),
        rate_on=RealRates(),
    )

    (line,) = result.lines
    assert (line.cap, line.customer, line.bank) == (Decimal("212.49"), Decimal("212.49"), Decimal("587.51"))
    assert line.table == "096/A/NBP/2025"


def test_cap_is_consumed_across_three_transactions_on_three_days_with_three_rates():
    transactions = [  # given out of order: the cap is consumed in execution order
        tx("c", "300.00", at(2025, 5, 28, 9, 0)),
        tx("a", "100.00", at(2025, 5, 20, 9, 0)),
        tx("b", "50.00", at(2025, 5, 23, 9, 0)),
    ]

    result = assess_liability(
        transactions=transactions,
        reported_at=at(2025, 5, 29, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=RealRates(),
    )

    # By hand, RULES.md's formula: cap_i = round_half_up(remaining × rate_i), customer_i = min(amount_i,
    # cap_i), remaining = max(0, remaining − customer_i / rate_i), remaining an exact rational.
    def half_up(value: Fraction) -> Decimal:
        grosze = math.floor(value * 100 + Fraction(1, 2))
        return Decimal(grosze) / 100

    remaining = Fraction(50)
    cap_a = half_up(remaining * Fraction("4.2497"))  # 212.485 → 212.49
    customer_a = min(Decimal("100.00"), cap_a)  # 100.00
    remaining -= Fraction(customer_a) / Fraction("4.2497")
    cap_b = half_up(remaining * Fraction("4.2541"))  # 112.60
    customer_b = min(Decimal("50.00"), cap_b)  # 50.00
    remaining -= Fraction(customer_b) / Fraction("4.2541")
    cap_c = half_up(remaining * Fraction("4.2447"))  # 62.46
    customer_c = min(Decimal("300.00"), cap_c)  # 62.46
    remaining -= Fraction(customer_c) / Fraction("4.2447")
    assert [line.transaction_id for line in result.lines] == ["a", "b", "c"]
    assert [line.table for line in result.lines] == ["096/A/NBP/2025", "099/A/NBP/2025", "102/A/NBP/2025"]
    assert (
        [line.cap for line in result.lines]
        == [cap_a, cap_b, cap_c]
        == [
            Decimal("212.49"),
            Decimal("112.60"),
            Decimal("62.46"),
        ]
    )
    assert [line.customer for line in result.lines] == [customer_a, customer_b, customer_c]
    assert [line.bank for line in result.lines] == [Decimal("0.00"), Decimal("0.00"), Decimal("237.54")]
    assert result.lines[-1].remaining_eur_after == remaining
    assert (result.customer_total, result.bank_total) == (Decimal("212.46"), Decimal("237.54"))


def test_a_transaction_at_00_30_warsaw_takes_the_rate_of_the_warsaw_date():
    # 22:30 UTC on Thursday 22 May 2025 is 00:30 on Friday 23 May in Warsaw (CEST).
    executed = datetime(2025, 5, 22, 22, 30, tzinfo=UTC)
    rates = RealRates(extra={date(2025, 5, 22): (Decimal("4.2600"), "098/A/NBP/2025")})

    result = assess_liability(
        transactions=[tx(when=executed)],
        reported_at=at(2025, 5, 24, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=rates,
    )

    assert rates.asked == [date(2025, 5, 23)]
    assert (result.lines[0].table, result.lines[0].customer) == ("099/A/NBP/2025", Decimal("212.71"))
    assert result.lines[0].debited_on == date(2025, 5, 23)


def scenario(first: str) -> dict:
    """A claim in which the condition of ``first`` and of every rule after it hold."""
    enabled = set(rules.RULE_ORDER[rules.RULE_ORDER.index(first) :])
    return {
        "transactions": [
            tx(
                sca=rules.NO_SCA not in enabled,
                # Debited long before: the report of 2025-05-24 is after its window (2025-02-10).
                debited_on=date(2024, 1, 10) if rules.LATE in enabled else None,
            )
        ],
        "reported_at": at(2025, 5, 23, 9, 0) if rules.AFTER_REPORT in enabled else at(2025, 5, 24, 9, 0),
        "cause": "LOST" if rules.CAP in enabled else "OTHER",
        "findings": Findings(
            intent=rules.INTENT in enabled,
            no_means_to_report=rules.NO_MEANS in enabled,
            undetectable=rules.UNDETECTABLE in enabled,
            gross_negligence=rules.GROSS in enabled,
        ),
    }


@pytest.mark.parametrize(
    ("rule", "customer"),
    [
        (rules.INTENT, "800.00"),
        (rules.AFTER_REPORT, "0.00"),
        (rules.LATE, "800.00"),
        (rules.NO_SCA, "0.00"),
        (rules.NO_MEANS, "0.00"),
        (rules.UNDETECTABLE, "0.00"),
        (rules.GROSS, "800.00"),
        (rules.CAP, "212.71"),
        (rules.BANK, "0.00"),
    ],
)
def test_each_rule_wins_over_every_rule_below_it(rule, customer):
    rates = RealRates()

    result = assess_liability(rate_on=rates, **scenario(rule))

    (line,) = result.lines
    assert (line.rule, line.customer, line.bank) == (
        rule,
        Decimal(customer),
        Decimal("800.00") - Decimal(customer),
    )
    assert rates.asked == ([date(2025, 5, 23)] if rule == rules.CAP else [])
    assert (line.rate is None, line.table is None) == (rule != rules.CAP, rule != rules.CAP)


@pytest.mark.parametrize(
    ("findings", "cause", "sca", "rule"),
    [
        (Findings(), "LOST", True, rules.CAP),
        (Findings(), "STOLEN", True, rules.CAP),
        (Findings(), Cause.MISAPPROPRIATED, True, rules.CAP),
        (Findings(), "OTHER", True, rules.BANK),
        (Findings(), "LOST", False, rules.NO_SCA),
        (Findings(bank_staff=True), "STOLEN", True, rules.UNDETECTABLE),
        (Findings(undetectable=True), "OTHER", True, rules.UNDETECTABLE),
        (Findings(no_means_to_report=True, gross_negligence=True), "LOST", True, rules.NO_MEANS),
        (Findings(gross_negligence=True), "OTHER", True, rules.GROSS),
        (Findings(intent=True), "LOST", False, rules.INTENT),
    ],
)
def test_rule_table_single_findings(findings, cause, sca, rule):
    result = assess_liability(
        transactions=[tx(sca=sca)],
        reported_at=at(2025, 5, 24, 9, 0),
        cause=cause,
        findings=findings,
        rate_on=RealRates(),
    )

    assert result.lines[0].rule == rule


def test_after_report_starts_at_the_report_instant_itself():
    report = at(2025, 5, 23, 18, 0)
    before, same, after = at(2025, 5, 23, 17, 59, 59), report, at(2025, 5, 23, 18, 0, 1)

    result = assess_liability(
        transactions=[tx("before", when=before), tx("same", when=same), tx("after", when=after)],
        reported_at=report,
        cause="LOST",
        findings=Findings(),
        rate_on=RealRates(),
    )

    assert [(x.transaction_id, x.rule) for x in result.lines] == [
        ("before", rules.CAP),
        ("same", rules.AFTER_REPORT),
        ("after", rules.AFTER_REPORT),
    ]
    assert "po nim (23 maja 2025, 18:00)" in result.lines[1].explanation_pl


def test_13_month_window_is_met_on_its_last_day_and_missed_the_next():
    # Debit Fri 2025-01-31: the window ends Mon 2026-03-02 (KC-112 clip, KC-115 roll).
    def assess(reported_at):
        return assess_liability(
            transactions=[tx(when=at(2025, 1, 31, 12, 0))],
            reported_at=reported_at,
            cause="LOST",
            findings=Findings(),
            rate_on=lambda day: (Decimal("4.2000"), "021/A/NBP/2025"),
        )

    in_time = assess(at(2026, 3, 2, 23, 59, 59))
    late = assess(at(2026, 3, 3, 0, 0))

    assert (in_time.lines[0].rule, in_time.lines[0].window_end) == (rules.CAP, date(2026, 3, 2))
    assert (late.lines[0].rule, late.lines[0].customer) == (rules.LATE, Decimal("800.00"))
    assert late.lines[0].explanation_pl == (
        "Zgłoszenie z 3 marca 2026 po terminie 13 miesięcy od obciążenia rachunku 31 stycznia 2025 "
        "(termin upłynął 2 marca 2026): klient ponosi całą kwotę 800,00\xa0zł."
    )


def test_an_injected_window_end_replaces_the_default():
    calls = []

    def bank_window_end(debited_on):
        calls.append(debited_on)
        return date(2025, 5, 1)  # e.g. the deadlines app's engine

    result = assess_liability(
        transactions=[tx()],
        reported_at=at(2025, 5, 24, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=RealRates(),
        window_end=bank_window_end,
    )

    assert calls == [date(2025, 5, 23)]
    assert result.lines[0].rule == rules.LATE


def test_amounts_below_the_remaining_cap_are_paid_in_full_and_the_rest_carries_over():
    result = assess_liability(
        transactions=[tx("a", "12.34", at(2025, 5, 23, 9, 0)), tx("b", "500.00", at(2025, 5, 23, 9, 5))],
        reported_at=at(2025, 5, 24, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=RealRates(),
    )

    remaining = Fraction(50) - Fraction("12.34") / Fraction("4.2541")
    cap_b = Decimal(math.floor(remaining * Fraction("4.2541") * 100 + Fraction(1, 2))) / 100
    assert [x.customer for x in result.lines] == [Decimal("12.34"), cap_b]
    assert cap_b == Decimal("200.37")
    assert result.customer_total == Decimal("212.71")


def test_rate_on_is_asked_once_per_date():
    rates = RealRates()

    assess_liability(
        transactions=[tx(str(n), "1.00", at(2025, 5, 23, 9, n)) for n in range(5)],
        reported_at=at(2025, 5, 24, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=rates,
    )

    assert rates.asked == [date(2025, 5, 23)]


def test_dates_needing_rates_lists_only_capped_transactions():
    transactions = [
        tx("a", when=at(2025, 5, 20, 9, 0)),
        tx("b", when=at(2025, 5, 23, 9, 0), sca=False),
        tx("c", when=at(2025, 5, 28, 9, 0)),
        tx("d", when=at(2025, 5, 30, 9, 0)),  # after the report
    ]

    dates = dates_needing_rates(
        transactions=transactions, reported_at=at(2025, 5, 29, 9, 0), cause="LOST", findings=Findings()
    )

    assert dates == [date(2025, 5, 20), date(2025, 5, 28)]
    assert (
        dates_needing_rates(
            transactions=transactions, reported_at=at(2025, 5, 29, 9, 0), cause="OTHER", findings=Findings()
        )
        == []
    )


def test_reading_rates_gets_the_capped_dates_once_and_assesses_with_what_it_read():
    claim = {
        "transactions": [
            tx("a", when=at(2025, 5, 20, 9, 0)),
            tx("b", when=at(2025, 5, 23, 9, 0), sca=False),
            tx("c", when=at(2025, 5, 28, 9, 0)),
        ],
        "reported_at": at(2025, 5, 29, 9, 0),
        "cause": "LOST",
        "findings": Findings(),
    }
    asked: list[list[date]] = []

    def read_rates(dates: list[date]) -> RealRates:
        asked.append(dates)
        return RealRates()

    result = assess_liability_reading_rates(read_rates=read_rates, **claim)

    assert asked == [[date(2025, 5, 20), date(2025, 5, 28)]]
    assert result.to_dict() == assess_liability(rate_on=RealRates(), **claim).to_dict()


def test_reading_rates_refuses_an_invalid_claim_before_reading_any():
    asked: list[list[date]] = []

    with pytest.raises(UnknownCause):
        assess_liability_reading_rates(
            read_rates=lambda dates: asked.append(dates) or RealRates(),
            transactions=[tx()],
            reported_at=at(2025, 5, 29, 9, 0),
            cause="EARTHQUAKE",
            findings=Findings(),
        )

    assert asked == []


def test_synthetic_rates_are_labelled_in_the_explanations():
    result = assess_liability(
        transactions=[tx(when=at(2026, 11, 20, 9, 0))],
        reported_at=at(2026, 11, 21, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=lambda day: (Decimal("4.2311"), f"SYNTHETIC-{day.isoformat()}"),
    )

    line = result.lines[0]
    assert line.synthetic_rate and result.synthetic_rates_used
    assert "4,2311 (kurs SYNTETYCZNY SYNTHETIC-2026-11-20, nie pochodzi z tabeli NBP)" in line.explanation_pl
    assert "4.2311 (SYNTHETIC rate SYNTHETIC-2026-11-20, not an NBP table)" in line.explanation_en
    assert result.to_dict()["synthetic_rates_used"] is True


def test_to_dict_is_json_with_decimals_as_strings_and_replays_to_the_same_result():
    result = assess_liability(
        transactions=[tx("a", "100.00", at(2025, 5, 20, 9, 0)), tx("b", "800.00", at(2025, 5, 23, 9, 0))],
        reported_at=at(2025, 5, 29, 9, 0),
        cause="LOST",
        findings=Findings(),
        rate_on=RealRates(),
    )

    stored = json.loads(json.dumps(result.to_dict()))

    assert stored["customer_total"] == "212.60"
    assert stored["lines"][0]["rate"] == "4.2497"
    assert stored["lines"][1]["customer"] == "112.60"
    assert stored["inputs"]["transactions"][0]["amount"] == "100.00"
    assert replay_assessment(stored) == result
    assert replay_assessment(stored).to_dict() == stored


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: tx(amount="0.00"), InvalidAmount),
        (lambda: tx(amount="-5.00"), InvalidAmount),
        (lambda: tx(amount="1.005"), InvalidAmount),
        (
            lambda: TransactionFacts(id="t", amount=12.5, executed_at=at(2025, 5, 23, 9), sca_applied=True),
            InvalidAmount,
        ),
        (
            lambda: TransactionFacts(id="t", amount="abc", executed_at=at(2025, 5, 23, 9), sca_applied=True),
            InvalidAmount,
        ),
        (lambda: tx(when=datetime(2025, 5, 23, 10, 0)), NaiveInstant),
        (
            lambda: TransactionFacts(
                id="", amount=Decimal(1), executed_at=at(2025, 5, 23, 9), sca_applied=True
            ),
            InvalidFacts,
        ),
        (
            lambda: TransactionFacts(
                id="t", amount=Decimal(1), executed_at=at(2025, 5, 23, 9), sca_applied=1
            ),
            InvalidFacts,
        ),
        (lambda: Findings(intent="yes"), InvalidFacts),
    ],
)
def test_bad_facts_are_refused_when_built(make, error):
    with pytest.raises(error):
        make()


@pytest.mark.parametrize(
    ("claim", "error"),
    [
        ({"transactions": []}, NoTransactions),
        ({"transactions": [tx("same"), tx("same", when=at(2025, 5, 23, 11, 0))]}, DuplicateTransaction),
        ({"cause": "FORGOTTEN"}, UnknownCause),
        ({"cause": None}, UnknownCause),
        ({"reported_at": datetime(2025, 5, 24, 9, 0)}, NaiveInstant),
        ({"findings": {"intent": True}}, InvalidFacts),
        ({"transactions": [{"id": "t1", "amount": "800.00"}]}, InvalidFacts),
    ],
)
def test_a_bad_claim_is_refused_and_nothing_is_computed(claim, error):
    rates = RealRates()
    arguments = {
        "transactions": [tx()],
        "reported_at": at(2025, 5, 24, 9, 0),
        "cause": "LOST",
        "findings": Findings(),
        "rate_on": rates,
    } | claim

    with pytest.raises(error) as raised:
        assess_liability(**arguments)

    assert isinstance(raised.value, LiabilityInputError) and isinstance(raised.value, ValueError)
    assert rates.asked == []


def test_a_naive_datetime_error_is_also_the_projects_naive_datetime_error():
    with pytest.raises(NaiveDatetimeError):
        tx(when=datetime(2025, 5, 23, 10, 0))


def test_a_rate_that_is_a_float_is_refused():
    with pytest.raises(InvalidFacts, match="positive Decimal"):
        assess_liability(
            transactions=[tx()],
            reported_at=at(2025, 5, 24, 9, 0),
            cause="LOST",
            findings=Findings(),
            rate_on=lambda day: (4.2541, "099/A/NBP/2025"),
        )


def test_errors_of_rate_on_propagate():
    class NoRate(Exception):
        pass

    def rate_on(day):
        raise NoRate(day)

    with pytest.raises(NoRate):
        assess_liability(
            transactions=[tx()],
            reported_at=at(2025, 5, 24, 9, 0),
            cause="LOST",
            findings=Findings(),
            rate_on=rate_on,
        )
