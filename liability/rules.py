"""Customer liability rules of RULES.md section 3 (UUP art. 46, PSD2 art. 74). Pure: no Django, no clock.

The rule order is the table of RULES.md; the first rule that matches a transaction decides it.
``liability.engine.assess_liability`` applies them to a whole claim.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, localcontext
from fractions import Fraction

from kartosfera.money import ZERO, round_grosz
from kartosfera.vocabulary import TextChoices
from kartosfera.vocabulary import gettext_lazy as _

INTENT = "UUP-46-3-INTENT"
AFTER_REPORT = "UUP-46-AFTER-REPORT"
LATE = "UUP-44-2-LATE"
NO_SCA = "UUP-46-NO-SCA"
NO_MEANS = "UUP-46-NO-MEANS"
UNDETECTABLE = "UUP-46-UNDETECTABLE"
GROSS = "UUP-46-3-GROSS"
CAP = "UUP-46-2-CAP"
BANK = "UUP-46-BANK"


@dataclass(frozen=True, slots=True)
class Article:
    """A provision of the Payment Services Act (UUP): the article and its paragraph (ustęp)."""

    number: int
    paragraph: str  # "2", "4a": a paragraph's number may carry a letter


# The provision of the Payment Services Act each rule applies: the one place that knows it (the
# legal grounds of a decision letter name the provisions of the rules applied, not one fixed article).
# Art. 46 as amended for PSD2 (2018): ust. 1 the refund, 2 the 50 EUR cap, 2a its exceptions, 3 full
# liability for intent or gross negligence, 4 nothing after the report, 4a nothing without strong
# customer authentication, 5 nothing where the bank gave no means to report.
RULE_ARTICLES: dict[str, Article] = {
    INTENT: Article(46, "3"),
    AFTER_REPORT: Article(46, "4"),
    LATE: Article(44, "2"),
    NO_SCA: Article(46, "4a"),
    NO_MEANS: Article(46, "5"),
    UNDETECTABLE: Article(46, "2a"),
    GROSS: Article(46, "3"),
    CAP: Article(46, "2"),
    BANK: Article(46, "1"),  # the payer's provider refunds an unauthorised transaction
}

# First match wins, in this order (RULES.md section 3).
RULE_ORDER = (INTENT, AFTER_REPORT, LATE, NO_SCA, NO_MEANS, UNDETECTABLE, GROSS, CAP, BANK)

# What the customer pays under each rule.
CUSTOMER_PAYS_ALL = frozenset({INTENT, LATE, GROSS})
CUSTOMER_PAYS_NOTHING = frozenset({AFTER_REPORT, NO_SCA, NO_MEANS, UNDETECTABLE, BANK})

CAP_EUR = Fraction(50)
# Engine 1 kept the remaining EUR as a Decimal of this many significant digits. Results it stored
# replay with that arithmetic (``cap_step_decimal``); new results use exact rationals (``cap_step``).
EUR_PRECISION = 50


class Cause(TextChoices):
    """How the payment instrument left the customer's control."""

    LOST = "LOST", _("Card lost")
    STOLEN = "STOLEN", _("Card stolen")
    MISAPPROPRIATED = "MISAPPROPRIATED", _("Card details misappropriated")
    OTHER = "OTHER", _("Other")


# The causes the 50 EUR cap of UUP art. 46 ust. 2 applies to.
CAPPED_CAUSES = frozenset({Cause.LOST, Cause.STOLEN, Cause.MISAPPROPRIATED})
CAUSES = (*sorted(CAPPED_CAUSES), Cause.OTHER)


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

    remaining_eur_before: Fraction | Decimal
    cap: Decimal
    customer: Decimal
    remaining_eur_after: Fraction | Decimal


def round_grosz_exact(value: Fraction, *, rounding: str) -> Decimal:
    """Round an exact rational to the grosz with the named policy, however long its decimal expansion.

    The value is replaced by a 4-decimal Decimal in the same position relative to the grosz below it,
    the half-grosz and the grosz above (on one, below, on or above the half), which every rounding
    policy rounds exactly as it would round the value itself.
    """
    hundredths = value * 100
    whole = math.floor(hundredths)
    rest = hundredths - whole  # 0 <= rest < 1
    half = Fraction(1, 2)
    quarters = 0 if rest == 0 else 2 if rest == half else 1 if rest < half else 3
    return round_grosz(Decimal(whole * 4 + quarters) / 400, rounding=rounding)


def cap_step(*, amount: Decimal, rate: Decimal, remaining_eur: Fraction, rounding: str) -> CapStep:
    """Apply the cap to one transaction: RULES.md's formula, consumed in execution order.

    ``cap = round_half_up(remaining_eur × rate, 0.01)``, ``customer = min(amount, cap)``,
    ``remaining_eur = max(0, remaining_eur − customer / rate)``, with ``remaining_eur`` an exact
    rational: no quotient is cut, so splitting a payment into several on the same day never changes
    the customer's total, and the cap's own rounding is the only rounding. Rounding a cap half-up can
    overshoot the 50 EUR by under half a grosz (212.49 PLN at 4.2497 is 50.0001 EUR); what remains is
    then 0, never below.
    """
    exact_rate = Fraction(rate)
    cap = ZERO
    if remaining_eur > 0:
        cap = max(cap, round_grosz_exact(remaining_eur * exact_rate, rounding=rounding))
    customer = min(amount, cap)
    remaining_after = max(Fraction(0), remaining_eur - Fraction(customer) / exact_rate)
    return CapStep(
        remaining_eur_before=remaining_eur, cap=cap, customer=customer, remaining_eur_after=remaining_after
    )


def cap_step_decimal(*, amount: Decimal, rate: Decimal, remaining_eur: Decimal, rounding: str) -> CapStep:
    """Engine 1's cap step (remaining EUR a 50-digit Decimal, may go below 0): to replay its results only."""
    with localcontext(prec=EUR_PRECISION):
        cap = round_grosz(remaining_eur * rate, rounding=rounding)
        if cap <= 0:  # also turns -0.00 into 0.00
            cap = ZERO
        customer = min(amount, cap)
        remaining_after = remaining_eur - customer / rate
    return CapStep(
        remaining_eur_before=remaining_eur, cap=cap, customer=customer, remaining_eur_after=remaining_after
    )
