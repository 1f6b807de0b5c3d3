"""What every dispute service does: lock, check access, run a guarded transition, record it.

The transitions are recorded by the chokepoints here (``record_creation``, ``record_transitions``,
``run_transition``), in ``disputes.services._history`` (events, assessments) and in
``disputes.services._ledger`` (money); each is handed the ``CaseAudit`` of the service's
``case_atomic()`` block (``disputes.services._audit``) and queues its audit entry there.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django_fsm import Transition

from audit import actions
from audit.services import audit_diff
from chargebacks.models import Chargeback, ChargebackState
from disputes.models import (
    LETTER_BY_OUTCOME,
    Case,
    CaseLetterRequest,
    CaseState,
    CaseTransition,
)
from disputes.rules import DECISION_LETTERS, LetterType, Outcome
from disputes.services._access import Actor, actor_kind, state_label
from disputes.services._audit import CaseAudit, case_snapshot
from disputes.services._errors import (
    REFUSALS,
    ActionNotPermitted,
    InvalidCaseState,
    InvalidChargebackState,
    TransitionRefused,
)
from kartosfera import fsm
from outbox.services import outbox_enqueue


def _check_transition(obj: Case | Chargeback, name: str, actor: Actor, now: datetime) -> Transition:
    """The django-fsm transition ``name`` from the current state, after state, permission and guards.

    :raises InvalidCaseState, ActionNotPermitted, TransitionRefused: (the guard's own refusal)
    """
    state = obj.state
    fsm_transition = fsm.transition_for(obj, name, state)
    if fsm_transition is None:
        refusal = InvalidChargebackState if isinstance(obj, Chargeback) else InvalidCaseState
        raise refusal(f"{name} from {state}", state=state_label(obj))
    if actor is None:
        if not fsm_transition.custom.get("system"):
            raise ActionNotPermitted(f"the system may not {name}")
    elif not (actor.is_active and fsm_transition.has_perm(obj, actor)):
        raise ActionNotPermitted(f"{name}: permission {fsm_transition.permission}")
    failed = fsm.failed_guard(obj, fsm_transition, now=now)
    if failed is not None:
        guard_refusal = REFUSALS.get(failed.refusal_code, TransitionRefused)
        raise guard_refusal(f"{name}: {failed.name}")
    return fsm_transition


@dataclass
class Applied:
    """A transition run in memory on a locked object, with its history row not yet saved."""

    obj: Case | Chargeback
    case: Case
    row: CaseTransition
    letter_context: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)


def apply_transition(
    obj: Case | Chargeback,
    name: str,
    *,
    case: Case,
    actor: Actor,
    now: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    letter_context: dict[str, Any] | None = None,
    apply: Callable[[], None] | None = None,
    **kwargs: Any,
) -> Applied:
    """Check and run transition ``name`` on the locked ``obj`` in memory; nothing is saved yet.

    Checks the state, the actor's permission and every guard first, raising the guard's own refusal.
    ``apply`` makes further changes after the guards were checked. The history row names the letter
    the transition calls for.
    """
    fsm_transition = _check_transition(obj, name, actor, now)
    from_state = obj.state
    before = case_snapshot(obj)
    getattr(obj, name)(at=now, **kwargs)
    if apply is not None:
        apply()
    letter = fsm_transition.custom.get("letter", "")
    if letter == LETTER_BY_OUTCOME:
        letter = DECISION_LETTERS[Outcome(case.outcome)]
    row = CaseTransition(
        case=case,
        chargeback=obj if isinstance(obj, Chargeback) else None,
        name=name,
        from_state=from_state,
        to_state=obj.state,
        actor=actor,
        actor_kind=actor_kind(case, actor),
        reason=reason,
        data=data if data is not None else {},
        letter_required=LetterType(letter).request_code if letter else "",
        occurred_at=now,
    )
    return Applied(obj, case, row, letter_context if letter_context is not None else {}, before)


def record_transitions(applied: list[Applied], *, audit: CaseAudit) -> list[CaseTransition]:
    """Save the history rows of transitions run (the caller saved their objects); queue their letters.

    Queues one audit entry per transition: the changed fields of the case (or chargeback), the
    transition, its letter request and the computations made for it.
    """
    rows = CaseTransition.objects.bulk_create([item.row for item in applied])
    letters = CaseLetterRequest.objects.bulk_create(
        CaseLetterRequest(
            case=item.case,
            letter_type=item.row.letter_required,
            transition=item.row,
            context=item.letter_context,
            requested_at=item.row.occurred_at,
        )
        for item in applied
        if item.row.letter_required
    )
    letter_of = {letter.transition_id: letter for letter in letters}
    for item in applied:
        _queue_transition(audit, item.obj, item.row, before=item.before, letter=letter_of.get(item.row.pk))
    if letters:
        # The letter requests are the ask; the outbox row wakes the letters app once committed (one
        # task for the whole transaction, fanned out to a task per letter in the worker).
        outbox_enqueue(
            task="letters.tasks.issue_letters",
            kwargs={"letter_request_ids": [r.pk for r in letters]},
            now=applied[0].row.occurred_at,
        )
    return rows


def _queue_transition(
    audit: CaseAudit,
    obj: Case | Chargeback,
    row: CaseTransition,
    *,
    before: dict[str, Any],
    letter: CaseLetterRequest | None,
) -> None:
    data: dict[str, Any] = {
        "transition": row.name,
        "transition_id": row.pk,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "actor_kind": row.actor_kind,
        "reason": row.reason,
        "details": row.data,
    }
    if letter is not None:
        data["letter_requested"] = {"id": letter.pk, "type": letter.letter_type, "context": letter.context}
    if isinstance(obj, Chargeback):
        data["chargeback"] = obj.pk
    audit.queue(
        actions.CASE_CHARGEBACK_TRANSITION if isinstance(obj, Chargeback) else actions.CASE_TRANSITION,
        case=row.case,
        actor=row.actor,
        now=row.occurred_at,
        data=data,
        transition_id=row.pk,
        **audit_diff(before, case_snapshot(obj)),
    )


def run_transition(obj: Case | Chargeback, name: str, *, audit: CaseAudit, **step: Any) -> CaseTransition:
    """Run transition ``name`` on the locked ``obj``, save it and record it; return the history row.

    ``step``: ``apply_transition``'s keywords (``case``, ``actor``, ``now``, ``reason``, ``data``,
    ``letter_context``, ``apply`` and the transition's own). A refused step (state, permission, a
    guard) raises before anything is saved. The row names the letter the transition calls for, and a
    ``CaseLetterRequest`` is queued for the letters app.
    """
    applied = apply_transition(obj, name, **step)
    obj.save()
    record_transitions([applied], audit=audit)
    return applied.row


def record_creation(
    case: Case, *, actor: Actor, now: datetime, data: dict[str, Any], audit: CaseAudit
) -> CaseTransition:
    """The first history row of a case: created as a draft (audited with all its fields)."""
    row = CaseTransition.objects.create(
        case=case,
        name="create_draft",
        from_state="",
        to_state=CaseState.DRAFT,
        actor=actor,
        actor_kind=actor_kind(case, actor),
        data=data,
        occurred_at=now,
    )
    audit.queue(
        actions.CASE_TRANSITION,
        case=case,
        actor=actor,
        now=now,
        before=None,
        after=case_snapshot(case),
        data={
            "transition": row.name,
            "transition_id": row.pk,
            "from_state": "",
            "to_state": row.to_state,
            "actor_kind": row.actor_kind,
            "reason": "",
            "details": data,
        },
        transition_id=row.pk,
    )
    return row


def close_links(case: Case) -> None:
    """The case no longer holds its transactions: they may be claimed again."""
    case.disputed.filter(is_open=True).update(is_open=False)


def sync_chargeback_clock(case: Case, *, chargebacks: list[Chargeback] | None = None) -> None:
    """Store on the locked case the nearest running deadline of its chargebacks (the queues sort by it).

    Called by every step that opens, files, answers or ends a chargeback, after the step is saved.
    ``chargebacks``: every chargeback of the case, when the caller holds them all (a claim being
    submitted has no others), so they are not read again.
    """
    if chargebacks is None:
        running_states = [ChargebackState.DRAFT, ChargebackState.REPRESENTED]
        chargebacks = list(Chargeback.objects.filter(case=case, state__in=running_states))
    running = [
        deadline for chargeback in chargebacks if (deadline := chargeback.running_deadline()) is not None
    ]
    nearest = min(running, key=lambda deadline: deadline.due_at) if running else None
    due_at, due_on = (nearest.due_at, nearest.due_on) if nearest else (None, None)
    if (case.chargeback_due_at, case.chargeback_due_on) != (due_at, due_on):
        case.chargeback_due_at, case.chargeback_due_on = due_at, due_on
        Case.objects.filter(pk=case.pk).update(chargeback_due_at=due_at, chargeback_due_on=due_on)


def abandon_draft_chargebacks(
    case: Case, *, actor: Actor, now: datetime, reason: str, audit: CaseAudit
) -> None:
    """Chargebacks never filed are dropped when the case ends without them (withdrawal)."""
    for chargeback in Chargeback.objects.select_for_update().filter(case=case, state=ChargebackState.DRAFT):
        before = case_snapshot(chargeback)
        chargeback.abandon(at=now)
        chargeback.reason = reason
        chargeback.save()
        row = CaseTransition.objects.create(
            case=case,
            chargeback=chargeback,
            name="abandon",
            from_state=ChargebackState.DRAFT,
            to_state=chargeback.state,
            actor=actor,
            actor_kind=actor_kind(case, actor),
            reason=reason,
            occurred_at=now,
        )
        _queue_transition(audit, chargeback, row, before=before, letter=None)
    sync_chargeback_clock(case)
