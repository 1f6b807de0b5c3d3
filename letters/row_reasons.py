"""Each liability row of a decision letter in words addressed to the customer ("ponoszą Państwo", "you bear").

The assessment's record keeps the analysts' third-person text ("klient ponosi…"), frozen for audit; a
letter speaks to the customer, so it words the row again from its figures and its rule, as the portal's
claim page does (``disputes.portal.reasons``), in the letter's courtesy form.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from kartosfera.formatting import format_long_date, format_money
from liability import rules
from liability.record import StoredInputs, StoredLine

# Why the row falls where it does, by rule; the undetectable rule is chosen by the findings below.
_REASONS = {
    rules.INTENT: gettext_lazy("We found that you acted intentionally (fraud)"),
    rules.GROSS: gettext_lazy(
        "We found that you grossly neglected, or intentionally broke, your duties as the card holder "
        "(art. 42 of the Payment Services Act)"
    ),
    rules.AFTER_REPORT: gettext_lazy("This payment was made when or after you reported the card"),
    rules.NO_SCA: gettext_lazy("We did not require strong authentication for this payment"),
    rules.NO_MEANS: gettext_lazy("We did not give you a way to report the loss of the card"),
    rules.BANK: gettext_lazy("Your card was not lost, stolen or taken over by someone else"),
}
_BANK_STAFF = gettext_lazy("The card or its details were taken through our staff or agents")
_UNNOTICEABLE = gettext_lazy(
    "You could not have noticed before this payment that the card or its details had been taken"
)


def _reason(line: StoredLine, inputs: StoredInputs, language: str) -> str | None:
    if line.rule in _REASONS:
        return str(_REASONS[line.rule])
    if line.rule == rules.UNDETECTABLE:
        findings = inputs.findings
        if findings.bank_staff:
            return str(_BANK_STAFF)
        return str(_UNNOTICEABLE) if findings.undetectable else None
    if line.rule == rules.LATE:
        return _(
            "You reported this payment more than 13 months after it was debited (the time limit ended "
            "on %(end)s)"
        ) % {"end": format_long_date(line.window_end, language=language)}
    if line.rule == rules.CAP and line.cap is not None:
        return _(
            "For a lost, stolen or misappropriated card you bear at most the equivalent of EUR "
            "%(limit)s for the whole claim, which left %(cap)s for this payment"
        ) % {"limit": rules.CAP_EUR, "cap": format_money(line.cap, language=language)}
    return None


def _share(line: StoredLine, language: str) -> str:
    figures = {
        "amount": format_money(line.amount, language=language),
        "customer": format_money(line.customer, language=language),
        "bank": format_money(line.bank, language=language),
    }
    if line.customer == line.amount:
        return _("you bear the whole %(amount)s.") % figures
    if not line.customer:
        return _("you bear nothing: the bank bears the whole %(amount)s.") % figures
    return _("you bear %(customer)s and the bank bears %(bank)s.") % figures


def row_reason(*, line: StoredLine, inputs: StoredInputs, language: str) -> str:
    """Why the customer bears ``line``'s share, addressed to them in ``language``: its rule and figures."""
    with override(language):
        share = _share(line, language)
        reason = _reason(line, inputs, language)
        if reason is None:  # a rule this wording does not know still says who bears what
            return str(capfirst(share))
        return _("%(reason)s, so %(share)s") % {"reason": reason, "share": share}
