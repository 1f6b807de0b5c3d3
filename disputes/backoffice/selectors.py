"""Reads of the back office: the queues, their filters, and everything the case page shows.

Each page costs a fixed number of queries whatever the number of rows (tests assert the counts).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case as When_
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, When

from cards.models import Card, CardEvent
from cards.rules import settings_at
from customers.models import User
from deadlines.selectors import bank_calendar
from disputes.backoffice.lights import Light, refund_light, reply_light
from disputes.models import (
    ACTIVE_CHARGEBACK_STATES,
    OPEN_STATES,
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    Case,
    CaseLetterRequest,
    CaseState,
    Chargeback,
    DecisionProposal,
    Evidence,
    EvidenceKind,
    LiabilityAssessment,
    ProposalStatus,
)
from disputes.selectors import case_get_for_staff, case_history
from kartosfera.legaltime import warsaw_date
from letters.models import Letter
from letters.selectors import letters_for_case

PAGE_SIZE = 50

QUEUES = ("mine", "unassigned", "due_today", "breached", "awaiting", "chargebacks", "fraud", "all")

# A D+1 refund still running: owed, neither made nor withheld, the case not past the refund step.
REFUND_RUNNING = Q(
    state__in=REFUND_PENDING_STATES,
    refund_owed=True,
    refunded_at__isnull=True,
    refund_withheld_at__isnull=True,
)
REPLY_RUNNING = Q(state__in=REPLY_CLOCK_STATES, reply_dispatched_at__isnull=True)


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


@dataclass
class QueueRow:
    case: Case
    refund_light: Light
    reply_light: Light


@dataclass
class QueuePage:
    name: str
    rows: list[QueueRow]
    page: int
    has_next: bool
    pending_proposals: int = 0
    extra: dict = field(default_factory=dict)


def _queue_base(name: str, *, user: User, now: datetime) -> QuerySet[Case]:
    today = warsaw_date(now)
    cases = Case.objects.filter(state__in=OPEN_STATES)
    if name == "mine":
        return cases.filter(assignee=user)
    if name == "unassigned":
        return cases.filter(assignee__isnull=True)
    if name == "due_today":
        return cases.filter(
            (REFUND_RUNNING & Q(refund_due_on=today)) | (REPLY_RUNNING & Q(reply_due_on=today))
        )
    if name == "breached":
        return cases.filter(
            (REFUND_RUNNING & Q(refund_due_at__lte=now)) | (REPLY_RUNNING & Q(reply_due_at__lte=now))
        )
    if name == "awaiting":
        return cases.filter(state=CaseState.AWAITING_CUSTOMER)
    if name == "chargebacks":
        return cases.filter(
            Exists(Chargeback.objects.filter(case=OuterRef("pk"), state__in=ACTIVE_CHARGEBACK_STATES))
        )
    if name == "fraud":
        return cases.filter(state=CaseState.REFUND_WITHHELD)
    if name == "all":
        return cases
    raise QueueNotFound(name)


def _next_due() -> When_:
    # The nearest running deadline: the D+1 refund while it runs (it always ends before the reply).
    return When_(
        When(REFUND_RUNNING, then=F("refund_due_at")), default=F("reply_due_at"), output_field=DateTimeField()
    )


def queue_cases(
    *, name: str, user: User, now: datetime, filters: QueueFilters = QueueFilters()
) -> QuerySet[Case]:
    """The cases of queue ``name`` narrowed by ``filters``, the nearest deadline first.

    :raises QueueNotFound:
    """
    cases = _queue_base(name, user=user, now=now)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.due_within_days is not None:
        cases = cases.filter(
            (REFUND_RUNNING & Q(refund_due_at__lte=now + timedelta(days=filters.due_within_days)))
            | Q(reply_due_at__lte=now + timedelta(days=filters.due_within_days))
        )
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
    return cases.annotate(next_due_at=_next_due()).order_by(F("next_due_at").asc(nulls_last=True), "id")


def queue_page(
    *, name: str, user: User, now: datetime, filters: QueueFilters = QueueFilters(), page: int = 1
) -> QueuePage:
    """One page of a queue with its traffic lights: three queries (calendar, rows, pending proposals).

    :raises QueueNotFound:
    """
    page = max(page, 1)
    calendar = bank_calendar()
    start = (page - 1) * PAGE_SIZE
    cases = list(
        queue_cases(name=name, user=user, now=now, filters=filters)
        .select_related("customer", "assignee", "card")
        .only(
            "id",
            "number",
            "state",
            "disputed_amount",
            "channel",
            "cause",
            "refund_owed",
            "refunded_at",
            "refund_withheld_at",
            "refund_due_at",
            "refund_due_on",
            "reply_due_at",
            "reply_due_on",
            "reply_dispatched_at",
            "customer__id",
            "customer__first_name",
            "customer__last_name",
            "assignee__id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "card__id",
            "card__brand",
            "card__last4",
            "card__status",
        )[start : start + PAGE_SIZE + 1]
    )
    today = warsaw_date(now)
    rows = []
    for case in cases[:PAGE_SIZE]:
        refund_running = (
            case.state in REFUND_PENDING_STATES
            and case.refund_owed
            and case.refunded_at is None
            and case.refund_withheld_at is None
        )
        reply_running = case.state in REPLY_CLOCK_STATES and case.reply_dispatched_at is None
        rows.append(
            QueueRow(
                case,
                refund_light(
                    calendar=calendar,
                    now=now,
                    today=today,
                    due_at=case.refund_due_at,
                    due_on=case.refund_due_on,
                )
                if refund_running
                else Light.NONE,
                reply_light(
                    calendar=calendar,
                    now=now,
                    today=today,
                    due_at=case.reply_due_at,
                    due_on=case.reply_due_on,
                )
                if reply_running
                else Light.NONE,
            )
        )
    pending = DecisionProposal.objects.filter(status=ProposalStatus.PENDING).count()
    return QueuePage(name, rows, page, has_next=len(cases) > PAGE_SIZE, pending_proposals=pending)


def next_unassigned_case(*, now: datetime) -> Case | None:
    """The unassigned open case with the nearest deadline (for "take the next case")."""
    return queue_cases(name="unassigned", user=None, now=now).first()  # type: ignore[arg-type]


def pending_proposals() -> QuerySet[DecisionProposal]:
    """Proposals waiting for a second person, oldest first."""
    return (
        DecisionProposal.objects.filter(status=ProposalStatus.PENDING)
        .select_related("case", "proposed_by")
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
    return [t.name for t in case.get_available_state_transitions()]  # type: ignore[attr-defined]


def case_page(*, user: User, case_id: int, now: datetime) -> CasePage:
    """Everything the case page shows, in a fixed number of queries.

    :raises Case.DoesNotExist: no such case, or the user may not view cases.
    """
    case = case_get_for_staff(user=user, case_id=case_id)
    links = list(case.disputed.select_related("transaction").order_by("transaction__executed_at", "pk"))
    history = case_history(case=case)
    letters = list(CaseLetterRequest.objects.filter(case=case).order_by("requested_at", "pk"))
    evidence = list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    proposals = list(case.proposals.select_related("proposed_by", "decided_by").order_by("proposed_at", "pk"))
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
    refund_running = case.refund_owed and case.refunded_at is None and case.refund_withheld_at is None
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
        refund_light=refund_light(
            calendar=calendar, now=now, today=today, due_at=case.refund_due_at, due_on=case.refund_due_on
        )
        if refund_running and case.state in REFUND_PENDING_STATES
        else Light.NONE,
        reply_light=reply_light(
            calendar=calendar, now=now, today=today, due_at=case.reply_due_at, due_on=case.reply_due_on
        )
        if case.state in REPLY_CLOCK_STATES and case.reply_dispatched_at is None
        else Light.NONE,
        today=today,
    )


def evidence_get_for_staff(*, user: User, evidence_id: int) -> Evidence:
    """A piece of evidence for staff with ``view_case``.

    :raises Evidence.DoesNotExist:
    """
    if not (user.is_active and user.has_perm("disputes.view_case")):
        raise Evidence.DoesNotExist("no permission")
    return Evidence.objects.get(pk=evidence_id)


def assignable_staff() -> QuerySet[User]:
    """Active staff who may handle cases (for the assign form)."""
    return (
        User.objects.filter(is_active=True, groups__permissions__codename="handle_case")
        .distinct()
        .order_by("username")
    )
