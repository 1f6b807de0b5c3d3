"""Why the customer bears what they bear, in their own words: second person, no rule ids, no formulas.

An assessment stores the analysts' rule text with each line (rule id, the cap's arithmetic to six
decimals), frozen for audit; the back office and the auditors show it. The customer's claim page
words the same stored figures for the customer: the 50 EUR cap in złoty at the rate of its date, EUR
to the cent, and who bears what.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from kartosfera.formatting import babel_locale, format_long_date, format_moment, format_money, format_rate
from kartosfera.legaltime import warsaw_date
from liability import rules
from liability.explain import is_synthetic_table
from liability.record import StoredInputs, StoredLine

CENT = Decimal("0.01")


def _eur(exact: str, language: str) -> str:
    """A remaining EUR amount of the cap (stored exact, e.g. ``"999850/42497"``) to the cent, half up."""
    value = max(Fraction(exact), Fraction(0))
    cents = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)
    return _("EUR %(amount)s") % {
        "amount": format_decimal(cents, format="#,##0.00", locale=babel_locale(language))
    }


def _situation(cause: str) -> str:
    situations: dict[str, str] = {
        rules.Cause.LOST: _("Your card was lost and this payment was made before you reported it."),
        rules.Cause.STOLEN: _("Your card was stolen and this payment was made before you reported it."),
        rules.Cause.MISAPPROPRIATED: _(
            "Someone took your card details and used them without the card, and this payment was made "
            "before you reported it."
        ),
    }
    return situations[cause]


def _cap(line: StoredLine, inputs: StoredInputs, language: str, capped_after: int) -> str:
    if (
        line.rate is None
        or line.table is None
        or line.rate_date is None
        or line.cap is None
        or line.remaining_eur_before is None
        or line.remaining_eur_after is None
    ):
        raise ValueError("a cap line needs its rate, table, rate date, cap and remaining EUR")
    limit = _("EUR %(amount)s") % {"amount": rules.CAP_EUR}
    if Fraction(line.remaining_eur_before) <= 0:
        used_up = _(
            "In that case you bear at most the equivalent of %(limit)s for the whole claim, and the "
            "claim's earlier payments have used it up, so you bear nothing for this one: the bank bears "
            "the whole %(amount)s."
        ) % {"limit": limit, "amount": format_money(line.amount, language=language)}
        return f"{_situation(inputs.cause)} {used_up}"
    rate = {
        "day": format_long_date(line.rate_date, language=language),
        "rate": format_rate(line.rate, language=language),
        "table": line.table,
    }
    at_rate = (
        _("the sample rate %(table)s of %(day)s (%(rate)s PLN per euro; not an NBP rate)") % rate
        if is_synthetic_table(line.table)
        else _("the NBP average rate of %(day)s (%(rate)s PLN per euro)") % rate
    )
    why = _(
        "In that case you bear at most the equivalent of %(limit)s for the whole claim. For this payment "
        "%(left)s of that limit was left, which is %(cap)s at %(at_rate)s. So you bear %(customer)s and "
        "the bank bears %(bank)s."
    ) % {
        "limit": limit,
        "left": _eur(line.remaining_eur_before, language),
        "cap": format_money(line.cap, language=language),
        "at_rate": at_rate,
        "customer": format_money(line.customer, language=language),
        "bank": format_money(line.bank, language=language),
    }
    # What is left of the cap matters only to the capped payments after this one (the cap is used in
    # execution order): none after it, nothing is said of it.
    left = {"left": _eur(line.remaining_eur_after, language)}
    if Fraction(line.remaining_eur_after) <= 0:
        after = _("The limit is now used up.")
    elif capped_after == 1:
        after = _("%(left)s of the limit remains for the claim's payment made after this one.") % left
    elif capped_after > 1:
        after = _("%(left)s of the limit remains for the claim's payments made after this one.") % left
    else:
        return f"{_situation(inputs.cause)} {why}"
    return f"{_situation(inputs.cause)} {why} {after}"


# The reasons that need only the amount, by rule (and, for UUP-46-UNDETECTABLE, by the findings).
_BANK_BEARS = {
    rules.NO_SCA: gettext_lazy(
        "We did not require strong authentication for this payment, so you bear nothing: "
        "the bank bears the whole %(amount)s."
    ),
    rules.NO_MEANS: gettext_lazy(
        "We did not give you a way to report the loss of the card, so you bear nothing: "
        "the bank bears the whole %(amount)s."
    ),
    rules.BANK: gettext_lazy(
        "Your card was not lost, stolen or taken over by someone else, so you bear nothing: "
        "the bank bears the whole %(amount)s."
    ),
}
_UNDETECTABLE = {  # (the loss could not be noticed, the bank's staff caused it)
    (True, True): gettext_lazy(
        "You could not have noticed the loss of the card before this payment, and the loss was "
        "caused by our staff or agents, so you bear nothing: the bank bears the whole %(amount)s."
    ),
    (False, True): gettext_lazy(
        "The loss was caused by our staff or agents, so you bear nothing: "
        "the bank bears the whole %(amount)s."
    ),
    (True, False): gettext_lazy(
        "You could not have noticed the loss of the card before this payment, so you bear nothing: "
        "the bank bears the whole %(amount)s."
    ),
}
# The same for card details taken without the card (Cause.MISAPPROPRIATED): no card was lost.
_UNDETECTABLE_DETAILS = {
    (True, True): gettext_lazy(
        "You could not have noticed that someone had taken your card details before this payment, and "
        "it was caused by our staff or agents, so you bear nothing: the bank bears the whole %(amount)s."
    ),
    (False, True): gettext_lazy(
        "Our staff or agents caused your card details to be taken, so you bear nothing: "
        "the bank bears the whole %(amount)s."
    ),
    (True, False): gettext_lazy(
        "You could not have noticed that someone had taken your card details before this payment, so you "
        "bear nothing: the bank bears the whole %(amount)s."
    ),
}
_CUSTOMER_BEARS = {
    rules.INTENT: gettext_lazy(
        "We found that you acted intentionally (fraud), so you bear the whole %(amount)s."
    ),
    rules.GROSS: gettext_lazy(
        "We found that you grossly neglected, or intentionally broke, your duties as the card holder "
        "(art. 42 of the Payment Services Act), so you bear the whole %(amount)s."
    ),
}


def _reason(line: StoredLine, inputs: StoredInputs, language: str) -> str | None:
    amount = format_money(line.amount, language=language)
    if line.rule in _BANK_BEARS:
        return str(_BANK_BEARS[line.rule]) % {"amount": amount}
    if line.rule in _CUSTOMER_BEARS:
        return str(_CUSTOMER_BEARS[line.rule]) % {"amount": amount}
    if line.rule == rules.UNDETECTABLE:
        # Chosen by the claim's cause and both findings, as ``liability.explain`` chooses the analysts'
        # reasons; findings that do not make the rule (neither) fall back to the stored explanation.
        texts = _UNDETECTABLE_DETAILS if inputs.cause == rules.Cause.MISAPPROPRIATED else _UNDETECTABLE
        text = texts.get((inputs.findings.undetectable, inputs.findings.bank_staff))
        return None if text is None else str(text) % {"amount": amount}
    if line.rule == rules.AFTER_REPORT:
        return _(
            "This payment was made on %(executed)s (Warsaw time), when or after you reported the card "
            "(%(reported)s), so you bear nothing: the bank bears the whole %(amount)s."
        ) % {
            "amount": amount,
            "executed": format_moment(line.executed_at, language=language),
            "reported": format_moment(inputs.reported_at, language=language),
        }
    if line.rule == rules.LATE:
        return _(
            "You reported this payment on %(reported)s, more than 13 months after it was debited on "
            "%(debited)s (the time limit ended on %(end)s), so you bear the whole %(amount)s."
        ) % {
            "amount": amount,
            "reported": format_long_date(warsaw_date(inputs.reported_at), language=language),
            "debited": format_long_date(line.debited_on, language=language),
            "end": format_long_date(line.window_end, language=language),
        }
    return None


def reason_for_customer(*, line: StoredLine, inputs: StoredInputs, language: str, capped_after: int) -> str:
    """Why the customer bears ``line``'s share, in ``language``, from the figures the assessment stored.

    ``capped_after`` is the number of capped payments after ``line`` (``StoredAssessment.capped_after``):
    what a cap line leaves of the cap is said for them. A rule this wording does not know (a future
    engine's) falls back to the stored explanation.
    """
    with override(language):
        if line.rule == rules.CAP:
            return _cap(line, inputs, language, capped_after)
        text = _reason(line, inputs, language)
    if text is not None:
        return text
    return line.explanation_en if language == "en" else line.explanation_pl
