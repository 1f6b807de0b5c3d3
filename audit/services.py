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

import functools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

import psycopg
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from audit.anchors import Anchor, anchor_write, anchor_write_if_due
from audit.canonical import GENESIS_HASH, to_json
from audit.chain import entry_hash
from audit.context import AuditContext, current_context
from audit.models import AuditChainHead, AuditEntry, AuditLogImmutable, Channel, Role
from audit.representation import object_repr as describe_object
from audit.representation import user_repr
from audit.sanitise import sanitise, sanitise_text
from audit.selectors import role_group_sql, role_without_groups
from kartosfera import clock
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


class AuditChainHeadMissing(RuntimeError):
    """The chain head row is gone while entries exist: nothing is appended until it is investigated."""


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
    entries = [_entry(event, context) for event in events]
    if not entries:
        return []
    mode = settings.KARTOSFERA_AUDIT_SEALING
    with transaction.atomic(savepoint=False):
        _insert_unsealed(entries)
        if mode == "IN_TRANSACTION":
            sealed = {entry.pk: entry for entry in _seal_batch(limit=None)}
            for entry in entries:
                chained = sealed[entry.pk]
                entry.sequence, entry.previous_hash = chained.sequence, chained.previous_hash
                entry.entry_hash = chained.entry_hash
        elif mode == "AFTER_COMMIT":
            transaction.on_commit(_seal_after_commit, robust=True)
        elif mode == "TASK":
            # The seal task rides the transaction's one outbox publication (no row, coalesced).
            outbox_nudge(task=SEAL_TASK, coalesce_seconds=settings.KARTOSFERA_AUDIT_SEAL_KICK_SECONDS)
    return entries


@dataclass(frozen=True, slots=True)
class SealResult:
    """What one ``audit_seal`` run chained: how many entries, and the head it left."""

    sealed: int
    head_sequence: int
    head_hash: str


def audit_seal(*, now: datetime, batch_size: int | None = None) -> SealResult:
    """Chain every committed entry still unsealed, oldest id first, then anchor the head if due.

    The one sealer: each batch is a transaction holding the lock on the chain head row, which only
    sealers take, so sealers run one after another and business transactions never wait on them.
    Each entry gets the next sequence, the previous entry's hash and its own hash, written once (the
    PostgreSQL trigger allows exactly this fill of the three chain columns and nothing else).

    :raises AuditChainHeadMissing: the chain head row has been removed while sealed entries exist.
    """
    batch_size = batch_size or settings.KARTOSFERA_AUDIT_SEAL_BATCH
    total = 0
    while True:
        with transaction.atomic():
            chained = _seal_batch(limit=batch_size)
        total += len(chained)
        if len(chained) < batch_size:
            break
    head = AuditChainHead.objects.filter(pk=1).first()
    result = SealResult(
        sealed=total,
        head_sequence=0 if head is None else head.sequence,
        head_hash=GENESIS_HASH if head is None else head.entry_hash,
    )
    if total:
        anchor_write_if_due(now=now)
    return result


def _seal_batch(*, limit: int | None) -> list[AuditEntry]:
    """Inside a transaction: lock the chain head, chain up to ``limit`` unsealed entries, move the head."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if AuditEntry.objects.filter(sequence__isnull=False).exists():
            raise AuditChainHeadMissing(
                "the audit chain head row is missing while entries exist; see docs/AUDIT.md"
            )
        # A new, empty log (the migration creates the row; a test database flush removes it).
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    pending = AuditEntry.objects.unsealed()
    entries = list(pending if limit is None else pending[:limit])
    if not entries:
        return []
    sequence, previous_hash = head.sequence, head.entry_hash
    for entry in entries:
        sequence += 1
        entry.sequence, entry.previous_hash = sequence, previous_hash
        entry.entry_hash = previous_hash = entry_hash(entry.hash_content())
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with _prepared_cursor() as cursor:
        # One row at a time, in chain order: the PostgreSQL trigger checks each link against the row
        # sealed just before it (audit/migrations/0004).
        cursor.executemany(
            f"UPDATE {table} SET sequence = %s, previous_hash = %s, entry_hash = %s "  # noqa: S608
            "WHERE id = %s AND sequence IS NULL",
            [(entry.sequence, entry.previous_hash, entry.entry_hash, entry.pk) for entry in entries],
        )
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, entry_hash=previous_hash)
    return entries


def _seal_after_commit() -> None:
    audit_seal(now=clock.now())


# The columns an unsealed entry is inserted with; the chain columns stay NULL for the sealer.
_INSERT_COLUMNS = (
    "recorded_at",
    "action",
    "actor_id",
    "actor_repr",
    "role",
    "channel",
    "ip_address",
    "request_id",
    "object_type_id",
    "object_label",
    "object_id",
    "object_repr",
    "before",
    "after",
    "data",
    "hash_version",
)
_JSON_COLUMNS = frozenset({"before", "after", "data"})


@functools.cache
def _insert_sql(rows: int, vendor: str, role_group_sql: str) -> str:
    """The INSERT of ``rows`` unsealed entries, each role read from the actor's groups in the statement."""
    quote = connection.ops.quote_name
    json_value = "CAST(%s AS jsonb)" if vendor == "postgresql" else "%s"
    values = []
    for column in _INSERT_COLUMNS:
        if column == "role":
            # The strongest role group the actor is in, else the role their flags give (the parameter).
            values.append(f"COALESCE({role_group_sql}, %s)")
        else:
            values.append(json_value if column in _JSON_COLUMNS else "%s")
    row = f"({', '.join(values)})"
    return (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} "  # noqa: S608 (no value is interpolated)
        f"({', '.join(quote(column) for column in _INSERT_COLUMNS)}) "
        f"VALUES {', '.join([row] * rows)} RETURNING {quote('id')}, {quote('role')}"
    )


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=False)


def _prepared_cursor() -> Any:
    """A cursor whose statements PostgreSQL prepares: parsed and planned once per connection.

    For the statements the audit log runs for every act or every entry sealed (the single-entry
    INSERT, the sealer's UPDATE), rather than once each time (docs/PERFORMANCE.md, "Audit log").
    They are prepared at the protocol level when the connection allows prepared statements at all
    (``prepare_threshold`` in the settings' ``OPTIONS``; Django's default, None, turns them off, and
    this cursor then just binds on the server). It is wrapped as Django wraps its own cursors, so
    ``execute_wrapper`` sees the statements as before. Elsewhere than PostgreSQL, and while queries
    are logged (``DEBUG``, a test capturing them), Django's own cursor: psycopg keeps no text of a
    prepared statement, and a logged query shows the SQL as it ran, values included, as every other.
    """
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    # django-stubs types make_cursor's argument as Django's wrapper; Django wraps the driver's cursor.
    return connection.make_cursor(_PreparedCursor(connection.connection))  # type: ignore[arg-type]


class _PreparedCursor(psycopg.Cursor):
    """A psycopg cursor with server-side binding that prepares what it runs (``prepare=True``)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


def _insert_unsealed(entries: list[AuditEntry]) -> None:
    """INSERT new entries unchained in one statement, and give each its id and role as stored.

    One raw statement rather than the ORM's bulk_create, which cost more Python than everything else
    an audited act does (docs/PERFORMANCE.md, "Audit log"). The role of a signed-in actor is chosen in
    the statement from their groups as they are now (``audit.selectors.role_group_sql``); the entry
    holds the role of their flags alone until then.
    """
    adapt_instant = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for entry in entries:
        if entry.sealed or not entry._state.adding:
            raise AuditLogImmutable("audit entries are appended unsealed by audit.services.audit_record")
        actor = entry.actor if entry.actor_id is not None else None
        params.extend(
            (
                adapt_instant(entry.recorded_at),
                entry.action,
                entry.actor_id,
                entry.actor_repr,
                # A superuser is an ADMINISTRATOR whatever their groups: no group to look at.
                None if actor is None or actor.is_superuser else entry.actor_id,
                entry.role,
                entry.channel,
                entry.ip_address,
                entry.request_id,
                entry.object_type_id,
                entry.object_label,
                entry.object_id,
                entry.object_repr,
                _json_text(entry.before),
                _json_text(entry.after),
                _json_text(entry.data),
                entry.hash_version,
            )
        )
    # A sweep's many-row INSERT differs with its length: only the one-entry act is worth preparing.
    with _prepared_cursor() if len(entries) == 1 else connection.cursor() as cursor:
        cursor.execute(_insert_sql(len(entries), connection.vendor, role_group_sql()), params)
        stored = sorted(cursor.fetchall())
    # Ids grow in the order of the VALUES rows within one statement, whatever order RETURNING uses.
    for entry, (entry_id, role) in zip(entries, stored, strict=True):
        entry.pk, entry.role = entry_id, role
        entry._state.adding, entry._state.db = False, connection.alias


def _entry(event: AuditEvent, context: AuditContext) -> AuditEntry:
    """The unsaved, unchained entry for ``event``: checked, made plain JSON and cleared of secrets."""
    action = event.action
    if len(action) > 64 or not _ACTION.fullmatch(action):
        raise AuditEntryInvalid(f"action {action!r} is not '<area>.<what_happened>' in lower case")
    require_aware(event.now, name="now")
    try:
        channel_value = Channel(event.channel).value if event.channel is not None else context.channel
    except ValueError:
        raise AuditEntryInvalid(f"unknown channel {event.channel!r}") from None
    actor = event.actor
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Nobody signed in: ANONYMOUS over the web (a failed sign-in), else the system itself.
    nobody = Role.ANONYMOUS if context.web else Role.SYSTEM
    # The actor's role groups are read by the INSERT itself (_insert_unsealed); this is the role their
    # flags give when they are in none.
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
    return AuditEntry(
        recorded_at=event.now,
        action=action,
        actor=user,
        actor_repr=_actor_repr(user, context),
        role=role.value,
        channel=channel_value,
        ip_address=context.ip_address,
        request_id=context.request_id,
        object_type=object_type,
        object_label=object_label,
        object_id=object_id,
        object_repr=object_repr,
        before=_fields("before", event.before),
        after=_fields("after", event.after),
        data=_fields("data", event.data) or {},
    )


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
