"""Customer liability rules of RULES.md section 3 (UUP art. 46, PSD2 art. 74). Pure: no Django, no clock.

The rule order is the table of RULES.md; the first rule that matches a transaction decides it.
``liability.api.assess_liability`` applies them to a whole claim.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, localcontext

from kartosfera.money import round_grosz

INTENT = "UUP-46-3-INTENT"
AFTER_REPORT = "UUP-46-AFTER-REPORT"
LATE = "UUP-44-2-LATE"
NO_SCA = "UUP-46-NO-SCA"
NO_MEANS = "UUP-46-NO-MEANS"
UNDETECTABLE = "UUP-46-UNDETECTABLE"
GROSS = "UUP-46-3-GROSS"
CAP = "UUP-46-2-CAP"
BANK = "UUP-46-BANK"

# First match wins, in this order (RULES.md section 3).
RULE_ORDER = (INTENT, AFTER_REPORT, LATE, NO_SCA, NO_MEANS, UNDETECTABLE, GROSS, CAP, BANK)

# What the customer pays under each rule.
CUSTOMER_PAYS_ALL = frozenset({INTENT, LATE, GROSS})
CUSTOMER_PAYS_NOTHING = frozenset({AFTER_REPORT, NO_SCA, NO_MEANS, UNDETECTABLE, BANK})

CAP_EUR = Decimal("50")
# Significant digits of the exact EUR arithmetic of the cap, fixed so that a replay gives the same
# figures whatever the caller's decimal context is (Python's default is 28).
EUR_PRECISION = 50
CAPPED_CAUSES = frozenset({"LOST", "STOLEN", "MISAPPROPRIATED"})
CAUSES = (*sorted(CAPPED_CAUSES), "OTHER")


@dataclass(frozen=True, slots=True)
class RuleFacts:
    """What the rule table looks at for one transaction."""

    executed_at: datetime
    sca_applied: bool
    reported_at: datetime
    reported_on: date
    window_end: date
    cause: str
    intent: bool
    gross_negligence: bool
    undetectable: bool
    bank_staff: bool
    no_means_to_report: bool


def first_matching_rule(facts: RuleFacts) -> str:
    """The id of the first rule of RULES.md section 3 that matches the transaction."""
    if facts.intent:
        return INTENT
    if facts.executed_at >= facts.reported_at:
        return AFTER_REPORT
    if facts.reported_on > facts.window_end:
        return LATE
    if not facts.sca_applied:
        return NO_SCA
    if facts.no_means_to_report:
        return NO_MEANS
    if facts.undetectable or facts.bank_staff:
        return UNDETECTABLE
    if facts.gross_negligence:
        return GROSS
    if facts.cause in CAPPED_CAUSES:
        return CAP
    return BANK


@dataclass(frozen=True, slots=True)
class CapStep:
    """One transaction's use of the claim's 50 EUR cap."""

    remaining_eur_before: Decimal
    cap: Decimal
    customer: Decimal
    remaining_eur_after: Decimal


def cap_step(*, amount: Decimal, rate: Decimal, remaining_eur: Decimal, rounding: str) -> CapStep:
    """Apply the cap to one transaction: RULES.md's formula, consumed in execution order.

    ``cap = round_half_up(remaining_eur × rate, 0.01)``, ``customer = min(amount, cap)``,
    ``remaining_eur −= customer / rate`` exactly. Rounding the cap half-up can overshoot the 50 EUR
    by under half a grosz (212.49 PLN at 4.2497 is 50.0001 EUR), which leaves ``remaining_eur``
    slightly negative; a cap below zero is zero: the customer never gets a negative share.
    """
    with localcontext(prec=EUR_PRECISION):
        cap = round_grosz(remaining_eur * rate, rounding=rounding)
        if cap <= 0:  # also turns -0.00 into 0.00
            cap = Decimal("0.00")
        customer = min(amount, cap)
        remaining_after = remaining_eur - customer / rate
    return CapStep(
        remaining_eur_before=remaining_eur, cap=cap, customer=customer, remaining_eur_after=remaining_after
    )
