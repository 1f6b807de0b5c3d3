"""Reads for the customer's claim pages: owner-scoped, so another customer's ids answer like missing ones."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, QuerySet

from cards.models import Transaction, TransactionStatus
from cards.selectors import transaction_list_for_card
from customers.models import Customer, User
from deadlines import api as deadlines
from disputes.models import Case, CaseState, CaseTransaction, Evidence
from disputes.selectors import HistoryItem, case_get_for_customer, case_get_for_staff, case_history
from kartosfera.legaltime import day_end, day_start

# What the customer sees of a case's history: its own steps and the documents added, never the
# bank's internal work (notes, assignments, reminders, escalations, chargebacks).
CUSTOMER_EVENTS = ("EVIDENCE_ADDED",)


def claimable_transactions(
    *,
    customer: Customer,
    card_id: int,
    channel: str | None = None,
    executed_from: date | None = None,
    executed_to: date | None = None,
) -> QuerySet[Transaction]:
    """The card's debited transactions, newest first, each with ``in_open_case`` (held by a submitted claim).

    Optionally of one ``channel`` and made from ``executed_from`` to ``executed_to`` (Warsaw days,
    both included).

    :raises Card.DoesNotExist: not the customer's card.
    """
    held = CaseTransaction.objects.filter(transaction=OuterRef("pk"), is_open=True)
    transactions = transaction_list_for_card(customer=customer, card_id=card_id, channel=channel).filter(
        status=TransactionStatus.SETTLED
    )
    if executed_from is not None:
        transactions = transactions.filter(executed_at__gte=day_start(executed_from))
    if executed_to is not None:
        transactions = transactions.filter(executed_at__lt=day_end(executed_to))
    return transactions.annotate(in_open_case=Exists(held))


def evidence_get_for_user(
    *, user: User, customer: Customer | None, case_id: int, evidence_id: int
) -> Evidence:
    """A document of a case for its own customer, or for staff who may view cases.

    :raises Case.DoesNotExist: the user may not see the case (or there is none).
    :raises Evidence.DoesNotExist: no such document on that case.
    """
    if user.is_active and user.has_perm("disputes.view_case"):
        case = case_get_for_staff(user=user, case_id=case_id)
    elif customer is not None:
        case = case_get_for_customer(customer=customer, case_id=case_id)
    else:
        raise Case.DoesNotExist("neither the customer nor staff")
    return case.evidence.get(pk=evidence_id)


@dataclass(frozen=True, slots=True)
class ExpectedDeadlines:
    """What a claim sent now can expect: the D+1 refund and the reply, from the deadline engine."""

    refund: deadlines.Deadline
    reply: deadlines.Deadline


def claim_expected_deadlines(*, case: Case, now: datetime) -> ExpectedDeadlines:
    """The deadlines a draft would get if submitted at ``now`` (as ``claim_submit`` computes them)."""
    return ExpectedDeadlines(
        refund=deadlines.refund_due(reported_at=now, found_at=case.found_at),
        reply=deadlines.reply_due(received_at=now, regime=deadlines.reply_regime_for(category=case.category)),
    )


def claim_timeline(*, case: Case) -> list[HistoryItem]:
    """The customer's view of the case history, oldest first."""
    return [
        item
        for item in case_history(case=case)
        if (item.kind == "TRANSITION" and item.row.chargeback_id is None)
        or (item.kind == "EVENT" and item.name in CUSTOMER_EVENTS)
    ]


def claim_available_actions(*, case: Case, user: User) -> set[str]:
    """The customer's workflow steps the case allows now (the workflow's own transitions and permissions)."""
    return {t.name for t in case.get_available_user_state_transitions(user)} & {
        "withdraw",
        "customer_responded",
    }


def claim_information_request(*, case: Case) -> str:
    """The bank's latest questions to the customer while it waits for the answer, else ''."""
    if case.state != CaseState.AWAITING_CUSTOMER:
        return ""
    row = case.transitions.filter(name="request_information").order_by("-occurred_at", "-pk").first()
    return (row.data or {}).get("questions", "") if row else ""
