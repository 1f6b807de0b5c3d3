"""The queues of cases: their filters, one page of rows with their lights, the next case to take,
the proposals waiting for approval and the staff a case can be assigned to.

Each page costs a fixed number of queries whatever the number of rows (tests assert the counts); the
rows' query is built once per queue and set of filters (``kartosfera.compiled_sql``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django_stubs_ext import WithAnnotations

from cards.models import Card
from customers.models import User
from deadlines.selectors import bank_calendar
from disputes.backoffice.lights import Light
from disputes.backoffice.selectors._chargebacks import FilingAlerts, chargeback_alerts_for
from disputes.backoffice.selectors._common import (
    PAGE_SIZE,
    QueueCard,
    QueueCase,
    QueuePerson,
    case_lights,
    model_field,
)
from disputes.models import (
    OPEN_STATES,
    Case,
    CaseState,
    DecisionProposal,
    ProposalStatus,
)
from disputes.selectors import (
    clocks_breached,
    clocks_due_by,
    clocks_due_on,
    next_running_due,
)
from kartosfera import compiled_sql
from kartosfera.legaltime import warsaw_date

QUEUES = ("mine", "unassigned", "due_today", "breached", "awaiting", "chargebacks", "fraud", "all")


class QueueNotFound(LookupError):
    """No queue of that name."""


@dataclass(frozen=True)
class QueueFilters:
    """What the analyst narrowed the queue to (each empty means no restriction)."""

    state: str = ""
    due_within_days: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    brand: str = ""
    channel: str = ""
    cause: str = ""
    assignee_id: int | None = None


_QUEUE_CASE_FIELDS = (
    "id", "number", "state", "disputed_amount", "channel", "cause", "refund_owed", "refunded_at",
    "refund_confirmed_at", "refund_withheld_at", "refund_due_at", "refund_due_on", "reply_due_at",
    "reply_due_on", "reply_dispatched_at", "chargeback_due_at", "chargeback_due_on",
)  # fmt: skip
_QUEUE_CUSTOMER_FIELDS = ("customer__id", "customer__first_name", "customer__last_name")
_QUEUE_CARD_FIELDS = ("card__id", "card__brand", "card__last4", "card__status")
_QUEUE_ASSIGNEE_FIELDS = ("assignee__id", "assignee__first_name", "assignee__last_name", "assignee__username")


def _queue_case(values: tuple[Any, ...]) -> QueueCase:
    """A ``QueueCase`` from one row of the queue's ``values_list`` (the columns above, in order)."""
    own = len(_QUEUE_CASE_FIELDS)
    customer_end = own + len(_QUEUE_CUSTOMER_FIELDS)
    card_end = customer_end + len(_QUEUE_CARD_FIELDS)
    assignee = values[card_end:]
    return QueueCase(
        **dict(zip(_QUEUE_CASE_FIELDS, values[:own], strict=True)),
        customer=QueuePerson(*values[own:customer_end]),
        card=QueueCard(*values[customer_end:card_end]),
        assignee=None if assignee[0] is None else QueuePerson(*assignee),
    )


@dataclass
class QueueRow:
    case: QueueCase
    refund_light: Light
    reply_light: Light
    chargeback_light: Light = Light.NONE


@dataclass
class QueuePage:
    name: str
    rows: list[QueueRow]
    page: int
    has_next: bool
    pending_proposals: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    alerts: FilingAlerts = field(default_factory=FilingAlerts)


# What a queue's query compares with each value it takes (``kartosfera.compiled_sql`` prepares a
# request's values for the database by these fields, as the ORM does for its lookups).
_QUEUE_VALUE_FIELDS = {
    "now": model_field(Case, "refund_due_at"),
    "today": model_field(Case, "refund_due_on"),
    "due_by": model_field(Case, "refund_due_at"),
    "user": model_field(Case, "assignee"),
    "state": model_field(Case, "state"),
    "amount_min": model_field(Case, "disputed_amount"),
    "amount_max": model_field(Case, "disputed_amount"),
    "brand": model_field(Card, "brand"),
    "channel": model_field(Case, "channel"),
    "cause": model_field(Case, "cause"),
    "assignee": model_field(Case, "assignee"),
}
# The filters in the order they narrow the queue: (value, lookup); ``due_by`` is its own clause.
_QUEUE_FILTER_LOOKUPS = (
    ("state", "state"),
    ("due_by", None),
    ("amount_min", "disputed_amount__gte"),
    ("amount_max", "disputed_amount__lte"),
    ("brand", "card__brand"),
    ("channel", "channel"),
    ("cause", "cause"),
    ("assignee", "assignee_id"),
)


def _queue_values(*, user: User | None, now: datetime, filters: QueueFilters) -> dict[str, Any]:
    """The values a queue's query takes, by the names of ``_QUEUE_VALUE_FIELDS`` (None: not filtered)."""
    due_by = None if filters.due_within_days is None else now + timedelta(days=filters.due_within_days)
    return {
        "now": now,
        "today": warsaw_date(now),
        "due_by": due_by,
        "user": None if user is None else user.pk,
        "state": filters.state or None,
        "amount_min": filters.amount_min,
        "amount_max": filters.amount_max,
        "brand": filters.brand or None,
        "channel": filters.channel or None,
        "cause": filters.cause or None,
        "assignee": filters.assignee_id,
    }


def _queue_filtered(name: str, narrowed: tuple[str, ...], values: Mapping[str, Any]) -> QuerySet[Case]:
    """Queue ``name`` narrowed by the filters named in ``narrowed``, with ``values``, ordered.

    Which filters apply comes from ``narrowed`` alone, never from the values, so that one shape
    always builds the same SQL (``kartosfera.compiled_sql``).

    :raises QueueNotFound:
    """
    cases = Case.objects.filter(state__in=OPEN_STATES)
    if name == "mine":
        cases = cases.filter(assignee_id=values["user"])
    elif name == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    elif name == "due_today":
        cases = cases.filter(clocks_due_on(values["today"]))
    elif name == "breached":
        cases = cases.filter(clocks_breached(now=values["now"]))
    elif name == "awaiting":
        cases = cases.filter(state=CaseState.AWAITING_CUSTOMER)
    elif name == "fraud":
        cases = cases.filter(state=CaseState.REFUND_WITHHELD)
    elif name != "all":
        raise QueueNotFound(name)
    for value, lookup in _QUEUE_FILTER_LOOKUPS:
        if value in narrowed:
            cases = cases.filter(
                clocks_due_by(values[value]) if lookup is None else Q(**{lookup: values[value]})
            )
    return cases.annotate(next_due_at=next_running_due()).order_by("next_due_at", "id")


def _narrowed(values: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(value for value, _ in _QUEUE_FILTER_LOOKUPS if values[value] is not None)


def queue_cases(
    *, name: str, user: User, now: datetime, filters: QueueFilters = QueueFilters()
) -> QuerySet[Case]:
    """The cases of queue ``name`` narrowed by ``filters``, the nearest running deadline first.

    Only running clocks count (``disputes.selectors.RUNNING_CLOCKS``): a case whose deadlines were
    all met sorts after every case with one still to meet, whatever its old dates.

    :raises QueueNotFound:
    """
    values = _queue_values(user=user, now=now, filters=filters)
    return _queue_filtered(name, _narrowed(values), values)


_QUEUE_COLUMNS = (*_QUEUE_CASE_FIELDS, *_QUEUE_CUSTOMER_FIELDS, *_QUEUE_CARD_FIELDS, *_QUEUE_ASSIGNEE_FIELDS)


def _pending_by_status(
    values: Mapping[str, Any],
) -> QuerySet[WithAnnotations[DecisionProposal], tuple[int]]:
    return (
        DecisionProposal.objects.filter(status=ProposalStatus.PENDING)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("count")
    )


def pending_proposals_count() -> int:
    """How many proposals wait for a second person (its SQL is built once: one group, or no row)."""
    rows = compiled_sql.run("pending proposals", _pending_by_status, {}, {})
    return rows[0][0] if rows else 0


def queue_page(
    *, name: str, user: User, now: datetime, filters: QueueFilters = QueueFilters(), page: int = 1
) -> QueuePage:
    """One page of a queue with its traffic lights: three queries (calendar, rows, pending proposals).

    The rows' query is built once per queue and set of filters and kept (``kartosfera.compiled_sql``).

    :raises QueueNotFound:
    """
    if name not in QUEUES or name == "chargebacks":
        raise QueueNotFound(name)
    page = max(page, 1)
    calendar = bank_calendar()
    start = (page - 1) * PAGE_SIZE
    values = _queue_values(user=user, now=now, filters=filters)
    narrowed = _narrowed(values)
    rows = compiled_sql.run(
        ("backoffice queue", name, narrowed),
        lambda values: _queue_filtered(name, narrowed, values).values_list(*_QUEUE_COLUMNS),
        _QUEUE_VALUE_FIELDS,
        values,
        low=start,
        high=start + PAGE_SIZE + 1,
    )
    cases = [_queue_case(row) for row in rows]
    today = values["today"]
    page_rows = [
        QueueRow(case, *case_lights(case, calendar=calendar, now=now, today=today))
        for case in cases[:PAGE_SIZE]
    ]
    return QueuePage(
        name,
        page_rows,
        page,
        has_next=len(cases) > PAGE_SIZE,
        pending_proposals=pending_proposals_count(),
        alerts=chargeback_alerts_for(user=user, now=now) if name == "mine" else FilingAlerts(),
    )


def next_unassigned_case(*, now: datetime) -> Case | None:
    """The unassigned open case with the nearest deadline (for "take the next case")."""
    return queue_cases(name="unassigned", user=None, now=now).first()  # type: ignore[arg-type]


def pending_proposals() -> QuerySet[DecisionProposal]:
    """Proposals waiting for a second person, oldest first."""
    return (
        DecisionProposal.objects.filter(status=ProposalStatus.PENDING)
        .select_related("case", "proposed_by", "chargeback", "chargeback__transaction")
        .order_by("proposed_at", "id")
    )


def _assignable_staff(values: Mapping[str, Any]) -> QuerySet[User, tuple[int, str, str, str]]:
    return (
        User.objects.filter(is_active=True, groups__permissions__codename="handle_case")
        .distinct()
        .order_by("username")
        .values_list("id", "first_name", "last_name", "username")
    )


def assignable_staff() -> list[QueuePerson]:
    """Active staff who may handle cases, by user name (for the assign forms; its SQL is built once)."""
    return [QueuePerson(*row) for row in compiled_sql.run("assignable staff", _assignable_staff, {}, {})]
