"""What every dispute service does: lock, check access, run a guarded transition, record it.

Recording is also auditing: the chokepoints here (``record_creation``, ``record_transitions``,
``add_event``/``add_events``, ``ledger_write``/``ledger_write_many``, ``record_assessment``) each
queue one ``audit.AuditEntry`` per case, with the case as its object, what changed on it and the
computations behind it (deadlines, liability). A service runs in ``case_atomic()``, which appends
the queued entries at the end of its transaction, after every other write and row lock,
in one ``audit_record_many`` (one INSERT, unchained; the audit sealer chains it after commit).
Called outside ``case_atomic()``, a chokepoint appends its entry at once.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model

from audit import actions
from audit.services import AuditEvent, audit_diff, audit_record_many, audit_snapshot
from corebanking.services import postings_record
from customers.models import User
from disputes.models import (
    LETTER_BY_OUTCOME,
    ActorKind,
    Case,
    CaseEvent,
    CaseLetterRequest,
    CaseState,
    CaseTransition,
    Chargeback,
    ChargebackState,
    LedgerEntry,
    LiabilityAssessment,
)
from disputes.rules import DECISION_LETTERS, LedgerKind, LetterType, Outcome
from disputes.services._errors import (
    REFUSALS,
    ActionNotPermitted,
    CaseNotFound,
    ChargebackNotFound,
    InvalidCaseState,
    InvalidChargebackState,
    TransactionAlreadyRefunded,
    TransitionRefused,
)
from kartosfera.authz import HANDLE_CASE, VIEW_CASE
from outbox.services import outbox_enqueue

Actor = User | None  # None: the system (a Celery beat sweep)


def actor_kind(case: Case, actor: Actor) -> str:
    """Who acted: the system, the case's own customer, or staff."""
    if actor is None:
        return ActorKind.SYSTEM
    if case.customer.user_id is not None and case.customer.user_id == actor.pk:
        return ActorKind.CUSTOMER
    return ActorKind.STAFF


def is_own_case(case: Case, actor: Actor) -> bool:
    """Whether ``actor`` is the signed-in customer the case belongs to."""
    return actor is not None and case.customer.user_id is not None and case.customer.user_id == actor.pk


def check_visible(case: Case, actor: Actor) -> None:
    """Refuse an actor who may not see the case exactly as a missing case (no hint it exists).

    :raises CaseNotFound: neither the system, the case's customer, nor staff with ``view_case``.
    """
    if actor is None or is_own_case(case, actor):
        return
    if not (actor.is_active and actor.has_perm(VIEW_CASE)):
        raise CaseNotFound()


def require_staff(actor: Actor, permission: str = HANDLE_CASE, *, system_allowed: bool = False) -> None:
    """Refuse anyone without the staff ``permission`` (and the system unless ``system_allowed``).

    :raises ActionNotPermitted:
    """
    if actor is None:
        if system_allowed:
            return
        raise ActionNotPermitted("the system may not do this")
    if not (actor.is_active and actor.has_perm(permission)):
        raise ActionNotPermitted(f"needs {permission}")


def lock_case(case_id: int, actor: Actor) -> Case:
    """The case, locked for update until the transaction ends, if ``actor`` may see it.

    :raises CaseNotFound:
    """
    try:
        case = Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist:
        raise CaseNotFound() from None
    check_visible(case, actor)
    return case


def lock_chargeback(chargeback_id: int, actor: Actor) -> tuple[Case, Chargeback]:
    """The chargeback and its case, both locked (case first, always, so two services never deadlock).

    :raises ChargebackNotFound:
    """
    case_id = Chargeback.objects.filter(pk=chargeback_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise ChargebackNotFound()
    try:
        case = lock_case(case_id, actor)
    except CaseNotFound:
        raise ChargebackNotFound() from None
    return case, Chargeback.objects.select_for_update().get(pk=chargeback_id)


def state_label(obj: Model) -> str:
    """The display name of an object's state in the active language."""
    return str(obj.get_state_display())  # type: ignore[attr-defined]


def _check_transition(obj: Case | Chargeback, name: str, actor: Actor, now: datetime) -> Any:
    """The django-fsm transition ``name`` from the current state, after state, permission and guards.

    :raises InvalidCaseState, ActionNotPermitted, TransitionRefused: (the guard's own refusal)
    """
    meta = getattr(type(obj), name)._django_fsm
    state = obj.state
    fsm_transition = meta.get_transition(state)
    if fsm_transition is None:
        refusal = InvalidChargebackState if isinstance(obj, Chargeback) else InvalidCaseState
        raise refusal(f"{name} from {state}", state=state_label(obj))
    if actor is None:
        if not fsm_transition.custom.get("system"):
            raise ActionNotPermitted(f"the system may not {name}")
    elif not (actor.is_active and fsm_transition.has_perm(obj, actor)):
        raise ActionNotPermitted(f"{name}: permission {fsm_transition.permission}")
    obj.as_of = now
    for condition in fsm_transition.conditions:
        if not condition(obj):
            refusal = REFUSALS.get(getattr(condition, "refusal_code", ""), TransitionRefused)
            raise refusal(f"{name}: {condition.__name__}")
    return fsm_transition


# ---------------------------------------------------------------------------------------------------
# The audit of the case history


@dataclass
class PendingAudit:
    """An audit entry queued by a chokepoint, appended when the service's transaction ends."""

    action: str
    case: Case
    actor: Actor
    now: datetime
    before: dict | None
    after: dict | None
    data: dict
    transition_id: int | None = None  # the CaseTransition it records: its ledger entries join it


_scopes: ContextVar[tuple[list[PendingAudit], ...]] = ContextVar("disputes_audit_scopes", default=())

# What the diff of a case or chargeback leaves out: the explanations are stored whole as computations.
_NOT_AUDITED = ("deadline_explanations", "updated_at")


def case_snapshot(obj: Case | Chargeback) -> dict[str, Any]:
    """The audited fields of a case or chargeback as plain JSON (``audit_snapshot``)."""
    return audit_snapshot(obj, exclude=_NOT_AUDITED)


@contextmanager
def case_atomic() -> Iterator[None]:
    """``transaction.atomic()`` whose queued audit entries are appended at its end, as its last writes.

    Nested in another ``case_atomic()``, the entries pass to the outer one when this block succeeds
    (and are dropped with its savepoint when it fails).
    """
    pending: list[PendingAudit] = []
    with transaction.atomic():
        token = _scopes.set((*_scopes.get(), pending))
        try:
            yield
        finally:
            _scopes.reset(token)
        outer = _scopes.get()
        if outer:
            outer[-1].extend(pending)
        elif pending:
            # The entries name their object's content type by id: a long-lived worker's cache may hold
            # ids that were since re-created (remove_stale_contenttypes, a test database flush).
            ContentType.objects.clear_cache()
            # One INSERT for the lot (a sweep's batch of cases).
            audit_record_many([_event(item) for item in pending])


def _event(item: PendingAudit) -> AuditEvent:
    return AuditEvent(
        action=item.action,
        actor=item.actor,
        obj=item.case,
        before=item.before,
        after=item.after,
        data=item.data,
        now=item.now,
    )


def note_computation(case: Case, computation: dict[str, Any]) -> None:
    """Keep a computation (deadline, liability) made for ``case`` for the case's next audit entry."""
    case.__dict__.setdefault("_audit_computations", []).append(computation)


def _take_computations(case: Case) -> list[dict[str, Any]]:
    return case.__dict__.pop("_audit_computations", [])


def queue_audit(
    action: str,
    *,
    case: Case,
    actor: Actor,
    now: datetime,
    data: dict[str, Any],
    before: dict | None = None,
    after: dict | None = None,
    transition_id: int | None = None,
) -> PendingAudit:
    """Queue an audit entry about ``case`` with the computations noted on it since its last entry."""
    computations = _take_computations(case)
    item = PendingAudit(
        action=action,
        case=case,
        actor=actor,
        now=now,
        before=before,
        after=after,
        data={**data, "computations": computations} if computations else data,
        transition_id=transition_id,
    )
    scopes = _scopes.get()
    if scopes:
        scopes[-1].append(item)
    else:
        audit_record_many([_event(item)])
    return item


def _queued_for_transition(transition_id: int) -> PendingAudit | None:
    scopes = _scopes.get()
    if not scopes:
        return None
    return next((item for item in scopes[-1] if item.transition_id == transition_id), None)


@dataclass
class Applied:
    """A transition run in memory on a locked object, with its history row not yet saved."""

    obj: Case | Chargeback
    case: Case
    row: CaseTransition
    letter_context: dict
    before: dict[str, Any] = field(default_factory=dict)


def apply_transition(
    obj: Case | Chargeback,
    name: str,
    *,
    case: Case,
    actor: Actor,
    now: datetime,
    reason: str = "",
    data: dict | None = None,
    letter_context: dict | None = None,
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


def record_transitions(applied: list[Applied]) -> list[CaseTransition]:
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
        _queue_transition(item.obj, item.row, before=item.before, letter=letter_of.get(item.row.pk))
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
    obj: Case | Chargeback, row: CaseTransition, *, before: dict[str, Any], letter: CaseLetterRequest | None
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
    queue_audit(
        actions.CASE_CHARGEBACK_TRANSITION if isinstance(obj, Chargeback) else actions.CASE_TRANSITION,
        case=row.case,
        actor=row.actor,
        now=row.occurred_at,
        data=data,
        transition_id=row.pk,
        **audit_diff(before, case_snapshot(obj)),
    )


def run_transition(
    obj: Case | Chargeback,
    name: str,
    *,
    case: Case,
    actor: Actor,
    now: datetime,
    reason: str = "",
    data: dict | None = None,
    letter_context: dict | None = None,
    apply: Callable[[], None] | None = None,
    **kwargs: Any,
) -> CaseTransition:
    """Run transition ``name`` on the locked ``obj``, save it and record it; return the history row.

    A refused step (state, permission, a guard) raises before anything is saved. The row names the
    letter the transition calls for, and a ``CaseLetterRequest`` is queued for the letters app.
    """
    applied = apply_transition(
        obj,
        name,
        case=case,
        actor=actor,
        now=now,
        reason=reason,
        data=data,
        letter_context=letter_context,
        apply=apply,
        **kwargs,
    )
    obj.save()
    record_transitions([applied])
    return applied.row


def record_creation(case: Case, *, actor: Actor, now: datetime, data: dict) -> CaseTransition:
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
    queue_audit(
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


def add_event(
    case: Case,
    kind: str,
    *,
    actor: Actor,
    now: datetime,
    data: dict | None = None,
    chargeback: Chargeback | None = None,
    audit_actor: Actor = None,
) -> CaseEvent:
    """A history row that is not a state change (audited, unless the act is audited otherwise).

    ``audit_actor``: the user whose act a system event is part of (a claim's submission opens its
    chargebacks), recorded in the audit log instead of nobody.
    """
    event = CaseEvent.objects.create(
        case=case, chargeback=chargeback, kind=kind, actor=actor, data=data or {}, occurred_at=now
    )
    _queue_event(event, case=case, actor=actor if actor is not None else audit_actor)
    return event


# The action of each event; LIABILITY_ASSESSED is the storing of the assessment, which
# ``record_assessment`` audits with the whole computation.
EVENT_ACTIONS = {
    CaseEvent.Kind.ASSIGNED: actions.CASE_ASSIGNED,
    CaseEvent.Kind.NOTE: actions.CASE_NOTE_ADDED,
    CaseEvent.Kind.EVIDENCE_ADDED: actions.CASE_EVIDENCE_ADDED,
    CaseEvent.Kind.ESTIMATE_WAITING: actions.CASE_ESTIMATE_WAITING,
    CaseEvent.Kind.ESTIMATE_COMPLETED: actions.CASE_ESTIMATE_COMPLETED,
    CaseEvent.Kind.DEADLINES_RECOMPUTED: actions.CASE_DEADLINES_RECOMPUTED,
    CaseEvent.Kind.REFUND_ESCALATED: actions.CASE_REFUND_ESCALATED,
    CaseEvent.Kind.REPLY_REMINDER: actions.CASE_REPLY_REMINDER,
    CaseEvent.Kind.CHARGEBACK_ALERT: actions.CASE_CHARGEBACK_ALERT,
    CaseEvent.Kind.CHARGEBACK_OPENED: actions.CASE_CHARGEBACK_OPENED,
    CaseEvent.Kind.REPLY_DELIVERY_CHANGED: actions.CASE_REPLY_DELIVERY_CHANGED,
}


def _queue_event(
    event: CaseEvent,
    *,
    case: Case,
    actor: Actor = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    action = EVENT_ACTIONS.get(event.kind)
    if action is None:
        return
    data: dict[str, Any] = {"event": event.kind, "details": event.data}
    if event.key:
        data["key"] = event.key
    if event.chargeback_id:
        data["chargeback"] = event.chargeback_id
    queue_audit(action, case=case, actor=actor, now=event.occurred_at, data=data, before=before, after=after)


def add_events(
    events: list[tuple[CaseEvent, Case, dict | None, dict | None]], *, ignore_conflicts: bool = False
) -> None:
    """History rows of many cases in one insert (the sweeps): ``(event, case, before, after)`` each.

    One audit entry per event: a sweep flags every case it takes, so each is a change to record, even
    when a once-only key makes the insert of its event a no-op.
    """
    CaseEvent.objects.bulk_create([event for event, *_ in events], ignore_conflicts=ignore_conflicts)
    for event, case, before, after in events:
        _queue_event(event, case=case, actor=event.actor, before=before, after=after)


def record_assessment(
    case: Case,
    assessment: Any,
    *,
    kind: str,
    actor: Actor,
    now: datetime,
    note: str = "",
    audit_actor: Actor = None,
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
    note_computation(
        case,
        {
            "engine": "liability",
            "name": kind,
            "rule_ids": sorted({line["rule"] for line in data["lines"]}),
            "inputs": data["inputs"],
            "result": data,
        },
    )
    queue_audit(
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


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry to write: transaction, kind, amount and the transaction's disputed amount."""

    transaction_id: int
    kind: LedgerKind
    amount: Decimal
    disputed_amount: Decimal
    chargeback_id: int | None = None


def idempotency_key(case_id: int, entry: Entry) -> str:
    """The natural key of a ledger entry: one of each kind per case and transaction (and chargeback)."""
    suffix = f":cb:{entry.chargeback_id}" if entry.chargeback_id else ""
    return f"case:{case_id}:tx:{entry.transaction_id}:{entry.kind}{suffix}"


def ledger_write(
    case: Case, entries: Iterable[Entry], *, transition: CaseTransition | None, actor: Actor, now: datetime
) -> list[LedgerEntry]:
    """Write ledger entries of one case; an entry whose idempotency key exists is returned, not rewritten.

    :raises TransactionAlreadyRefunded:
    """
    return ledger_write_many([(case, entry, transition) for entry in entries], actor=actor, now=now)


def ledger_write_many(
    entries: Iterable[tuple[Case, Entry, CaseTransition | None]], *, actor: Actor, now: datetime
) -> list[LedgerEntry]:
    """Write ledger entries of locked cases in one insert; those whose idempotency key exists are returned.

    A conflict on another key (the transaction was refunded provisionally in another case) refuses
    the whole step; the database's unique constraints are the last word, whatever the caller did.

    :raises TransactionAlreadyRefunded:
    """
    keyed = {
        idempotency_key(case.pk, entry): (case, entry, transition) for case, entry, transition in entries
    }
    if not keyed:
        return []
    existing = {e.idempotency_key: e for e in LedgerEntry.objects.filter(idempotency_key__in=list(keyed))}
    new = [
        LedgerEntry(
            case=case,
            transaction_id=entry.transaction_id,
            chargeback_id=entry.chargeback_id,
            kind=entry.kind,
            amount=entry.amount,
            disputed_amount=entry.disputed_amount,
            idempotency_key=key,
            transition=transition,
            actor=actor,
            created_at=now,
        )
        for key, (case, entry, transition) in keyed.items()
        if key not in existing
    ]
    if new:
        try:
            with transaction.atomic():
                LedgerEntry.objects.bulk_create(new)
                # The transactional outbox of money out: each entry's posting to the core banking
                # system commits (or rolls back) with the entry itself (corebanking.services).
                postings_record(entries=new, now=now)
        except IntegrityError as exc:
            # Only another case's entry can collide here (these cases are locked): refuse the step.
            raise TransactionAlreadyRefunded(str(exc)) from exc
        existing.update({entry.idempotency_key: entry for entry in new})
        _queue_ledger(new, actor=actor, now=now)
    return [existing[key] for key in keyed]


def _queue_ledger(new: list[LedgerEntry], *, actor: Actor, now: datetime) -> None:
    """Audit new ledger entries: in the entry of the transition they belong to, else one per case."""
    joined: dict[int, list[LedgerEntry]] = {}
    for entry in new:
        joined.setdefault(entry.case_id, []).append(entry)
    for entries in joined.values():
        lines = [
            {
                "id": entry.pk,
                "kind": entry.kind,
                "transaction": entry.transaction_id,
                "chargeback": entry.chargeback_id,
                "amount": entry.amount,
                "currency": "PLN",
                "idempotency_key": entry.idempotency_key,
                "transition_id": entry.transition_id,
            }
            for entry in entries
        ]
        transition_id = entries[0].transition_id
        same = all(entry.transition_id == transition_id for entry in entries)
        pending = _queued_for_transition(transition_id) if transition_id and same else None
        if pending is not None:
            pending.data["ledger"] = pending.data.get("ledger", []) + lines
        else:
            queue_audit(
                actions.CASE_LEDGER_WRITTEN,
                case=entries[0].case,
                actor=actor,
                now=now,
                data={"ledger": lines},
            )


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


def abandon_draft_chargebacks(case: Case, *, actor: Actor, now: datetime, reason: str) -> None:
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
        _queue_transition(chargeback, row, before=before, letter=None)
    sync_chargeback_clock(case)
