"""What the customer is told of their claim, by text message and e-mail (``customers`` sends it)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from customers.models import Notification, NotificationKind
from customers.services import notification_send
from disputes.models import Case
from kartosfera.legaltime import warsaw_date
from kartosfera.money import ZERO
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind

# The decision as the message states it, mid-sentence.
OUTCOME_WORDS = {
    "ACCEPTED": _("accepted in full"),
    "PARTIALLY_ACCEPTED": _("partly accepted"),
    "REJECTED": _("rejected"),
}


# Why money is taken back from the customer's account, by the ledger entry that takes it, mid-sentence.
TAKE_BACK_REASONS = {
    LedgerKind.REVERSAL: _("the claim was withdrawn, so the provisional refund made for it is reversed."),
    LedgerKind.RECOVERY: _(
        "under our decision on the claim, this is your share of the amount refunded provisionally. "
        "The letter with the reasons is under “My claims” in the portal."
    ),
}


def case_notify(case: Case, kind: str, *, now: datetime, **params: Any) -> None:
    """Record the customer's message about ``case`` in the current transaction (sent after commit)."""
    notification_send(customer=case.customer, kind=kind, now=now, params={"number": case.number, **params})


def notify_decision(case: Case, outcome: str, *, now: datetime) -> None:
    case_notify(case, NotificationKind.DECISION_ISSUED, now=now, outcome=OUTCOME_WORDS[outcome])


def notify_deemed_accepted(case: Case, *, now: datetime) -> None:
    """The claim is accepted by law (REK-8): the reply was not sent by its deadline."""
    case_notify(case, NotificationKind.CLAIM_DEEMED_ACCEPTED, now=now, reply_due=case.reply_due_on)


def notify_refund_made(case: Case, credited: list[LedgerEntry], *, now: datetime) -> None:
    """Tell the customer of the D+1 refund credited to their account, its total.

    Called with the refund's credits once the core system has confirmed them all, once
    (``case_record_step_confirmation``): the message is dated the day the money reached the account.
    """
    total = sum((entry.amount for entry in credited), ZERO)
    if total > ZERO and not _refund_told_when_booked(case):
        case_notify(case, NotificationKind.REFUND_MADE, now=now, amount=total)


def _refund_told_when_booked(case: Case) -> bool:
    """Releases before 2026-12 told the customer of the refund when it was booked (the message created at
    ``Case.refunded_at``): a refund booked then and confirmed after the upgrade is not told twice."""
    if case.refunded_at is None or not case.number:
        return False
    return Notification.objects.filter(
        customer_id=case.customer_id,
        kind=NotificationKind.REFUND_MADE,
        created_at=case.refunded_at,
        body__contains=case.number,
    ).exists()


def notify_taken_back(case: Case, taken: list[LedgerEntry], *, now: datetime) -> None:
    """Tell the customer of money just taken back from their account: one message per kind of take-back.

    Called with the entries whose debits the core system has just confirmed, once
    (``case_record_step_confirmation``): the message is dated the day the money left the account.
    """
    for kind, reason in TAKE_BACK_REASONS.items():
        total = sum((entry.amount for entry in taken if entry.kind == kind), ZERO)
        if total > ZERO:
            case_notify(
                case,
                NotificationKind.MONEY_TAKEN_BACK,
                now=now,
                amount=total,
                day=warsaw_date(now),
                reason=reason,
            )


# What the customer is told once the core system has confirmed every posting of a money step, by the
# kind of its ledger entries (``case_record_step_confirmation``): the money has then really moved.
TOLD_WHEN_CONFIRMED: dict[str, Callable[..., None]] = {
    LedgerKind.PROVISIONAL_REFUND: notify_refund_made,
    **{kind: notify_taken_back for kind in TAKE_BACK_REASONS},
}
