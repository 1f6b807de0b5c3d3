"""Reads for the customer's claim pages: owner-scoped, so another customer's ids answer like missing ones."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from cards.models import Transaction, TransactionStatus
from cards.selectors import transaction_list_for_card
from customers.models import Customer, User
from deadlines import engine as deadlines
from deadlines.selectors import bank_calendar
from disputes.models import (
    Case,
    CaseState,
    Evidence,
    customer_evidence,
    customer_sees_evidence,
)
from disputes.selectors import HistoryItem, case_get_for_customer, case_get_for_staff, case_history
from kartosfera import fsm
from kartosfera.authz import VIEW_CASE
from kartosfera.ids import parse_id
from kartosfera.legaltime import day_end, day_start, warsaw_date

# The open states in which the claim has its answer: it still holds its transactions until it is closed.
DECIDED_STATES = (CaseState.DECIDED, CaseState.DEEMED_ACCEPTED)

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
    """The card's debited transactions, newest first, each with ``in_open_case`` (held by a submitted claim)
    and that claim's ``open_claim_id``, ``open_claim_number`` and ``open_claim_decided`` (the claim is
    decided, or deemed accepted, and holds the transaction until it is closed).

    Optionally of one ``channel`` and made from ``executed_from`` to ``executed_to`` (Warsaw days,
    both included).

    :raises Card.DoesNotExist: not the customer's card.
    """
    transactions = transaction_list_for_card(
        customer=customer, card_id=card_id, channel=channel, with_open_claim=True
    ).filter(status=TransactionStatus.SETTLED)
    if executed_from is not None:
        transactions = transactions.filter(executed_at__gte=day_start(executed_from))
    if executed_to is not None:
        transactions = transactions.filter(executed_at__lt=day_end(executed_to))
    return transactions.annotate(
        in_open_case=ExpressionWrapper(Q(open_claim_id__isnull=False), output_field=BooleanField()),
        open_claim_decided=ExpressionWrapper(
            Q(open_link__case__state__in=DECIDED_STATES), output_field=BooleanField()
        ),
    )


@dataclass(frozen=True, slots=True)
class Preselection:
    """The transactions ticked on the card's history, split: those a claim can take, those a claim holds."""

    chosen: list[int]
    held: list[Transaction]


def claim_preselection(*, transactions: QuerySet[Transaction], ids: list[str]) -> Preselection:
    """Which of the ``ids`` ticked on the card's history the claim starts with, and which it cannot take.

    ``transactions`` are ``claimable_transactions``; an id not among them (or not an id) is dropped, one
    already in an open claim is ``held`` (with its claim's number) rather than chosen.
    """
    wanted = set()
    for value in ids:
        try:
            wanted.add(parse_id(value))
        except ValueError:
            continue
    ticked = transactions.filter(pk__in=wanted)
    # In Q: ``in_open_case`` is claimable_transactions' annotation, which the model's type does not know.
    return Preselection(
        chosen=list(ticked.filter(Q(in_open_case=False)).values_list("pk", flat=True)),
        held=list(ticked.filter(Q(in_open_case=True))),
    )


def evidence_get_for_user(
    *, user: User, customer: Customer | None, case_id: int, evidence_id: int
) -> Evidence:
    """A document of a case for its own customer (of the kinds they see), or for staff who may view cases.

    :raises Case.DoesNotExist: the user may not see the case (or there is none).
    :raises Evidence.DoesNotExist: no such document on that case, or none the customer sees.
    """
    if user.is_active and user.has_perm(VIEW_CASE):
        return case_get_for_staff(user=user, case_id=case_id).evidence.get(pk=evidence_id)
    if customer is None:
        raise Case.DoesNotExist("neither the customer nor staff")
    # The bank's own documents answer a customer like missing ones.
    return claim_evidence(case=case_get_for_customer(customer=customer, case_id=case_id)).get(pk=evidence_id)


def claim_evidence(*, case: Case) -> QuerySet[Evidence]:
    """The documents of the case its customer sees: their own (``customer_sees_evidence``)."""
    return case.evidence.filter(customer_evidence(case.customer.user_id))


@dataclass(frozen=True, slots=True)
class ExpectedDeadlines:
    """What a claim sent now can expect: the D+1 refund and the reply, from the deadline engine."""

    refund: deadlines.Deadline
    reply: deadlines.Deadline
    # The chosen transactions reported after their 13-month window (UUP-44-2), oldest first.
    out_of_window: tuple[Transaction, ...] = ()


def claim_expected_deadlines(*, case: Case, now: datetime) -> ExpectedDeadlines:
    """The deadlines a draft would get if submitted at ``now`` (as ``claim_submit`` computes them), and
    which of its transactions it would report out of time: as ``claim_submit`` flags ``out_of_window``,
    the report day (the loss report if any, else ``now``) after the window's last day
    (``deadlines.engine.claim_window_end``)."""
    reported_on = deadlines.claim_reported_on(reported_at=case.reported_at, received_at=now)
    calendar = bank_calendar()
    late = [
        link.transaction
        for link in case.disputed.select_related("transaction")
        if deadlines.reported_out_of_window(
            reported_on=reported_on,
            window=deadlines.claim_window_end(
                debited_on=link.transaction.debited_on or warsaw_date(link.transaction.executed_at),
                calendar=calendar,
            ),
        )
    ]
    return ExpectedDeadlines(
        refund=deadlines.refund_due(reported_at=now, found_at=case.found_at),
        reply=deadlines.reply_due(received_at=now, regime=deadlines.reply_regime_for(category=case.category)),
        out_of_window=tuple(sorted(late, key=lambda tx: tx.executed_at)),
    )


def claim_timeline(*, case: Case) -> list[HistoryItem]:
    """The customer's view of the case history, oldest first."""
    return [
        item
        for item in case_history(case=case)
        if (item.kind == "TRANSITION" and item.row.chargeback_id is None)
        or (
            item.kind == "EVENT"
            and item.name in CUSTOMER_EVENTS
            and customer_sees_evidence(
                (item.row.data or {}).get("kind", ""),
                uploaded_by_customer=item.row.actor_id is not None
                and item.row.actor_id == case.customer.user_id,
            )
        )
    ]


def claim_available_actions(*, case: Case, user: User, now: datetime) -> set[str]:
    """The customer's workflow steps the case allows at ``now`` (its transitions and permissions)."""
    return set(fsm.available_transitions(case, now=now, user=user)) & {
        "withdraw",
        "customer_responded",
    }


@dataclass(frozen=True, slots=True)
class InformationRequest:
    """The bank's questions to the customer and the date it asked them to answer by (as its SMS and
    letter say); ``respond_by`` is None for a request stored before the date was kept with it."""

    questions: str
    respond_by: date | None


def claim_information_request(*, case: Case) -> InformationRequest | None:
    """The bank's latest questions to the customer while it waits for the answer, else None."""
    if case.state != CaseState.AWAITING_CUSTOMER:
        return None
    row = case.transitions.filter(name="request_information").order_by("-occurred_at", "-pk").first()
    data = (row.data or {}) if row else {}
    if not data.get("questions"):
        return None
    respond_by = data.get("respond_by")
    return InformationRequest(
        questions=data["questions"], respond_by=date.fromisoformat(respond_by) if respond_by else None
    )
