"""The back office's names for the workflow's codes: states, steps, outcomes, findings, lights.

A case's and a chargeback's machines share some codes (``DRAFT``, ``CLOSED``...) but not their
meaning, so each row is named by the machine it belongs to: a case transition row with a chargeback
is a step of that chargeback. A code nobody named yet is shown as readable words, never raw.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Choices
from django.utils.translation import get_language, gettext, override, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cards.models import SYSTEM_REASONS
from chargebacks.models import ChargebackState
from disputes.models import CaseEvent, CaseState, Outcome, ProposalKind
from kartosfera.formatting import format_long_date, format_money
from kartosfera.legaltime import warsaw_date

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

# Each step of a chargeback's history as the analyst says it.
CHARGEBACK_STEP_LABELS = {
    "file": _("Filed with the scheme"),
    "record_representment": _("Second presentment received"),
    "escalate_to_pre_arbitration": _("Taken to pre-arbitration"),
    "escalate_to_arbitration": _("Taken to arbitration"),
    "win": _("Won"),
    "lose": pgettext_lazy("chargeback", "Lost"),
    "abandon": _("Not filed"),
}

# The liability findings (``liability.engine.Findings``) as the assessment form asks them.
FINDING_LABELS = {
    "intent": _("The customer acted intentionally (fraud)"),
    "gross_negligence": _("Gross negligence (e.g. PIN kept with the card)"),
    "undetectable": _("Loss not detectable by the payer before the payment"),
    "bank_staff": _("Caused by bank staff or agents"),
    "no_means_to_report": _("The bank gave no means to report the loss"),
}


# The traffic lights (``disputes.backoffice.lights.Light``) by their colour.
LIGHT_LABELS = {"RED": _("red"), "AMBER": _("amber"), "GREEN": _("green")}


def _words(code: str) -> str:
    """An unnamed code as words (``SOME_CODE`` → ``some code``): readable, though untranslated."""
    return code.replace("_", " ").lower() if code else "—"


def _choice(choices: type[Choices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else _words(value)


def case_state_label(value: str) -> str:
    """``CLOSED`` → ``Zamknięta``."""
    return _choice(CaseState, value)


def chargeback_state_label(value: str) -> str:
    """``WON`` → ``Wygrany``."""
    return _choice(ChargebackState, value)


def case_step_label(name: str) -> str:
    return str(STEP_LABELS[name]) if name in STEP_LABELS else _words(name)


def chargeback_step_label(name: str) -> str:
    return str(CHARGEBACK_STEP_LABELS[name]) if name in CHARGEBACK_STEP_LABELS else _words(name)


def transition_label(row) -> str:
    """A transition row (``CaseTransition``) as a sentence: the step and the states it went between,
    of the case or, for a chargeback's row, of that chargeback."""
    if getattr(row, "chargeback_id", None):
        chargeback = row.chargeback
        return gettext("Chargeback %(scheme)s %(code)s: %(step)s (%(source)s → %(target)s)") % {
            "scheme": chargeback.get_scheme_display(),
            "code": chargeback.reason_code,
            "step": chargeback_step_label(row.name),
            "source": chargeback_state_label(row.from_state),
            "target": chargeback_state_label(row.to_state),
        }
    return gettext("Step: %(step)s (%(source)s → %(target)s)") % {
        "step": case_step_label(row.name),
        "source": case_state_label(row.from_state),
        "target": case_state_label(row.to_state),
    }


def outcome_label(value: str) -> str:
    """A case's outcome (``ACCEPTED``) or a chargeback's result (``WON``/``LOST``) by its name."""
    if value in Outcome.values:
        return str(Outcome(value).label)
    return chargeback_state_label(value)


def proposal_label(proposal) -> str:
    """What a four-eyes proposal asks for, in words: its kind and, where it has one, its outcome."""
    kind = _choice(ProposalKind, proposal.kind)
    outcome = (proposal.data or {}).get("outcome")
    if proposal.kind == ProposalKind.CHARGEBACK_RESULT and proposal.chargeback_id:
        chargeback = proposal.chargeback
        return gettext("%(kind)s %(scheme)s %(code)s (%(merchant)s): %(outcome)s") % {
            "kind": kind,
            "scheme": chargeback.get_scheme_display(),
            "code": chargeback.reason_code,
            "merchant": chargeback.transaction.merchant_name,
            "outcome": outcome_label(outcome or ""),
        }
    return f"{kind} ({outcome_label(outcome)})" if outcome else kind


def _proposal_pln(proposal) -> Decimal:
    """The PLN amount a proposal asks the approver to agree to: what it credits, takes back or charges
    back; a decision is about the case's disputed amount."""
    data = proposal.data or {}
    if proposal.kind == ProposalKind.CHARGEBACK_RESULT and proposal.chargeback_id:
        return proposal.chargeback.amount
    if proposal.kind == ProposalKind.REFUND and "amount" in data:
        return Decimal(data["amount"])
    if proposal.kind == ProposalKind.RECOVERY and "to_recover" in data:
        return sum((Decimal(amount) for amount in data["to_recover"]), Decimal(0))
    return proposal.case.disputed_amount


def proposal_amount(proposal) -> str:
    """A proposal's amount as the queues write money (``800,00 zł``), a chargeback of a whole payment
    also in its transaction's own currency when that is not the złoty (``800,00 zł (187,50 €)``); a
    chargeback of part of it in złoty only (the payment's euros are not the value of that part)."""
    language = get_language()
    shown = format_money(_proposal_pln(proposal), "PLN", language=language)
    if proposal.kind == ProposalKind.CHARGEBACK_RESULT and proposal.chargeback_id:
        transaction = proposal.chargeback.transaction
        if transaction.original_currency != "PLN" and proposal.chargeback.amount == transaction.amount_pln:
            original = format_money(
                transaction.original_amount, transaction.original_currency, language=language
            )
            shown = f"{shown} ({original})"
    return shown


def finding_label(key: str) -> str:
    return str(FINDING_LABELS[key]) if key in FINDING_LABELS else _words(key)


def light_label(light: str) -> str:
    """A traffic light's colour in words (the ``title`` and the text of ``_light.html``)."""
    return str(LIGHT_LABELS[light]) if light in LIGHT_LABELS else "—"


# Reasons the system itself writes into a card's or a case's history, stored as their English msgid so
# each reader gets them in their own language (the portal's block from a claim: disputes.portal.views).
def system_reason(text: str) -> str:
    """A history row's reason for the reader: a reason the system wrote, in the reader's language;
    one stored already translated (before reasons were stored untranslated) is recognised in any of
    the site's languages; anything a person wrote comes back as they wrote it."""
    for msgid in SYSTEM_REASONS:
        if text == msgid or text in _translations(msgid):
            return gettext(msgid)
    return text


def _translations(msgid: str) -> set[str]:
    translations = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            translations.add(gettext(msgid))
    return translations


def _day(value: object) -> str:
    """A date (or its ISO text, as an event's data stores it) as a long date in the reader's language."""
    if isinstance(value, str):
        try:
            return format_long_date(date.fromisoformat(value), language=get_language())
        except ValueError:
            return value
    return format_long_date(value, language=get_language()) if isinstance(value, date) else "—"


def event_detail(row) -> str:
    """What a history event (``CaseEvent``) adds to its kind's name, in words; "" when nothing."""
    data = row.data or {}
    if row.kind == CaseEvent.Kind.CHARGEBACK_FILING_MISSED:
        return gettext(
            "the filing window ended on %(due)s (%(rule)s) and the chargeback was not filed: file it if "
            "the scheme still takes it, or record it as not filed"
        ) % {"due": _day(data.get("filing_due_on")), "rule": data.get("rule", "")}
    return ""


def deemed_acceptance(case) -> str:
    """Why and when a case was deemed accepted (REK-8), as staff say it: the reply deadline that passed
    unanswered and the day the acceptance was recorded; "" for a case not deemed accepted."""
    if case.deemed_accepted_at is None:
        return ""
    return gettext(
        "Deemed accepted (REK-8): the reply deadline of %(due)s (%(rule)s) passed without a reply sent; "
        "the acceptance was recorded on %(recorded)s."
    ) % {
        "due": _day(case.reply_due_on),
        "rule": case.reply_rule,
        "recorded": _day(warsaw_date(case.deemed_accepted_at)),
    }


def transition_detail(row) -> str:
    """What a transition row (``CaseTransition``) says beyond its step, in words; "" when nothing more
    than the reason written with it. REK-8's row says which reply deadline passed unanswered."""
    data = row.data or {}
    if row.name == "deem_accepted" and not getattr(row, "chargeback_id", None):
        return gettext("the reply deadline of %(due)s (%(rule)s) passed without a reply sent") % {
            "due": _day(data.get("reply_due_on")),
            "rule": data.get("reply_rule", ""),
        }
    return ""
