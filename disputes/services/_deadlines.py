"""The deadlines of a case from the deadline engine, and their recomputation when the calendar changes."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from audit.services import audit_diff
from deadlines import engine as deadlines
from deadlines.calendar import BusinessCalendar
from deadlines.selectors import bank_calendar
from disputes.models import (
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    Case,
    CaseEvent,
    Regime,
    present,
)
from disputes.services._audit import CaseAudit, case_atomic, case_snapshot
from disputes.services._history import add_events
from kartosfera.legaltime import day_start

logger = logging.getLogger(__name__)


def deadline_json(deadline: deadlines.Deadline) -> dict[str, Any]:
    """A deadline as stored with the case: rule, dates, legal basis and the explanation in both languages."""
    return {
        "rule": deadline.rule,
        "start_date": deadline.start_date.isoformat(),
        "due_date": deadline.due_date.isoformat(),
        "due_at": deadline.due_at.isoformat(),
        "basis_pl": deadline.basis_pl,
        "basis_en": deadline.basis_en,
        "explanation_pl": deadline.explanation_pl,
        "explanation_en": deadline.explanation_en,
        "steps": [
            {"code": step.code, "day": step.day.isoformat(), "en": step.text.en, "pl": step.text.pl}
            for step in deadline.steps
        ],
        "policies": {name: value for name, value in deadline.policies},
    }


def deadline_computation(name: str, deadline: deadlines.Deadline, **inputs: Any) -> dict[str, Any]:
    """A deadline as a computation for the audit log: its rule, the inputs it was computed from, and the
    whole result (dates, steps with the days skipped and why, policies, both explanations)."""
    return {
        "engine": "deadlines",
        "name": name,
        "rule_ids": [deadline.rule],
        "inputs": inputs,
        "result": deadline,
    }


@dataclass(frozen=True, slots=True)
class CaseDeadlines:
    """The D+1 refund and the reply deadline of a case."""

    refund: deadlines.Deadline
    reply: deadlines.Deadline


def case_deadlines(
    *,
    received_at: datetime,
    found_at: datetime | None,
    regime: str,
    extended: bool,
    calendar: BusinessCalendar | None = None,
) -> CaseDeadlines:
    """The refund (`UUP-46-1`, from receipt or the bank's own finding) and reply deadlines of a case."""
    calendar = calendar or bank_calendar()
    return CaseDeadlines(
        refund=deadlines.refund_due(reported_at=received_at, found_at=found_at, calendar=calendar),
        reply=deadlines.reply_due(
            received_at=received_at, regime=regime, extended=extended, calendar=calendar
        ),
    )


def apply_refund_deadline(case: Case, deadline: deadlines.Deadline, *, audit: CaseAudit) -> None:
    """Store the refund deadline on the case (not saved); audited with the computation."""
    audit.note_computation(
        case,
        deadline_computation("refund", deadline, received_at=case.received_at, found_at=case.found_at),
    )
    case.refund_due_at, case.refund_due_on, case.refund_rule = (
        deadline.due_at,
        deadline.due_date,
        deadline.rule,
    )
    case.deadline_explanations = {**case.deadline_explanations, "refund": deadline_json(deadline)}


def apply_reply_deadline(case: Case, deadline: deadlines.Deadline, *, audit: CaseAudit) -> None:
    """Store the reply deadline on the case (not saved); audited with the computation."""
    audit.note_computation(
        case,
        deadline_computation(
            "reply",
            deadline,
            received_at=present(case.received_at, "received_at"),
            regime=case.reply_regime,
            extended=case.reply_extended,
        ),
    )
    case.reply_due_at, case.reply_due_on, case.reply_rule = deadline.due_at, deadline.due_date, deadline.rule
    case.deadline_explanations = {**case.deadline_explanations, "reply": deadline_json(deadline)}


_RECOMPUTED_FIELDS = [
    "refund_due_at",
    "refund_due_on",
    "refund_rule",
    "reply_due_at",
    "reply_due_on",
    "reply_rule",
    "reply_reminded_days",
    "deadline_explanations",
    "updated_at",
]


def cases_a_calendar_change_moves(changed_on: date) -> Q:
    """Open cases with a business-day deadline still running that a change of ``changed_on`` can move.

    Only business-day deadlines use the bank's calendar: the D+1 refund and the payment-services
    reply. The Complaints Act reply and the 13-month window roll over statutory days off only, and
    chargeback windows are calendar days, so a closure day moves none of them. A change can move a
    deadline only if it falls after the start day and not after the current due date.
    """
    started_before = Q(received_at__lt=day_start(changed_on))
    refund = Q(state__in=REFUND_PENDING_STATES, refund_owed=True, refund_due_on__gte=changed_on)
    reply = Q(
        state__in=REPLY_CLOCK_STATES,
        reply_dispatched_at__isnull=True,
        reply_regime=Regime.PAYMENT_SERVICES,
        reply_due_on__gte=changed_on,
    )
    return started_before & (refund | reply)


def cases_recompute_deadlines(*, changed_on: date, now: datetime, batch_size: int = 500) -> int:
    """Recompute the deadlines of open cases after the bank's calendar changed on ``changed_on``.

    Works in batches of ``batch_size`` cases (one locked read, one bulk update, one bulk insert of
    history rows per batch); a case gets a ``DEADLINES_RECOMPUTED`` event only when a date actually
    moved, so running it twice changes nothing the second time. Returns the number of cases changed.
    """
    calendar = bank_calendar()
    changed_total, last_pk = 0, 0
    while True:
        with case_atomic() as audit:
            batch = list(
                Case.objects.select_for_update(of=("self",))
                .filter(cases_a_calendar_change_moves(changed_on), pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            changed, events = [], []
            for case in batch:
                before = case_snapshot(case)
                moves = _recompute(case, calendar, audit=audit)
                if moves:
                    case.updated_at = now
                    changed.append(case)
                    event = CaseEvent(
                        case=case,
                        kind=CaseEvent.Kind.DEADLINES_RECOMPUTED,
                        data={"changed_on": changed_on.isoformat(), **moves},
                        occurred_at=now,
                    )
                    diff = audit_diff(before, case_snapshot(case))
                    events.append((event, case, diff["before"], diff["after"]))
            Case.objects.bulk_update(changed, _RECOMPUTED_FIELDS)
            # One audit entry per case moved, with the new computations, appended at the end of the batch.
            add_events(events, audit=audit)
            changed_total += len(changed)
    logger.info("calendar change on %s: deadlines of %d open cases moved", changed_on, changed_total)
    return changed_total


def _recompute(case: Case, calendar: BusinessCalendar, *, audit: CaseAudit) -> dict[str, Any]:
    """Recompute a case's business-day deadlines in place; return what moved (empty: nothing)."""
    computed = case_deadlines(
        received_at=present(case.received_at, "received_at"),
        found_at=case.found_at,
        regime=case.reply_regime,
        extended=case.reply_extended,
        calendar=calendar,
    )
    moves: dict[str, Any] = {}
    if (
        case.state in REFUND_PENDING_STATES
        and case.refund_owed
        and computed.refund.due_date != case.refund_due_on
    ):
        moves["refund"] = _move(present(case.refund_due_on, "refund_due_on"), computed.refund)
        apply_refund_deadline(case, computed.refund, audit=audit)
    reply_running = case.state in REPLY_CLOCK_STATES and case.reply_dispatched_at is None
    if reply_running and computed.reply.due_date != case.reply_due_on:
        reply_due_on = present(case.reply_due_on, "reply_due_on")
        moves["reply"] = _move(reply_due_on, computed.reply)
        later = computed.reply.due_date > reply_due_on
        apply_reply_deadline(case, computed.reply, audit=audit)
        if later:
            case.reply_reminded_days = None  # the reminders count down to the new date again
    return moves


def _move(before: date, after: deadlines.Deadline) -> dict[str, str]:
    return {
        "from": before.isoformat(),
        "to": after.due_date.isoformat(),
        "rule": after.rule,
        "explanation_pl": after.explanation_pl,
        "explanation_en": after.explanation_en,
    }
