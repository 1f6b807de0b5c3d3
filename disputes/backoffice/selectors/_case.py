"""Everything the case page shows, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cards.models import DAILY_LIMIT_FIELDS, Card, CardEvent
from cards.rules import settings_at
from customers.models import User
from deadlines.selectors import bank_calendar
from disputes.backoffice.lights import Light
from disputes.backoffice.selectors._chargebacks import ChargebackRow, chargebacks_of_case
from disputes.backoffice.selectors._common import TimelineItem, case_lights, choice_display
from disputes.models import (
    Case,
    CaseLetterRequest,
    CaseTransaction,
    DecisionProposal,
    Evidence,
    EvidenceKind,
    LiabilityAssessment,
    ProposalStatus,
)
from disputes.selectors import (
    case_get_for_staff,
    case_history,
)
from kartosfera import fsm
from kartosfera.authz import VIEW_CASE
from kartosfera.legaltime import warsaw_date
from letters.models import Letter
from letters.selectors import letters_for_case


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
        return choice_display(Card, "status", self.status)


CARD_THEN_FIELDS = tuple(CardThen.__dataclass_fields__)
LIMIT_FIELDS = tuple(DAILY_LIMIT_FIELDS.values())
# The card events whose data records each setting's change as {"from", "to"}.
SETTING_EVENTS = (CardEvent.Kind.CONTROLS_CHANGED, CardEvent.Kind.LIMITS_CHANGED)


def _card_changes(card: Card, events: list[CardEvent]) -> list[tuple[datetime, dict[str, Any]]]:
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
    then: dict[str, Any] = settings_at(  # each setting with its field's type
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
    """A letter the workflow asked for: pending (previewable), issued with every version, or marked
    done outside the letters app (no version stored here)."""

    request: CaseLetterRequest
    versions: list[Letter]

    @property
    def pending(self) -> bool:
        return not self.versions and self.request.fulfilled_at is None

    @property
    def title(self) -> str:
        """The letter by what was issued: a decision the case was deemed to accept (REK-8) is issued
        as the deemed-acceptance notice, never named as a decision someone took."""
        if self.versions:
            return str(self.versions[-1].get_letter_type_display())
        return str(self.request.get_letter_type_display())


@dataclass
class CasePage:
    case: Case
    links: list[CaseTransaction]
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
    def assessment_lines(self) -> list[tuple[object, dict[str, Any]]]:
        """The latest assessment's lines, each with its transaction (merchant and date, not an id)."""
        if self.assessment is None:
            return []
        # The engine keys each line by the transaction's id as text (liability.engine.TransactionFacts.id).
        by_id = {str(link.transaction_id): link.transaction for link in self.links}
        return [
            (
                by_id.get(str(line["transaction_id"])),
                {
                    **line,
                    "customer": Decimal(line["customer"]),
                    "bank": Decimal(line["bank"]),
                    "rate": Decimal(line["rate"]) if line.get("rate") else None,  # shown per language
                },
            )
            for line in self.assessment.result.get("lines", [])
        ]

    @property
    def pending_kinds(self) -> set[str]:
        """The kinds of proposal waiting for approval: a second one of a kind would only be refused."""
        return {row.kind for row in self.proposals if row.status == ProposalStatus.PENDING}

    @property
    def law_enforcement_notices(self) -> list[Evidence]:
        """The written notices to law enforcement on the case (withholding the refund needs one)."""
        return [item for item in self.evidence if item.kind == EvidenceKind.LAW_ENFORCEMENT_NOTICE]


def _allowed_transitions(case: Case, now: datetime) -> list[str]:
    # The guards judge the deadlines at ``now``. A reply's dispatch is recorded by the channel that
    # sent the letter (the print batch marked posted, the e-mail leaving), never typed in on the case.
    return [name for name in fsm.available_transitions(case, now=now) if name not in SYSTEM_ONLY_TRANSITIONS]


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
    timeline += [
        TimelineItem(row.requested_at, "LETTER", row.letter_type, None, row, letters=issued.get(row.pk, []))
        for row in letters
    ]
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
