"""Chargebacks: the case page's section and the queue of chargebacks, by their deadlines."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as When_

from chargebacks.models import (
    ACTIVE_CHARGEBACK_STATES,
    Chargeback,
    ChargebackDocument,
    ChargebackState,
    RunningDeadline,
)
from chargebacks.rules import REASON_CODE_TITLES, FraudRight, fraud_right
from chargebacks.selectors import filing_window_closing, filing_window_missed
from customers.models import User
from deadlines.calendar import BusinessCalendar
from deadlines.rules import deadline_breached
from deadlines.selectors import bank_calendar
from disputes.backoffice.labels import chargeback_step_label
from disputes.backoffice.lights import Light, chargeback_light
from disputes.backoffice.selectors._common import PAGE_SIZE, TimelineItem
from disputes.models import (
    Case,
    CaseEvent,
    CaseTransition,
    DecisionProposal,
    ProposalStatus,
)
from disputes.models._clocks import NO_DEADLINE
from kartosfera import fsm
from kartosfera.authz import SUPERVISE_CASE
from kartosfera.legaltime import warsaw_date

CHARGEBACK_STEPS = (
    "file",
    "abandon",
    "record_representment",
    "escalate_to_pre_arbitration",
    "escalate_to_arbitration",
    "win",
    "lose",
)


def filing_missed_days(chargeback: Chargeback, *, now: datetime, today: date) -> int | None:
    """How many days ago a drafted chargeback's filing window ended, once its end has come without the
    filing (``deadline_breached``); None while the window is open or once the chargeback left DRAFT.

    Calendar days, as the scheme windows count them (CB-VISA-10.4, CB-MC-4837: 120 calendar days, no
    roll): due on 5 December, on 7 December (Warsaw) it was missed 2 days ago."""
    if chargeback.state != ChargebackState.DRAFT or not deadline_breached(
        due_at=chargeback.filing_due_at, at=now
    ):
        return None
    return (today - chargeback.filing_due_on).days


@dataclass
class ChargebackRow:
    """One chargeback as staff see it: amounts, its running deadline with its light, history, documents."""

    chargeback: Chargeback
    disputed_amount: Decimal | None
    deadline: RunningDeadline | None
    light: Light
    explanation: dict[str, str]
    history: list[TimelineItem] = field(default_factory=list)
    documents: list[ChargebackDocument] = field(default_factory=list)
    pending_proposal: DecisionProposal | None = None
    allowed: list[str] = field(default_factory=list)
    # Days since the filing window ended unfiled (``filing_missed_days``); None while it is open.
    filing_missed_days: int | None = None
    # The filing window is closing (``chargebacks.selectors.filing_window_closing``), whether or not the
    # sweep has alerted on it yet: two windows due the same day are flagged alike.
    filing_closing: bool = False
    # The fraud reason codes the transaction's environment allows (``chargebacks.rules.fraud_right``).
    right: FraudRight | None = None

    @property
    def reason_codes(self) -> list[tuple[str, str]]:
        """The codes the filing form offers, with what each means, the default first."""
        return [(code, REASON_CODE_TITLES[code]) for code in (self.right.codes if self.right else ())]

    @property
    def alert(self) -> bool:
        """The drafted chargeback's filing window is closing, and it is still not filed."""
        return self.filing_closing

    @property
    def filing_missed(self) -> bool:
        """The filing window ended without the chargeback filed: no longer closing, missed."""
        return self.filing_missed_days is not None

    @property
    def bank_loss(self) -> Decimal | None:
        """What the bank keeps as its loss once the chargeback is lost."""
        return self.chargeback.amount if self.chargeback.state == ChargebackState.LOST else None


def with_filing_closing(chargebacks: QuerySet[Chargeback], *, now: datetime) -> QuerySet[Chargeback]:
    """The chargebacks, each with ``filing_closing``: its filing window is closing at ``now``."""
    return chargebacks.annotate(
        filing_closing=ExpressionWrapper(filing_window_closing(now=now), output_field=BooleanField())
    )


def _chargeback_row(
    chargeback: Chargeback,
    *,
    calendar: BusinessCalendar,
    now: datetime,
    today: date,
    history: Sequence[TimelineItem] = (),
    documents: Sequence[ChargebackDocument] = (),
    pending_proposal: DecisionProposal | None = None,
    allowed: Sequence[str] = (),
) -> ChargebackRow:
    """One chargeback's row: its running deadline's light and explanation; on the case page, also its
    history, documents, pending proposal and possible steps (the queue shows none of them)."""
    deadline = chargeback.running_deadline()
    light = (
        chargeback_light(
            calendar=calendar, now=now, today=today, due_at=deadline.due_at, due_on=deadline.due_on
        )
        if deadline is not None
        else Light.NONE
    )
    explanation = chargeback.deadline_explanations.get(deadline.window, {}) if deadline is not None else {}
    return ChargebackRow(
        chargeback=chargeback,
        disputed_amount=None,
        deadline=deadline,
        light=light,
        explanation=explanation,
        history=list(history),
        documents=list(documents),
        pending_proposal=pending_proposal,
        allowed=list(allowed),
        filing_missed_days=filing_missed_days(chargeback, now=now, today=today),
        filing_closing=bool(getattr(chargeback, "filing_closing", False)),
        right=fraud_right(scheme=chargeback.scheme, channel=chargeback.transaction.channel),
    )


def chargebacks_of_case(
    *, case: Case, calendar: BusinessCalendar, now: datetime, today: date
) -> list[ChargebackRow]:
    """The case's chargebacks with their deadlines, history, documents and possible steps (five queries)."""
    chargebacks = list(
        with_filing_closing(case.chargebacks.all(), now=now)
        .select_related("transaction")
        .order_by("created_at", "pk")
    )
    if not chargebacks:
        return []
    amounts = dict(case.disputed.values_list("transaction_id", "amount"))
    history: dict[int | None, list[TimelineItem]] = {}  # filtered to rows of a chargeback: no None key
    for transition in CaseTransition.objects.filter(case=case, chargeback__isnull=False).select_related(
        "actor", "chargeback"
    ):
        title = chargeback_step_label(transition.name)
        history.setdefault(transition.chargeback_id, []).append(
            TimelineItem(transition.occurred_at, "TRANSITION", title, transition.actor, transition)
        )
    for event in CaseEvent.objects.filter(case=case, chargeback__isnull=False).select_related("actor"):
        history.setdefault(event.chargeback_id, []).append(
            TimelineItem(event.occurred_at, "EVENT", event.kind, event.actor, event)
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
        allowed = fsm.available_transitions(chargeback, now=now)  # the windows judged at ``now``
        if chargeback.pk in pending:
            allowed = [name for name in allowed if name not in ("win", "lose")]
        chargeback_row = _chargeback_row(
            chargeback,
            calendar=calendar,
            now=now,
            today=today,
            history=sorted(
                history.get(chargeback.pk, []),
                key=lambda item: (item.occurred_at, item.row.pk),
            ),
            documents=documents.get(chargeback.pk, []),
            pending_proposal=pending.get(chargeback.pk),
            allowed=[name for name in CHARGEBACK_STEPS if name in allowed],
        )
        chargeback_row.disputed_amount = amounts.get(chargeback.transaction_id)
        rows.append(chargeback_row)
    return rows


@dataclass
class ChargebackQueuePage:
    rows: list[ChargebackRow]
    page: int
    has_next: bool
    alerts: int  # drafts alerted whose filing window is still open (closing)
    pending_proposals: int
    missed: int = 0  # drafts whose filing window has ended unfiled


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


def _filing_windows(now: datetime) -> tuple[Q, Q]:
    """Of drafted chargebacks: those whose window is closing at ``now`` (``filing_window_closing``, the
    sweep's own definition, whether or not it has run yet) and those whose window has ended unfiled at
    ``now`` (``filing_window_missed``, the missed-window sweep's own definition): the queue and the
    sweeps never disagree on a window."""
    missed = filing_window_missed(now=now)
    return filing_window_closing(now=now) & ~missed, missed


def chargeback_queue_page(*, now: datetime, page: int = 1, mine: User | None = None) -> ChargebackQueuePage:
    """One page of the chargeback queue with lights, alert flags and the windows missed (four queries)."""
    page = max(page, 1)
    calendar = bank_calendar()
    today = warsaw_date(now)
    start = (page - 1) * PAGE_SIZE
    chargebacks = list(
        with_filing_closing(chargeback_queue(now=now, mine=mine), now=now).select_related(
            "case", "case__customer", "case__assignee", "transaction"
        )[start : start + PAGE_SIZE + 1]
    )
    rows = [_chargeback_row(cb, calendar=calendar, now=now, today=today) for cb in chargebacks[:PAGE_SIZE]]
    closing, missed = _filing_windows(now)
    counts = Chargeback.objects.filter(state=ChargebackState.DRAFT).aggregate(
        closing=Count("pk", filter=closing), missed=Count("pk", filter=missed)
    )
    pending = DecisionProposal.objects.filter(status=ProposalStatus.PENDING).count()
    return ChargebackQueuePage(
        rows,
        page,
        has_next=len(chargebacks) > PAGE_SIZE,
        alerts=counts["closing"],
        pending_proposals=pending,
        missed=counts["missed"],
    )


@dataclass(frozen=True)
class MissedFiling:
    """A drafted chargeback whose filing window ended unfiled, and how many days ago."""

    chargeback: Chargeback
    days_ago: int


@dataclass(frozen=True)
class FilingAlerts:
    """The filing windows a person must act on: those closing (still open) and those already missed,
    each list cut at ``PAGE_SIZE``, with how many there are in all."""

    closing: list[Chargeback] = field(default_factory=list)
    missed: list[MissedFiling] = field(default_factory=list)
    closing_total: int = 0
    missed_total: int = 0

    @property
    def closing_more(self) -> int:
        """How many closing windows the cut list leaves out."""
        return self.closing_total - len(self.closing)

    @property
    def missed_more(self) -> int:
        """How many missed windows the cut list leaves out."""
        return self.missed_total - len(self.missed)

    def __bool__(self) -> bool:
        return bool(self.closing_total or self.missed_total)


def chargeback_alerts_for(*, user: User, now: datetime) -> FilingAlerts:
    """The filing-window alerts addressed to ``user``: their cases' drafted chargebacks the sweep alerted
    on or whose window has ended, and for supervisors also those of unassigned cases (three queries).

    Those still closing (the nearest window first) and those missed at ``now`` (the longest missed
    first) are listed apart, each up to ``PAGE_SIZE``, so missed windows, which stay drafted until filed
    or abandoned, never push out the windows that can still be met."""
    recipients = Q(case__assignee=user)
    if user.has_perm(SUPERVISE_CASE):
        recipients |= Q(case__assignee__isnull=True)
    drafts = Chargeback.objects.filter(recipients, state=ChargebackState.DRAFT)
    closing_filter, missed_filter = _filing_windows(now)
    counts = drafts.aggregate(
        closing=Count("pk", filter=closing_filter), missed=Count("pk", filter=missed_filter)
    )
    listed = drafts.select_related("case", "transaction").order_by("filing_due_at", "pk")
    closing = list(listed.filter(closing_filter)[:PAGE_SIZE]) if counts["closing"] else []
    today = warsaw_date(now)
    missed = [
        MissedFiling(chargeback, days_ago)
        for chargeback in (listed.filter(missed_filter)[:PAGE_SIZE] if counts["missed"] else [])
        if (days_ago := filing_missed_days(chargeback, now=now, today=today)) is not None
    ]
    return FilingAlerts(closing, missed, closing_total=counts["closing"], missed_total=counts["missed"])
