"""The one way to write the audit log, and the helpers that describe a change for it.

Other apps' services call ``audit_record`` inside their own ``transaction.atomic()`` block, as the
last write before it ends: the entry commits or rolls back with the change it records. It is inserted
unchained and takes no shared lock; the sealer (``audit_seal``) chains it moments later. A service
that records many acts at once (a beat sweep's batch of cases) appends them with
``audit_record_many``: one INSERT.

    before = audit_snapshot(card)
    ...change and save the card...
    audit_record(action="card.blocked", actor=actor, obj=card, now=now,
                 **audit_diff(before, audit_snapshot(card)), data={"reason": reason})
"""

import logging
import operator
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

from audit.anchors import Anchor, anchor_write
from audit.canonical import HASH_VERSION, to_json
from audit.context import AuditContext, current_context
from audit.models import AuditEntry, Channel, Role
from audit.representation import object_repr as describe_object
from audit.representation import user_repr
from audit.sanitise import sanitise, sanitise_text
from audit.sealing import (
    AuditChainHeadMissing,
    SealedLink,
    SealResult,
    audit_seal,
    seal_after_commit,
    seal_batch,
)
from audit.selectors import role_without_groups
from audit.statements import ROW_COLUMNS, UnsealedEntry, insert_unsealed
from kartosfera.legaltime import require_aware
from outbox.services import outbox_nudge

logger = logging.getLogger(__name__)

# The Celery task that runs ``audit_seal`` (audit.tasks; named here because services never import
# tasks: tests/audit/test_sealing.py checks the name).
SEAL_TASK = "audit.tasks.audit_seal_pending"

__all__ = [
    "AuditChainHeadMissing",
    "AuditEntryInvalid",
    "AuditEvent",
    "SealResult",
    "audit_anchor",
    "audit_diff",
    "audit_record",
    "audit_record_many",
    "audit_recorded_by_caller",
    "audit_seal",
    "audit_snapshot",
    "is_recorded_by_caller",
]

# Set on a model instance while its saves are recorded by the calling service (audit_recorded_by_caller).
_RECORDED_BY_CALLER = "_audit_recorded_by_caller"

# "<area>.<what_happened>", lower case, e.g. "auth.sign_in", "case.transition", "calendar.override_set".
_ACTION = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


class AuditEntryInvalid(ValueError):
    """An action name, channel, object or field set that cannot be recorded."""


def _fit(text: str, max_length: int) -> str:
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def _fields(name: str, value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    converted = to_json(value)
    if not isinstance(converted, dict):
        raise AuditEntryInvalid(f"{name} must be a dict of field values, got {type(value).__name__}")
    sanitised: dict[str, Any] = sanitise(converted)
    return sanitised


def _actor_repr(user: Any, context: AuditContext) -> str:
    if user is not None:
        return _fit(sanitise_text(user_repr(user)), 200)
    if context.origin:
        return _fit(sanitise_text(context.origin), 200)
    return "anonymous" if context.web else "system"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One act to append with ``audit_record_many``: the arguments ``audit_record`` takes."""

    action: str
    actor: Any
    now: datetime
    obj: models.Model | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    data: Mapping[str, Any] | None = None
    channel: Channel | str | None = None


def audit_record(
    *,
    action: str,
    actor: Any,
    obj: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    channel: Channel | str | None = None,
    now: datetime,
) -> AuditEntry:
    """Append one entry to the audit log, chained to the last one, and return it.

    ``actor`` is the user who acted (None, or an anonymous user, for the system or nobody signed in);
    the role is derived from the actor's groups and flags now. ``channel`` defaults to the current
    context's (the request's, SYSTEM in a task), as do the IP address and request id. ``before`` and
    ``after`` hold the changed fields (``audit_diff``); ``data`` anything else worth keeping, e.g. the
    rule ids, inputs and explanation of a computation. Every value is made plain JSON
    (``audit.canonical.to_json``) and cleared of card numbers, PINs, codes and passwords
    (``audit.sanitise``) before it is stored and hashed.

    :raises AuditEntryInvalid: a malformed action name, an unknown channel, an unsaved ``obj``, or
        ``before``/``after``/``data`` that is not a dict.
    :raises AuditChainHeadMissing: the chain head row has been removed while entries exist.
    :raises NaiveDatetimeError: ``now`` without a time zone.
    """
    event = AuditEvent(
        action=action,
        actor=actor,
        now=now,
        obj=obj,
        before=before,
        after=after,
        data=data,
        channel=channel,
    )
    return audit_record_many([event])[0]


def audit_record_many(events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Append one entry per event, in the given order, and return them (a sweep's many cases).

    Each event is checked, made plain JSON and cleared of secrets before anything is written; the
    entries are then inserted unchained, in one multi-row INSERT, without touching any shared row.
    The sealer chains them (``audit_seal``), in this order and contiguously when they are committed
    together, according to ``settings.KARTOSFERA_AUDIT_SEALING``: in this transaction
    (``IN_TRANSACTION``: the returned entries are sealed), right after its commit (``AFTER_COMMIT``),
    by a task the transaction's outbox publication asks for (``TASK``, ``outbox_nudge``) or by the
    periodic sealer alone (``PERIODIC``).
    Nothing is written when any event is invalid.

    :raises AuditEntryInvalid: as ``audit_record``, for any of the events.
    :raises AuditChainHeadMissing: (``IN_TRANSACTION``) the chain head row is gone while entries exist.
    :raises NaiveDatetimeError: an event's ``now`` without a time zone.
    """
    context = current_context()
    prepared = [_entry(event, context) for event in events]
    if not prepared:
        return []
    rows = [row for row, _user, _object_type in prepared]
    db = transaction.get_connection()  # this thread's connection, looked up once
    if db.in_atomic_block:
        # Inside the calling service's transaction (the usual case), what an inner
        # ``atomic(savepoint=False)`` would do, without its bookkeeping on every act: a failed write
        # leaves the transaction marked for rollback.
        try:
            stored, sealed = _write(rows)
        except BaseException:
            db.needs_rollback = True
            raise
    else:
        with transaction.atomic():
            stored, sealed = _write(rows)
    entries = [
        _stored(row, user, object_type, entry_id, role, db.alias)
        for (row, user, object_type), (entry_id, role) in zip(prepared, stored, strict=True)
    ]
    if sealed is not None:
        for entry in entries:
            chained = sealed[entry.pk]
            entry.sequence, entry.previous_hash = chained.sequence, chained.previous_hash
            entry.entry_hash = chained.entry_hash
    return entries


def _write(rows: list[UnsealedEntry]) -> tuple[list[tuple[int, str]], dict[int, SealedLink] | None]:
    """Insert the rows and see to their sealing (``audit_record_many``); the ids and roles stored, and
    the sealed entries by id when they were sealed in this transaction."""
    stored = insert_unsealed(rows)
    mode = settings.KARTOSFERA_AUDIT_SEALING
    if mode == "IN_TRANSACTION":
        return stored, {entry.pk: entry for entry in seal_batch(limit=None)}
    if mode == "AFTER_COMMIT":
        transaction.on_commit(seal_after_commit, robust=True)
    elif mode == "TASK":
        # The seal task rides the transaction's one outbox publication (no row, coalesced).
        outbox_nudge(task=SEAL_TASK, coalesce_seconds=settings.KARTOSFERA_AUDIT_SEAL_KICK_SECONDS)
    return stored, None


# What an entry holds once inserted: the row's columns (all but the actor whose groups give the role),
# the id and the role the INSERT returns, and the chain columns, empty until the sealer fills them.
_ROW_VALUES = operator.itemgetter(*(UnsealedEntry._fields.index(name) for name in ROW_COLUMNS))
_UNCHAINED = {"sequence": None, "hash_version": HASH_VERSION, "previous_hash": None, "entry_hash": None}
# The two references whose objects the returned entry keeps, as one built with the objects would.
_ACTOR = AuditEntry._meta.get_field("actor")
_OBJECT_TYPE = AuditEntry._meta.get_field("object_type")
_CHANNELS = {channel.value: channel.value for channel in Channel}


def _stored(
    row: UnsealedEntry, user: Any, object_type: ContentType | None, entry_id: int, role: str, alias: str
) -> AuditEntry:
    """The entry ``row`` became when inserted with ``entry_id`` and ``role``, unchained.

    Made as Django restores a pickled instance (``Model.__reduce__``): its class's ``__new__`` and the
    column values as its attributes. A model's ``__init__``, even positional (``from_db``), cost more
    than anything else in building an act's entry, and no caller of ``audit_record`` in the
    application reads the entry it returns (docs/PERFORMANCE.md, "Audit log"). While anything listens
    to a model's ``pre_init`` or ``post_init``, built by ``from_db``, which sends them.
    """
    values = dict(zip(ROW_COLUMNS, _ROW_VALUES(row), strict=True))
    values.update(_UNCHAINED, id=entry_id, role=role)
    if pre_init.receivers or post_init.receivers:
        attnames = [field.attname for field in AuditEntry._meta.concrete_fields]
        entry = AuditEntry.from_db(alias, attnames, [values[name] for name in attnames])
    else:
        entry = AuditEntry.__new__(AuditEntry)
        entry.__dict__.update(values)
        entry._state = ModelState()
        entry._state.adding, entry._state.db = False, alias
    if user is not None:
        _ACTOR.set_cached_value(entry, user)
    if object_type is not None:
        _OBJECT_TYPE.set_cached_value(entry, object_type)
    return entry


def _entry(event: AuditEvent, context: AuditContext) -> tuple[UnsealedEntry, Any, ContentType | None]:
    """The new entry's values for ``event``: checked, made plain JSON and cleared of secrets; with its
    signed-in actor and its object's content type."""
    action = event.action
    if len(action) > 64 or not _ACTION.fullmatch(action):
        raise AuditEntryInvalid(f"action {action!r} is not '<area>.<what_happened>' in lower case")
    require_aware(event.now, name="now")
    if event.channel is None:
        channel_value = context.channel
    else:
        try:
            channel_value = _CHANNELS[event.channel]
        except (KeyError, TypeError):
            raise AuditEntryInvalid(f"unknown channel {event.channel!r}") from None
    actor = event.actor
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Nobody signed in: ANONYMOUS over the web (a failed sign-in), else the system itself.
    nobody = Role.ANONYMOUS if context.web else Role.SYSTEM
    # The actor's role groups are read by the INSERT itself (audit.statements.insert_unsealed); this
    # is the role their flags give when they are in none.
    role = role_without_groups(user) if user is not None else nobody
    object_type, object_label, object_id, object_repr = None, "", "", ""
    obj = event.obj
    if obj is not None:
        if obj.pk is None:
            raise AuditEntryInvalid(f"cannot record an unsaved {type(obj).__name__}: it has no id yet")
        object_type = ContentType.objects.get_for_model(obj)
        object_label = f"{object_type.app_label}.{object_type.model}"
        object_id = _fit(str(obj.pk), 64)
        object_repr = _fit(sanitise_text(describe_object(obj)), 200)
    row = UnsealedEntry(
        recorded_at=event.now,
        action=action,
        actor_id=None if user is None else user.pk,
        actor_repr=_actor_repr(user, context),
        # A superuser is an ADMINISTRATOR whatever their groups: no group to look at.
        role_groups_of=None if user is None or user.is_superuser else user.pk,
        role=role.value,
        channel=channel_value,
        ip_address=context.ip_address,
        request_id=context.request_id,
        object_type_id=None if object_type is None else object_type.pk,
        object_label=object_label,
        object_id=object_id,
        object_repr=object_repr,
        before=_fields("before", event.before),
        after=_fields("after", event.after),
        data=_fields("data", event.data) or {},
    )
    return row, user, object_type


def audit_snapshot(
    instance: models.Model, *, fields: Iterable[str] | None = None, exclude: Iterable[str] = ()
) -> dict[str, Any]:
    """The values of a model instance's concrete fields as plain JSON data (a foreign key as its id)."""
    wanted = None if fields is None else set(fields)
    excluded = set(exclude)
    return {
        field.name: to_json(field.value_from_object(instance))
        for field in instance._meta.concrete_fields
        if (wanted is None or field.name in wanted) and field.name not in excluded
    }


class AuditDiff(TypedDict):
    """``audit_record``'s ``before=`` and ``after=``, as ``audit_diff`` gives them (``**audit_diff(...)``)."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None


def audit_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> AuditDiff:
    """The fields that differ between two snapshots, as ``before=`` and ``after=`` for ``audit_record``.

    A created object (``before`` None) keeps every field of ``after``, a deleted one (``after`` None)
    every field of ``before``; a field present on one side only counts as None on the other.
    """
    if before is None or after is None:
        return {
            "before": None if before is None else dict(before),
            "after": None if after is None else dict(after),
        }
    changed = [name for name in {**before, **after} if before.get(name) != after.get(name)]
    return {
        "before": {name: before.get(name) for name in changed},
        "after": {name: after.get(name) for name in changed},
    }


@contextmanager
def audit_recorded_by_caller(instance: models.Model) -> Iterator[None]:
    """Inside the block, leave the saves of ``instance`` to the calling service's own entry.

    The model receivers (``audit.receivers``: ``auth.user_created``, ``auth.password_changed``,
    ``auth.privileges_changed``) record changes made outside our services, e.g. in Django's admin or by
    ``manage.py changepassword``. A service that records the act itself, with more to say (a password
    reset rather than a change, how the customer proved who they are), saves inside this block so that
    the act is recorded once. Its own entry must then show every audited change the save makes.
    """
    setattr(instance, _RECORDED_BY_CALLER, True)
    try:
        yield
    finally:
        instance.__dict__.pop(_RECORDED_BY_CALLER, None)


def is_recorded_by_caller(instance: models.Model) -> bool:
    """Whether ``instance`` is being saved inside ``audit_recorded_by_caller`` (for the receivers)."""
    return bool(getattr(instance, _RECORDED_BY_CALLER, False))


def audit_anchor(*, now: datetime) -> Anchor | None:
    """Seal what is pending, then anchor the chain head outside the database (``audit.anchors``).

    :raises AnchorRefused: the chain is broken since the last anchor (nothing is written).
    """
    audit_seal(now=now)
    return anchor_write(now=now)
