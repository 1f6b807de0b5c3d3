"""Receivers of other apps' signals (connected in ``DisputesConfig.ready``)."""

from django.dispatch import receiver

from corebanking.signals import posting_confirmed
from disputes.services import case_record_refund_confirmation, case_record_step_confirmation
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind


@receiver(posting_confirmed, dispatch_uid="disputes.refund_confirmed")
def refund_credit_confirmed(sender, *, posting, now, **kwargs) -> None:
    """A positive provisional refund credit confirmed by the core system may make the D+1 refund."""
    entry = LedgerEntry.objects.filter(
        pk=posting.ledger_entry_id, kind=LedgerKind.PROVISIONAL_REFUND, amount__gt=0
    ).values_list("case_id", flat=True)
    for case_id in entry:
        case_record_refund_confirmation(case_id=case_id, now=now)


@receiver(posting_confirmed, dispatch_uid="disputes.money_step_confirmed")
def money_step_confirmed(sender, *, posting, now, **kwargs) -> None:
    """A refund credit or a take-back debit confirmed by the core system may tell the customer the money
    has moved (the step's last posting confirmed)."""
    case_record_step_confirmation(ledger_entry_id=posting.ledger_entry_id, now=now)
