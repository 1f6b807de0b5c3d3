"""The case page in the analyst's words: state, step, outcome and finding names, people by name."""

from django import template
from django.utils.translation import gettext_lazy as _

from disputes.models import CaseOutcome, CaseState

register = template.Library()

# The workflow's steps (the case's transitions) as the back office names them.
STEP_LABELS = {
    "create_draft": _("Draft started"),
    "submit": _("Claim submitted"),
    "start_review": _("Review started"),
    "refund_provisionally": _("Provisional refund (D+1)"),
    "withhold_refund": _("Refund withheld (fraud suspected)"),
    "request_information": _("Information requested from the customer"),
    "customer_responded": _("The customer answered"),
    "extend_reply": _("Reply deadline extended (delay notice)"),
    "decide": _("Decided"),
    "dispatch_reply": _("Reply sent"),
    "recover_customer_share": _("Customer's share recovered"),
    "deem_accepted": _("Deemed accepted (REK-8)"),
    "withdraw": _("Withdrawn"),
    "close": _("Closed"),
}

# The liability findings (``liability.api.Findings``) as the assessment form asks them.
FINDING_LABELS = {
    "intent": _("The customer acted intentionally (fraud)"),
    "gross_negligence": _("Gross negligence (e.g. PIN kept with the card)"),
    "undetectable": _("Loss not detectable by the payer before the payment"),
    "bank_staff": _("Caused by bank staff or agents"),
    "no_means_to_report": _("The bank gave no means to report the loss"),
}


@register.filter
def state_label(value: str) -> str:
    """``CLOSED`` → ``Zamknięta``; a value of another machine (a chargeback's) is shown as it is."""
    return str(CaseState(value).label) if value in CaseState.values else value or "—"


@register.filter
def step_label(name: str) -> str:
    return str(STEP_LABELS.get(name, name.replace("_", " ")))


@register.filter
def outcome_label(value: str) -> str:
    return str(CaseOutcome(value).label) if value in CaseOutcome.values else value


@register.filter
def finding_label(key: str) -> str:
    return str(FINDING_LABELS.get(key, key))


@register.filter
def person(user) -> str:
    """A staff member or customer by name (the user name when no name is held), "—" for nobody."""
    if user is None:
        return "—"
    full_name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return full_name or getattr(user, "username", "") or "—"
