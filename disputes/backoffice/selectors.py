"""Reads of the back office: the queues, their filters, and everything the case page shows.

Each page costs a fixed number of queries whatever the number of rows (tests assert the counts).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Case as When_
from django.db.models import DateTimeField, F, Q, QuerySet, Value, When

from cards.models import Card, CardEvent
from cards.rules import settings_at
from customers.models import User
from deadlines.calendar import BusinessCalendar
from deadlines.selectors import bank_calendar
from disputes.backoffice.labels import chargeback_step_label
from disputes.backoffice.lights import Light, chargeback_light, refund_light, reply_light
from disputes.models import (
    ACTIVE_CHARGEBACK_STATES,
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseLetterRequest,
    CaseState,
    CaseTransition,
    Chargeback,
    ChargebackDocument,
    ChargebackState,
    DecisionProposal,
    Evidence,
    EvidenceKind,
    LiabilityAssessment,
    ProposalStatus,
)
from disputes.models._chargeback import RunningDeadline
from disputes.selectors import (
    NO_DEADLINE,
    case_get_for_staff,
    case_history,
    clocks_breached,
    clocks_due_by,
    clocks_due_on,
    next_running_due,
    refund_running,
    reply_running,
)
from kartosfera.authz import SUPERVISE_CASE, VIEW_CASE
from kartosfera.legaltime import warsaw_date
from letters.models import Letter
from letters.selectors import letters_for_case

PAGE_SIZE = 50

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


def _choice_display(model: type, field_name: str, value: str) -> str:
    """What ``get_<field>_display()`` of a ``model`` instance shows for ``value``, in the active language."""
    return str(dict(model._meta.get_field(field_name).flatchoices).get(value, value))


@dataclass(frozen=True, slots=True)
class QueuePerson:
    """The customer or the assignee as a queue row names them."""

    id: int
    first_name: str
    last_name: str
    username: str = ""


@dataclass(frozen=True, slots=True)
class QueueCard:
    """The card as a queue row shows it."""

    id: int
    brand: str
    last4: str
    status: str

    def get_brand_display(self) -> str:
        return _choice_display(Card, "brand", self.brand)


@dataclass(frozen=True, slots=True)
class QueueCase:
    """The fields of a case a queue row shows and its lights read: plain values, not a model instance
    (a page of 50 rows instantiated 200 models with django-fsm's state tracking for a table)."""

    id: int
    number: str
    state: str
    disputed_amount: Decimal | None
    channel: str
    cause: str
    refund_owed: bool
    refunded_at: datetime | None
    refund_confirmed_at: datetime | None
    refund_withheld_at: datetime | None
    refund_due_at: datetime | None
    refund_due_on: date | None
    reply_due_at: datetime | None
    reply_due_on: date | None
    reply_dispatched_at: datetime | None
    chargeback_due_at: datetime | None
    chargeback_due_on: date | None
    customer: QueuePerson
    card: QueueCard
    assignee: QueuePerson | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def assignee_id(self) -> int | None:
        return None if self.assignee is None else self.assignee.id

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def get_state_display(self) -> str:
        return _choice_display(Case, "state", self.state)


# The columns of a queue row, in QueueCase's order (the customer, card and assignee in theirs).
_QUEUE_CASE_FIELDS = (
    "id", "number", "state", "disputed_amount", "channel", "cause", "refund_owed", "refunded_at",
    "refund_confirmed_at", "refund_withheld_at", "refund_due_at", "refund_due_on", "reply_due_at",
    "reply_due_on", "reply_dispatched_at", "chargeback_due_at", "chargeback_due_on",
)  # fmt: skip
_QUEUE_CUSTOMER_FIELDS = ("customer__id", "customer__first_name", "customer__last_name")
_QUEUE_CARD_FIELDS = ("card__id", "card__brand", "card__last4", "card__status")
_QUEUE_ASSIGNEE_FIELDS = ("assignee__id", "assignee__first_name", "assignee__last_name", "assignee__username")


def _queue_case(values: tuple) -> QueueCase:
    """A ``QueueCase`` from one row of the queue's ``values_list`` (the columns above, in order)."""
    own = len(_QUEUE_CASE_FIELDS)
    customer_end = own + len(_QUEUE_CUSTOMER_FIELDS)
    card_end = customer_end + len(_QUEUE_CARD_FIELDS)
    assignee = values[card_end:]
    return QueueCase(
        *values[:own],
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


class CaseLights(NamedTuple):
    refund: Light
    reply: Light
    chargeback: Light


def case_lights(
    case: Case | QueueCase, *, calendar: BusinessCalendar, now: datetime, today: date
) -> CaseLights:
    """The traffic light of each of the case's deadlines; NONE for a clock that does not run."""

    def light(rule, running: bool, due_at: datetime | None, due_on: date | None) -> Light:
        return (
            rule(calendar=calendar, now=now, today=today, due_at=due_at, due_on=due_on)
            if running
            else Light.NONE
        )

    return CaseLights(
        light(
            refund_light,
            refund_running(case),
            case.refund_due_at,
            case.refund_due_on,
        ),
        light(reply_light, reply_running(case), case.reply_due_at, case.reply_due_on),
        light(chargeback_light, case.is_open, case.chargeback_due_at, case.chargeback_due_on),
    )


@dataclass
class QueuePage:
    name: str
    rows: list[QueueRow]
    page: int
    has_next: bool
    pending_proposals: int = 0
    extra: dict = field(default_factory=dict)
    alerts: list[Chargeback] = field(default_factory=list)


def _queue_base(name: str, *, user: User, now: datetime) -> QuerySet[Case]:
    today = warsaw_date(now)
    cases = Case.objects.filter(state__in=OPEN_STATES)
    if name == "mine":
        return cases.filter(assignee=user)
    if name == "unassigned":
        return cases.filter(assignee__isnull=True)
    if name == "due_today":
        return cases.filter(clocks_due_on(today))
    if name == "breached":
        return cases.filter(clocks_breached(now=now))
    if name == "awaiting":
        return cases.filter(state=CaseState.AWAITING_CUSTOMER)
    if name == "fraud":
        return cases.filter(state=CaseState.REFUND_WITHHELD)
    if name == "all":
        return cases
    raise QueueNotFound(name)


def queue_cases(
    *, name: str, user: User, now: datetime, filters: QueueFilters = QueueFilters()
) -> QuerySet[Case]:
    """The cases of queue ``name`` narrowed by ``filters``, the nearest running deadline first.

    Only running clocks count (``disputes.selectors.RUNNING_CLOCKS``): a case whose deadlines were
    all met sorts after every case with one still to meet, whatever its old dates.

    :raises QueueNotFound:
    """
    cases = _queue_base(name, user=user, now=now)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.due_within_days is not None:
        cases = cases.filter(clocks_due_by(now + timedelta(days=filters.due_within_days)))
    if filters.amount_min is not None:
        cases = cases.filter(disputed_amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        cases = cases.filter(disputed_amount__lte=filters.amount_max)
    if filters.brand:
        cases = cases.filter(card__brand=filters.brand)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.cause:
        cases = cases.filter(cause=filters.cause)
    if filters.assignee_id is not None:
        cases = cases.filter(assignee_id=filters.assignee_id)
    return cases.annotate(next_due_at=next_running_due()).order_by("next_due_at", "id")


def queue_page(
    *, name: str, user: User, now: datetime, filters: QueueFilters = QueueFilters(), page: int = 1
) -> QueuePage:
    """One page of a queue with its traffic lights: three queries (calendar, rows, pending proposals).

    :raises QueueNotFound:
    """
    page = max(page, 1)
    calendar = bank_calendar()
    start = (page - 1) * PAGE_SIZE
    columns = (*_QUEUE_CASE_FIELDS, *_QUEUE_CUSTOMER_FIELDS, *_QUEUE_CARD_FIELDS, *_QUEUE_ASSIGNEE_FIELDS)
    cases = [
        _queue_case(values)
        for values in queue_cases(name=name, user=user, now=now, filters=filters).values_list(*columns)[
            start : start + PAGE_SIZE + 1
        ]
    ]
    today = warsaw_date(now)
    rows = []
    for case in cases[:PAGE_SIZE]:
        lights = case_lights(case, calendar=calendar, now=now, today=today)
        rows.append(QueueRow(case, *lights))
    pending = DecisionProposal.objects.filter(status=ProposalStatus.PENDING).count()
    return QueuePage(
        name,
        rows,
        page,
        has_next=len(cases) > PAGE_SIZE,
        pending_proposals=pending,
        alerts=chargeback_alerts_for(user=user) if name == "mine" else [],
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


@dataclass
class TimelineItem:
    occurred_at: datetime
    kind: str  # TRANSITION, EVENT, LETTER, EVIDENCE, CARD, PROPOSAL, CIRCUMSTANCES
    title: str
    actor: object
    row: object


@dataclass(frozen=True)
class CardThen:
    """The card's status, controls and daily limits at the time of a transaction."""

    status: str
    three_ds_enabled: bool
    contactless_enabled: bool
    internet_enabled: bool
    foreign_enabled: bool
    atm_enabled: bool
    mobile_payments_enabled: bool
    daily_cash_limit: Decimal
    daily_pos_limit: Decimal
    daily_internet_limit: Decimal

    def get_status_display(self) -> str:
        return str(dict(Card._meta.get_field("status").choices).get(self.status, self.status))


CARD_THEN_FIELDS = tuple(CardThen.__dataclass_fields__)
LIMIT_FIELDS = ("daily_cash_limit", "daily_pos_limit", "daily_internet_limit")
# The card events whose data records each setting's change as {"from", "to"}.
SETTING_EVENTS = (CardEvent.Kind.CONTROLS_CHANGED, CardEvent.Kind.LIMITS_CHANGED)


def _card_changes(card: Card, events: list[CardEvent]) -> list[tuple[datetime, dict]]:
    changes = []
    for event in events:
        change = dict(event.data) if event.kind in SETTING_EVENTS else {}
        if event.from_status and event.to_status and event.from_status != event.to_status:
            change["status"] = {"from": event.from_status, "to": event.to_status}
        when = event.occurred_at
        if event.kind == CardEvent.Kind.CANCELLED and card.cancelled_at is not None:
            when = min(when, card.cancelled_at)  # cancelled as of the report time, to the second
        changes.append((when, change))
    if card.cancelled_at is not None and not any("status" in change for _, change in changes):
        # A card cancelled without its history (loaded from the old system): live until the report.
        changes.append((card.cancelled_at, {"status": {"from": Card.Status.ACTIVE, "to": card.status}}))
    return changes


def card_then(card: Card, events: list[CardEvent], at: datetime) -> CardThen:
    """The card as it was at ``at``: its current settings with every later change in its history undone."""
    then = settings_at(
        current={name: getattr(card, name) for name in CARD_THEN_FIELDS},
        changes=_card_changes(card, events),
        at=at,
    )
    for name in LIMIT_FIELDS:
        then[name] = Decimal(str(then[name]))
    return CardThen(**then)


@dataclass(frozen=True)
class TransactionRow:
    link: object  # CaseTransaction with its transaction
    card: CardThen


@dataclass(frozen=True)
class LetterRow:
    """A letter the workflow asked for: pending (previewable) or issued, with every version."""

    request: CaseLetterRequest
    versions: list[Letter]

    @property
    def pending(self) -> bool:
        return not self.versions


@dataclass
class CasePage:
    case: Case
    links: list
    transactions: list[TransactionRow]
    letters: list[LetterRow]
    timeline: list[TimelineItem]
    assessment: LiabilityAssessment | None
    evidence: list[Evidence]
    proposals: list[DecisionProposal]
    card_events: list[CardEvent]
    allowed: list[str]
    refund_light: Light
    reply_light: Light
    today: date
    chargeback_light: Light = Light.NONE
    chargebacks: list["ChargebackRow"] = field(default_factory=list)
    evidence_choices: list[Evidence] = field(default_factory=list)

    @property
    def assessment_lines(self) -> list[tuple[object, dict]]:
        """The latest assessment's lines, each with its transaction (merchant and date, not an id)."""
        if self.assessment is None:
            return []
        # The engine keys each line by the transaction's id as text (liability.api.TransactionFacts.id).
        by_id = {str(link.transaction_id): link.transaction for link in self.links}
        return [
            (
                by_id.get(str(line["transaction_id"])),
                {**line, "customer": Decimal(line["customer"]), "bank": Decimal(line["bank"])},
            )
            for line in self.assessment.result.get("lines", [])
        ]

    @property
    def law_enforcement_notices(self) -> list[Evidence]:
        """The written notices to law enforcement on the case (withholding the refund needs one)."""
        return [item for item in self.evidence if item.kind == EvidenceKind.LAW_ENFORCEMENT_NOTICE]


def _allowed_transitions(case: Case, now: datetime) -> list[str]:
    case.as_of = now  # the guards judge the deadlines at this instant
    # A reply's dispatch is recorded by the channel that sent the letter (the print batch marked
    # posted, the e-mail leaving), never typed in on the case.
    return [
        t.name
        for t in case.get_available_state_transitions()  # type: ignore[attr-defined]
        if t.name not in SYSTEM_ONLY_TRANSITIONS
    ]


SYSTEM_ONLY_TRANSITIONS = frozenset({"dispatch_reply"})


def case_page(*, user: User, case_id: int, now: datetime) -> CasePage:
    """Everything the case page shows, in a fixed number of queries.

    :raises Case.DoesNotExist: no such case, or the user may not view cases.
    """
    case = case_get_for_staff(user=user, case_id=case_id)
    links = list(case.disputed.select_related("transaction").order_by("transaction__executed_at", "pk"))
    history = case_history(case=case)
    letters = list(CaseLetterRequest.objects.filter(case=case).order_by("requested_at", "pk"))
    evidence = list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    proposals = list(
        case.proposals.select_related(
            "proposed_by", "decided_by", "chargeback", "chargeback__transaction"
        ).order_by("proposed_at", "pk")
    )
    card_events = list(
        CardEvent.objects.filter(card_id=case.card_id).select_related("actor").order_by("occurred_at", "pk")
    )
    issued: dict[int, list[Letter]] = {}
    for letter in letters_for_case(case_id=case.pk):
        issued.setdefault(letter.letter_request_id, []).append(letter)
    assessment = case.assessments.order_by("-created_at", "-pk").first()
    timeline: list[TimelineItem] = []
    if case.loss_noticed_at or case.customer_account:
        timeline.append(
            TimelineItem(case.loss_noticed_at or case.created_at, "CIRCUMSTANCES", "", None, case)
        )
    for item in history:
        timeline.append(TimelineItem(item.occurred_at, item.kind, item.name, item.row.actor, item.row))
    timeline += [TimelineItem(row.requested_at, "LETTER", row.letter_type, None, row) for row in letters]
    timeline += [
        TimelineItem(row.uploaded_at, "EVIDENCE", row.kind, row.uploaded_by, row) for row in evidence
    ]
    timeline += [TimelineItem(row.occurred_at, "CARD", row.kind, row.actor, row) for row in card_events]
    timeline += [
        TimelineItem(row.proposed_at, "PROPOSAL", row.kind, row.proposed_by, row) for row in proposals
    ]
    timeline.sort(key=lambda item: item.occurred_at)
    calendar = bank_calendar()
    today = warsaw_date(now)
    lights = case_lights(case, calendar=calendar, now=now, today=today)
    return CasePage(
        case=case,
        links=links,
        transactions=[
            TransactionRow(link, card_then(case.card, card_events, link.transaction.executed_at))
            for link in links
        ],
        letters=[LetterRow(row, issued.get(row.pk, [])) for row in letters],
        timeline=timeline,
        assessment=assessment,
        evidence=evidence,
        proposals=proposals,
        card_events=card_events,
        allowed=_allowed_transitions(case, now),
        refund_light=lights.refund,
        reply_light=lights.reply,
        chargeback_light=lights.chargeback,
        chargebacks=chargebacks_of_case(case=case, calendar=calendar, now=now, today=today),
        evidence_choices=evidence,
        today=today,
    )


def evidence_get_for_staff(*, user: User, evidence_id: int) -> Evidence:
    """A piece of evidence for staff with ``view_case``.

    :raises Evidence.DoesNotExist:
    """
    if not (user.is_active and user.has_perm(VIEW_CASE)):
        raise Evidence.DoesNotExist("no permission")
    return Evidence.objects.get(pk=evidence_id)


def assignable_staff() -> QuerySet[User]:
    """Active staff who may handle cases (for the assign form)."""
    return (
        User.objects.filter(is_active=True, groups__permissions__codename="handle_case")
        .distinct()
        .order_by("username")
    )


# --- Chargebacks: the case page's section and the queue of chargebacks, by their deadlines. ---

CHARGEBACK_STEPS = (
    "file",
    "abandon",
    "record_representment",
    "escalate_to_pre_arbitration",
    "escalate_to_arbitration",
    "win",
    "lose",
)


@dataclass
class ChargebackRow:
    """One chargeback as staff see it: amounts, its running deadline with its light, history, documents."""

    chargeback: Chargeback
    disputed_amount: Decimal | None
    deadline: RunningDeadline | None
    light: Light
    explanation: dict
    history: list = field(default_factory=list)
    documents: list[ChargebackDocument] = field(default_factory=list)
    pending_proposal: DecisionProposal | None = None
    allowed: list[str] = field(default_factory=list)

    @property
    def alert(self) -> bool:
        """The sweep's filing-window alert was raised and the chargeback is still not filed."""
        return self.chargeback.alerted_at is not None and self.chargeback.state == ChargebackState.DRAFT

    @property
    def bank_loss(self) -> Decimal | None:
        """What the bank keeps as its loss once the chargeback is lost."""
        return self.chargeback.amount if self.chargeback.state == ChargebackState.LOST else None


def _chargeback_row(
    chargeback: Chargeback, *, calendar: BusinessCalendar, now: datetime, today: date, **extra
) -> ChargebackRow:
    deadline = chargeback.running_deadline()
    light = (
        chargeback_light(
            calendar=calendar, now=now, today=today, due_at=deadline.due_at, due_on=deadline.due_on
        )
        if deadline is not None
        else Light.NONE
    )
    explanation = chargeback.deadline_explanations.get(deadline.window, {}) if deadline is not None else {}
    return ChargebackRow(chargeback, None, deadline, light, explanation, **extra)


def chargebacks_of_case(
    *, case: Case, calendar: BusinessCalendar, now: datetime, today: date
) -> list[ChargebackRow]:
    """The case's chargebacks with their deadlines, history, documents and possible steps (five queries)."""
    chargebacks = list(case.chargebacks.select_related("transaction").order_by("created_at", "pk"))
    if not chargebacks:
        return []
    amounts = dict(case.disputed.values_list("transaction_id", "amount"))
    history: dict[int, list] = {}
    for row in CaseTransition.objects.filter(case=case, chargeback__isnull=False).select_related(
        "actor", "chargeback"
    ):
        title = chargeback_step_label(row.name)
        history.setdefault(row.chargeback_id, []).append(
            TimelineItem(row.occurred_at, "TRANSITION", title, row.actor, row)
        )
    for row in CaseEvent.objects.filter(case=case, chargeback__isnull=False).select_related("actor"):
        history.setdefault(row.chargeback_id, []).append(
            TimelineItem(row.occurred_at, "EVENT", row.kind, row.actor, row)
        )
    documents: dict[int, list[ChargebackDocument]] = {}
    for document in ChargebackDocument.objects.filter(chargeback__case=case).select_related("evidence"):
        documents.setdefault(document.chargeback_id, []).append(document)
    pending = {
        proposal.chargeback_id: proposal
        for proposal in DecisionProposal.objects.filter(
            chargeback__case=case, status=ProposalStatus.PENDING
        ).select_related("proposed_by")
    }
    rows = []
    for chargeback in chargebacks:
        chargeback.as_of = now  # the guards judge the windows at this instant
        allowed = [t.name for t in chargeback.get_available_state_transitions()]  # type: ignore[attr-defined]
        if chargeback.pk in pending:
            allowed = [name for name in allowed if name not in ("win", "lose")]
        row = _chargeback_row(
            chargeback,
            calendar=calendar,
            now=now,
            today=today,
            history=sorted(history.get(chargeback.pk, []), key=lambda item: (item.occurred_at, item.row.pk)),
            documents=documents.get(chargeback.pk, []),
            pending_proposal=pending.get(chargeback.pk),
            allowed=[name for name in CHARGEBACK_STEPS if name in allowed],
        )
        row.disputed_amount = amounts.get(chargeback.transaction_id)
        rows.append(row)
    return rows


@dataclass
class ChargebackQueuePage:
    rows: list[ChargebackRow]
    page: int
    has_next: bool
    alerts: int
    pending_proposals: int


def _chargeback_due() -> When_:
    return When_(
        When(state=ChargebackState.DRAFT, then=F("filing_due_at")),
        When(state=ChargebackState.REPRESENTED, response_due_at__isnull=False, then=F("response_due_at")),
        default=Value(NO_DEADLINE),
        output_field=DateTimeField(),
    )


def chargeback_queue(*, now: datetime, mine: User | None = None) -> QuerySet[Chargeback]:
    """Chargebacks still with the bank or the acquirer, the nearest running deadline first; those
    waiting for the acquirer or the scheme (no deadline of the bank's) last, oldest first."""
    chargebacks = Chargeback.objects.filter(state__in=ACTIVE_CHARGEBACK_STATES)
    if mine is not None:
        chargebacks = chargebacks.filter(case__assignee=mine)
    return chargebacks.annotate(due_at=_chargeback_due()).order_by("due_at", "created_at", "id")


def chargeback_queue_page(*, now: datetime, page: int = 1, mine: User | None = None) -> ChargebackQueuePage:
    """One page of the chargeback queue with lights and alert flags (four queries)."""
    page = max(page, 1)
    calendar = bank_calendar()
    today = warsaw_date(now)
    start = (page - 1) * PAGE_SIZE
    chargebacks = list(
        chargeback_queue(now=now, mine=mine).select_related(
            "case", "case__customer", "case__assignee", "transaction"
        )[start : start + PAGE_SIZE + 1]
    )
    rows = [_chargeback_row(cb, calendar=calendar, now=now, today=today) for cb in chargebacks[:PAGE_SIZE]]
    alerts = Chargeback.objects.filter(state=ChargebackState.DRAFT, alerted_at__isnull=False).count()
    pending = DecisionProposal.objects.filter(status=ProposalStatus.PENDING).count()
    return ChargebackQueuePage(
        rows, page, has_next=len(chargebacks) > PAGE_SIZE, alerts=alerts, pending_proposals=pending
    )


def chargeback_alerts_for(*, user: User) -> list[Chargeback]:
    """The filing-window alerts addressed to ``user``: their cases' drafted chargebacks the sweep alerted
    on, and for supervisors also those of unassigned cases; the nearest window first."""
    recipients = Q(case__assignee=user)
    if user.has_perm(SUPERVISE_CASE):
        recipients |= Q(case__assignee__isnull=True)
    return list(
        Chargeback.objects.filter(recipients, state=ChargebackState.DRAFT, alerted_at__isnull=False)
        .select_related("case", "transaction")
        .order_by("filing_due_at", "pk")[:PAGE_SIZE]
    )
