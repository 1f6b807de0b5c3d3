"""History rows that are not state changes (events) and stored liability assessments, audited."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from audit import actions
from chargebacks.models import Chargeback
from disputes.models import Case, CaseEvent, LiabilityAssessment
from disputes.services._access import Actor
from disputes.services._audit import CaseAudit
from liability.engine import Assessment


def add_event(
    case: Case,
    kind: str,
    *,
    actor: Actor,
    now: datetime,
    data: dict[str, Any] | None = None,
    chargeback: Chargeback | None = None,
    audit_actor: Actor = None,
    audit: CaseAudit,
) -> CaseEvent:
    """A history row that is not a state change (audited, unless the act is audited otherwise).

    ``audit_actor``: the user whose act a system event is part of (a claim's submission opens its
    chargebacks), recorded in the audit log instead of nobody.
    """
    event = CaseEvent.objects.create(
        case=case, chargeback=chargeback, kind=kind, actor=actor, data=data or {}, occurred_at=now
    )
    _queue_event(audit, event, case=case, actor=actor if actor is not None else audit_actor)
    return event


def change_case_field(
    case: Case, field: str, value: object, *, kind: str, actor: Actor, now: datetime, audit: CaseAudit
) -> CaseEvent:
    """Set one field of the case and record the change as a history row ``{"from": old, "to": new}``."""
    previous = getattr(case, field)
    setattr(case, field, value)
    case.save(update_fields=[field, "updated_at"])
    return add_event(case, kind, actor=actor, now=now, data={"from": previous, "to": value}, audit=audit)


# The action of each event; LIABILITY_ASSESSED is the storing of the assessment, which
# ``record_assessment`` audits with the whole computation.
EVENT_ACTIONS: dict[str, str] = {
    CaseEvent.Kind.ASSIGNED: actions.CASE_ASSIGNED,
    CaseEvent.Kind.NOTE: actions.CASE_NOTE_ADDED,
    CaseEvent.Kind.EVIDENCE_ADDED: actions.CASE_EVIDENCE_ADDED,
    CaseEvent.Kind.ESTIMATE_WAITING: actions.CASE_ESTIMATE_WAITING,
    CaseEvent.Kind.ESTIMATE_COMPLETED: actions.CASE_ESTIMATE_COMPLETED,
    CaseEvent.Kind.DEADLINES_RECOMPUTED: actions.CASE_DEADLINES_RECOMPUTED,
    CaseEvent.Kind.REFUND_ESCALATED: actions.CASE_REFUND_ESCALATED,
    CaseEvent.Kind.REPLY_REMINDER: actions.CASE_REPLY_REMINDER,
    CaseEvent.Kind.CHARGEBACK_ALERT: actions.CASE_CHARGEBACK_ALERT,
    # The missed window is an alert of the same kind: its data names the event (``event``).
    CaseEvent.Kind.CHARGEBACK_FILING_MISSED: actions.CASE_CHARGEBACK_ALERT,
    CaseEvent.Kind.CHARGEBACK_OPENED: actions.CASE_CHARGEBACK_OPENED,
    CaseEvent.Kind.REPLY_DELIVERY_CHANGED: actions.CASE_REPLY_DELIVERY_CHANGED,
}


def _queue_event(
    audit: CaseAudit,
    event: CaseEvent,
    *,
    case: Case,
    actor: Actor = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    action = EVENT_ACTIONS.get(event.kind)
    if action is None:
        return
    data: dict[str, Any] = {"event": event.kind, "details": event.data}
    if event.key:
        data["key"] = event.key
    if event.chargeback_id:
        data["chargeback"] = event.chargeback_id
    audit.queue(action, case=case, actor=actor, now=event.occurred_at, data=data, before=before, after=after)


def add_events(
    events: Sequence[tuple[CaseEvent, Case, Mapping[str, Any] | None, Mapping[str, Any] | None]],
    *,
    audit: CaseAudit,
    ignore_conflicts: bool = False,
) -> None:
    """History rows of many cases in one insert (the sweeps): ``(event, case, before, after)`` each.

    One audit entry per event: a sweep flags every case it takes, so each is a change to record, even
    when a once-only key makes the insert of its event a no-op.
    """
    CaseEvent.objects.bulk_create([event for event, *_ in events], ignore_conflicts=ignore_conflicts)
    for event, case, before, after in events:
        _queue_event(audit, event, case=case, actor=event.actor, before=before, after=after)


def record_assessment(
    case: Case,
    assessment: Assessment,
    *,
    kind: str,
    actor: Actor,
    now: datetime,
    note: str = "",
    audit_actor: Actor = None,
    audit: CaseAudit,
) -> LiabilityAssessment:
    """Store a liability result with its inputs, findings, totals and the NBP tables it cites; audit it.

    ``actor`` None: the engine's own estimate; ``audit_actor`` then names whose act it is part of.
    """
    data = assessment.to_dict()
    stored = LiabilityAssessment.objects.create(
        case=case,
        kind=kind,
        findings=data["inputs"]["findings"],
        inputs=data["inputs"],
        result=data,
        disputed_amount=case.disputed_amount,
        customer_total=assessment.customer_total,
        bank_total=assessment.bank_total,
        rate_tables=sorted({line.table for line in assessment.lines if line.table}),
        synthetic_rates_used=assessment.synthetic_rates_used,
        note=note,
        actor=actor,
        created_at=now,
    )
    audit.note_computation(
        case,
        {
            "engine": "liability",
            "name": kind,
            "rule_ids": sorted({line["rule"] for line in data["lines"]}),
            "inputs": data["inputs"],
            "result": data,
        },
    )
    audit.queue(
        actions.CASE_LIABILITY_ASSESSED,
        case=case,
        actor=actor if actor is not None else audit_actor,
        now=now,
        data={
            "assessment": stored.pk,
            "kind": kind,
            "customer_total": stored.customer_total,
            "bank_total": stored.bank_total,
            "note": note,
        },
    )
    return stored
