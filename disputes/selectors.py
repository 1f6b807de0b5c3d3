"""Reads of dispute cases: owner-scoped for customers, permission-scoped for staff, and the sweep queries.

A case id of another customer answers exactly like one that does not exist (``Case.DoesNotExist``),
so an interface maps both to 404 and reveals nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Q, QuerySet

from chargebacks.models import Chargeback
from chargebacks.selectors import chargebacks_filing_alert_due, chargebacks_filing_missed_due
from customers.models import Customer, User
from disputes.models import (
    OPEN_STATES,
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    REPLY_NOT_IN_TIME,
    Case,
    CaseEvent,
    CaseLetterRequest,
    CaseTransaction,
    CaseTransition,
    EstimateStatus,
)
from disputes.models._clocks import (  # noqa: F401 (re-exported: the one definition of a running clock)
    CHARGEBACK_RUNNING,
    NO_DEADLINE,
    REFUND_RUNNING,
    REPLY_RUNNING,
    RUNNING_CLOCKS,
)
from disputes.models._clocks import (
    next_running_due as next_running_due,
)
from disputes.rules import net_to_customer
from kartosfera.authz import VIEW_CASE
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind

if TYPE_CHECKING:
    from corebanking.models import Posting


class LoadedClocks(Protocol):
    """What the running-clock tests read of a case: a ``Case``, or a back-office queue's row."""

    @property
    def state(self) -> str: ...
    @property
    def refund_owed(self) -> bool: ...
    @property
    def refunded_at(self) -> datetime | None: ...
    @property
    def refund_confirmed_at(self) -> datetime | None: ...
    @property
    def refund_withheld_at(self) -> datetime | None: ...
    @property
    def reply_dispatched_at(self) -> datetime | None: ...


def refund_running(case: LoadedClocks) -> bool:
    """``REFUND_RUNNING`` of one loaded case (a ``Case`` or a queue's ``QueueCase``)."""
    if not case.refund_owed or case.refund_withheld_at is not None:
        return False
    if case.refunded_at is None:
        return case.state in REFUND_PENDING_STATES
    return case.state in OPEN_STATES and case.refund_confirmed_at is None


def refund_made_at(entries: Iterable[LedgerEntry]) -> datetime | None:
    """When the D+1 refund was made, from the case's ledger entries with their postings loaded: when the
    core system confirmed the last provisional refund credit (None until it has confirmed all)."""
    return postings_confirmed_at(
        entry for entry in entries if entry.kind == LedgerKind.PROVISIONAL_REFUND and entry.amount > 0
    )


def postings_confirmed_at(entries: Iterable[LedgerEntry]) -> datetime | None:
    """When the core system confirmed the last of ``entries``' postings (loaded with them): the moment
    their money moved on the account; None while any is unconfirmed, or for no entries."""
    confirmed = [_confirmed_at(entry) for entry in entries]
    if not confirmed or None in confirmed:
        return None
    return max(at for at in confirmed if at is not None)


def _confirmed_at(entry: LedgerEntry) -> datetime | None:
    posting: Posting | None = getattr(entry, "posting", None)  # no posting yet: the reverse one-to-one raises
    return None if posting is None else posting.confirmed_at


def reply_running(case: LoadedClocks) -> bool:
    """``REPLY_RUNNING`` of one loaded case."""
    return case.state in REPLY_CLOCK_STATES and case.reply_dispatched_at is None


def deadline_passed(due_at: str, *, now: datetime) -> Q:
    """The one definition of a breach (``deadlines.rules.deadline_breached``) as a filter, for the back
    office and the reports alike: the deadline's end (``due_at``, the midnight after its due date) has
    come without the act."""
    return Q(**{f"{due_at}__lte": now})


def clocks_due_by(instant: datetime) -> Q:
    """Cases with a running clock that ends at or before ``instant``."""
    return reduce(
        or_, (running & deadline_passed(due_at, now=instant) for running, due_at, _ in RUNNING_CLOCKS)
    )


def clocks_breached(*, now: datetime) -> Q:
    """Cases with a breached deadline: a running clock whose end has come."""
    return clocks_due_by(now)


def clocks_due_on(day: date) -> Q:
    """Cases with a running clock whose due date is ``day`` (Warsaw)."""
    return reduce(or_, (running & Q(**{due_on: day}) for running, _, due_on in RUNNING_CLOCKS))


def case_get_for_customer(*, customer: Customer, case_id: int) -> Case:
    """The customer's case with this id.

    :raises Case.DoesNotExist: no such case, or it is another customer's.
    """
    return Case.objects.select_related("card", "customer").get(pk=case_id, customer=customer)


def case_list_for_customer(*, customer: Customer) -> QuerySet[Case]:
    """The customer's cases, newest first."""
    return Case.objects.filter(customer=customer).select_related("card").order_by("-created_at", "-id")


def case_get_for_staff(*, user: User, case_id: int) -> Case:
    """A case for staff with ``disputes.view_case``.

    :raises Case.DoesNotExist: no such case, or the user may not view cases.
    """
    if not (user.is_active and user.has_perm(VIEW_CASE)):
        raise Case.DoesNotExist("no permission to view cases")
    return Case.objects.select_related("card", "customer", "assignee").get(pk=case_id)


def case_work_queue(*, user: User) -> QuerySet[Case]:
    """The open cases assigned to ``user``, the nearest reply deadline first."""
    return Case.objects.filter(assignee=user, state__in=OPEN_STATES).order_by("reply_due_at", "id")


def cases_escalated_refunds() -> QuerySet[Case]:
    """The supervisors' queue: escalated D+1 refunds still neither made nor withheld."""
    return Case.objects.filter(
        state__in=REFUND_PENDING_STATES, refund_owed=True, refund_escalated_at__isnull=False
    ).order_by("refund_due_at", "id")


def transaction_open_case(*, transaction_id: int) -> Case | None:
    """The open case holding a transaction, if any."""
    return Case.objects.filter(disputed__transaction_id=transaction_id, disputed__is_open=True).first()


def any_transaction_in_open_case(*, transaction_ids: Iterable[int]) -> bool:
    """Whether an open case holds any of the transactions (one query, however many there are)."""
    return CaseTransaction.objects.filter(transaction_id__in=list(transaction_ids), is_open=True).exists()


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One line of a case's history: a transition or an event, in time order."""

    occurred_at: datetime
    kind: str  # "TRANSITION" or "EVENT"
    name: str
    row: CaseTransition | CaseEvent


def case_history(*, case: Case) -> list[HistoryItem]:
    """Transitions and events of the case (and its chargebacks), oldest first."""
    items = [
        HistoryItem(row.occurred_at, "TRANSITION", row.name, row)
        for row in case.transitions.select_related("actor", "chargeback")
    ]
    items += [
        HistoryItem(row.occurred_at, "EVENT", row.kind, row) for row in case.events.select_related("actor")
    ]
    return sorted(items, key=lambda item: (item.occurred_at, item.kind != "TRANSITION", item.row.pk))


def case_net_refunded(*, case: Case) -> dict[int, Decimal]:
    """What each disputed transaction has returned to the customer so far (refunds minus recoveries)."""
    return net_to_customer(case.ledger_entries.values_list("transaction_id", "kind", "amount"))


# --- What the sweeps look for, in the order they take it: exactly the queries the sweeps run (the
# sweep locks a batch of them, ``locked_batch``), and the benchmark explains. Each matches a partial
# index (see Case.Meta; chargebacks.selectors). ---


# What a flag sweep reads of each case besides its deadline and flag: the number names the case in the
# audit log, the assignee gets the event; without ``state`` django-fsm would load it with a query per case.
_FLAGGED_CASE_FIELDS = ("pk", "number", "state", "assignee_id")


def cases_refund_escalation_due(*, now: datetime, within: timedelta) -> QuerySet[Case]:
    """D+1 refunds not made (not confirmed by the core system) nor withheld, due within ``within``, not
    escalated yet; the earliest due first, with the fields the escalation reads and writes."""
    return (
        Case.objects.filter(REFUND_RUNNING)
        .filter(refund_escalated_at__isnull=True, refund_due_at__lte=now + within)
        .order_by("refund_due_at")
        .only(*_FLAGGED_CASE_FIELDS, "refund_due_at", "refund_due_on", "refund_escalated_at")
    )


def cases_reply_reminder_due(*, now: datetime, days: int) -> QuerySet[Case]:
    """Replies due within ``days`` days, not yet reminded at this threshold or a smaller one; the
    earliest due first, with the fields the reminder reads and writes."""
    return (
        Case.objects.filter(
            state__in=REPLY_CLOCK_STATES,
            reply_dispatched_at__isnull=True,
            reply_due_at__gt=now,
            reply_due_at__lte=now + timedelta(days=days),
        )
        .filter(Q(reply_reminded_days__isnull=True) | Q(reply_reminded_days__gt=days))
        .order_by("reply_due_at")
        .only(*_FLAGGED_CASE_FIELDS, "reply_due_at", "reply_due_on", "reply_reminded_days")
    )


def cases_reply_overdue(*, now: datetime) -> QuerySet[Case]:
    """Reply deadline ended without a decision letter dispatched in time: deemed accepted (REK-8); the
    earliest due first."""
    return Case.objects.filter(
        REPLY_NOT_IN_TIME, state__in=REPLY_CLOCK_STATES, reply_due_at__lte=now
    ).order_by("reply_due_at", "pk")


def _chargeback_alert_values(
    chargebacks: QuerySet[Chargeback], *fields: str
) -> QuerySet[Chargeback, Mapping[str, Any]]:
    """Chargebacks to alert, the earliest window end first, as the values an alert writes: with their
    case's number and assignee (the case itself is not read), and ``fields``."""
    rows: QuerySet[Chargeback, Mapping[str, Any]] = chargebacks.order_by("filing_due_at").values(
        "pk", "case_id", "case__number", "case__assignee_id", "filing_due_at", "filing_rule", *fields
    )
    return rows


def chargebacks_filing_alert_rows(
    *, now: datetime, within: timedelta
) -> QuerySet[Chargeback, Mapping[str, Any]]:
    """The chargebacks to alert (``chargebacks_filing_alert_due``) as the values the alert writes."""
    return _chargeback_alert_values(chargebacks_filing_alert_due(now=now, within=within), "alerted_at")


def chargebacks_filing_missed_rows(*, now: datetime) -> QuerySet[Chargeback, Mapping[str, Any]]:
    """The chargebacks whose missed filing window is not alerted yet (``chargebacks_filing_missed_due``)
    as the values the alert writes."""
    return _chargeback_alert_values(
        chargebacks_filing_missed_due(now=now), "filing_due_on", "missed_alerted_at"
    )


def cases_waiting_for_rate() -> QuerySet[Case]:
    """Cases whose first liability estimate waits for an NBP rate."""
    return Case.objects.filter(estimate_status=EstimateStatus.WAITING_FOR_RATE)


def letter_requests_pending() -> QuerySet[CaseLetterRequest]:
    """Letters the workflow asked for and nobody has sent yet, oldest first (the letters app's queue)."""
    return (
        CaseLetterRequest.objects.filter(fulfilled_at__isnull=True)
        .select_related("case", "case__customer", "transition")
        .order_by("requested_at", "id")
    )
