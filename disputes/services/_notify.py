"""What the customer is told of their claim, by text message and e-mail (``customers`` sends it)."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from customers.models import NotificationKind
from customers.services import notification_send
from disputes.models import Case

# The decision as the message states it, mid-sentence.
OUTCOME_WORDS = {
    "ACCEPTED": _("accepted in full"),
    "PARTIALLY_ACCEPTED": _("partly accepted"),
    "REJECTED": _("rejected"),
}


def case_notify(case: Case, kind: str, *, now: datetime, **params: Any) -> None:
    """Record the customer's message about ``case`` in the current transaction (sent after commit)."""
    notification_send(customer=case.customer, kind=kind, now=now, params={"number": case.number, **params})


def notify_decision(case: Case, outcome: str, *, now: datetime) -> None:
    case_notify(case, NotificationKind.DECISION_ISSUED, now=now, outcome=OUTCOME_WORDS[outcome])


def notify_deemed_accepted(case: Case, *, now: datetime) -> None:
    """The claim is accepted by law (REK-8): the reply was not sent by its deadline."""
    case_notify(case, NotificationKind.CLAIM_DEEMED_ACCEPTED, now=now, reply_due=case.reply_due_on)
