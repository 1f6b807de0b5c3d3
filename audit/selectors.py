"""Reads of the audit log: the role of a user, an object's entries, the verification of the chain."""

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from audit.anchors import anchors_read
from audit.canonical import format_instant
from audit.chain import ChainReport, ProblemKind, StoredEntry, verify_chain
from audit.models import AuditChainHead, AuditEntry, Role
from kartosfera.backlog import Backlog, backlog_of

# Highest privilege first: a user in several role groups is recorded in the strongest role.
# SYSTEM: the user of another system of the bank calling the API (api.services.api_client_create).
_ROLE_PRECEDENCE = (Role.ADMINISTRATOR, Role.AUDITOR, Role.SUPERVISOR, Role.ANALYST, Role.SYSTEM)
_RANKED_ROLE_VALUES = tuple(role.value for role in _ROLE_PRECEDENCE)


def role_for(*, is_superuser: bool, is_staff: bool, group_names: Iterable[str]) -> Role:
    """The role of a user with these flags and groups (``settings.KARTOSFERA_ROLE_GROUPS`` names the
    group of each staff role).

    A superuser is an ADMINISTRATOR; else the strongest role group wins; a staff user in no role
    group can only use the administration site and is an ADMINISTRATOR; everybody else signs in to
    the portal and is a CUSTOMER.
    """
    if is_superuser:
        return Role.ADMINISTRATOR
    names = set(group_names)
    role_groups = settings.KARTOSFERA_ROLE_GROUPS
    for role in _ROLE_PRECEDENCE:
        if role_groups.get(role.value) in names:
            return role
    return Role.ADMINISTRATOR if is_staff else Role.CUSTOMER


def role_of(user: Any) -> Role:
    """The role of ``user`` now, from the database (``role_for``)."""
    return role_for(
        is_superuser=user.is_superuser,
        is_staff=user.is_staff,
        group_names=user.groups.values_list("name", flat=True),
    )


def role_without_groups(user: Any) -> Role:
    """The role ``role_for`` gives ``user`` when none of their groups is a role group (the flags alone)."""
    return _role_of_flags(bool(user.is_superuser), bool(user.is_staff))


@functools.cache
def _role_of_flags(is_superuser: bool, is_staff: bool) -> Role:
    # Without groups no role group matches, whatever the settings name: the two flags decide alone.
    return role_for(is_superuser=is_superuser, is_staff=is_staff, group_names=())


def role_group_sql() -> str:
    """``role_for``'s choice among the groups, as an SQL scalar subquery with one ``%s``: a user's id.

    It answers the role of the strongest role group the user is in, or NULL when they are in none
    (then ``role_without_groups`` applies). The audit log's INSERT embeds it, so that an entry's role
    is read from the groups in the same statement that writes the entry: no query of its own, and no
    cache that a change of groups in another process could leave stale. ``role_of`` and this agree
    (tests/audit/test_record.py); a superuser is an ADMINISTRATOR whatever their groups, so the
    caller passes NULL as the id for one.
    """
    role_groups = settings.KARTOSFERA_ROLE_GROUPS
    return _role_group_sql(tuple((role, role_groups.get(role)) for role in _RANKED_ROLE_VALUES))


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field.column


@functools.cache
def _role_group_sql(ranked: tuple[tuple[str, str | None], ...]) -> str:
    membership = get_user_model().groups.through
    group = Group._meta.db_table
    quote = connection.ops.quote_name
    named = [(role, name) for role, name in ranked if name]

    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    if not named:
        return "(SELECT NULL WHERE CAST(%s AS bigint) IS NULL)"
    role_of_name = " ".join(f"WHEN {literal(name)} THEN {literal(role)}" for role, name in named)
    rank_of_name = " ".join(f"WHEN {literal(name)} THEN {rank}" for rank, (_role, name) in enumerate(named))
    user_column = quote(_column(membership, str(get_user_model()._meta.model_name)))
    group_column = quote(_column(membership, "group"))
    name, group_id = f"g.{quote('name')}", f"g.{quote('id')}"
    names = ", ".join(literal(name) for _role, name in named)
    return (
        f"(SELECT CASE {name} {role_of_name} END "  # noqa: S608 (names from the settings, quoted)
        f"FROM {quote(group)} g JOIN {quote(membership._meta.db_table)} m ON m.{group_column} = {group_id} "
        f"WHERE m.{user_column} = %s AND {name} IN ({names}) "
        f"ORDER BY CASE {name} {rank_of_name} END LIMIT 1)"
    )


def audit_entries_for_object(*, obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The entries about ``obj``, oldest first."""
    return AuditEntry.objects.filter(
        object_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
    )


# A progress report of a verification: (entries verified so far, entries to verify).
Progress = Callable[[int, int], None]


def _reporting(entries: Iterator[Any], *, total: int, progress: Progress, every: int) -> Iterator[Any]:
    """Pass the entries through, reporting how many went by every ``every`` entries and at the end."""
    done = 0
    for done, entry in enumerate(entries, start=1):
        yield entry
        if done % every == 0:
            progress(done, total)
    if done % every:
        progress(done, total)


def audit_chain_verify(
    *,
    anchors: Mapping[int, str] | None = None,
    max_problems: int = 1000,
    progress: Progress | None = None,
    progress_every: int = 2000,
) -> ChainReport:
    """Verify the whole audit chain: every entry's hash, every link, the chain head, and the signed
    anchors kept outside the database (``audit.anchors``) together with any ``anchors`` given.

    Reads the sealed entries in sequence order in chunks, so memory does not grow with the log, and
    the head and the entries from one snapshot, so entries sealed meanwhile are not taken for
    forgeries. Entries still waiting for the sealer are counted in the report (they cannot be proven
    until chained); an anchor file whose signature does not hold is a problem (``ANCHOR_INVALID``).
    The report names the latest anchor it was checked against (``report.anchor``). ``progress``, when
    given, is told the number of entries to verify in the snapshot before the first is read
    (``progress(0, total)``), then every ``progress_every`` entries and once at the end.
    """
    found = anchors_read()
    checked = {anchor.sequence: anchor.entry_hash for anchor in found.valid}
    checked.update(anchors or {})
    snapshot_needed = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot_needed:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        head = AuditChainHead.objects.filter(pk=1).first()
        entries: Iterator[StoredEntry] = AuditEntry.objects.sealed().stored_entries(chunk_size=2000)
        if progress is not None:
            total = AuditEntry.objects.sealed().count()
            progress(0, total)
            entries = _reporting(entries, total=total, progress=progress, every=progress_every)
        report = verify_chain(
            entries,
            head=None if head is None else head.as_chain_head(),
            anchors=checked,
            max_problems=max_problems,
        )
        waiting = AuditEntry.objects.unsealed().aggregate(
            count=models.Count("id"), oldest=models.Min("recorded_at")
        )
    for file, reason in found.invalid:
        report.add(ProblemKind.ANCHOR_INVALID, 0, None, f"anchor file {file} in {found.directory}: {reason}")
    report.anchors_checked = len(checked)
    report.anchor = None if found.latest is None else {**found.latest.to_dict(), "directory": found.directory}
    report.unsealed_entries = waiting["count"]
    report.oldest_unsealed_at = None if waiting["oldest"] is None else format_instant(waiting["oldest"])
    return report


def audit_sealing_lag(*, now: datetime) -> Backlog:
    """The entries waiting for the sealer: how many, and how long the oldest has waited."""
    return backlog_of(AuditEntry.objects.filter(sequence__isnull=True), since="recorded_at", now=now)


@dataclass(frozen=True, slots=True)
class RecordedComputation:
    """A deadline or liability computation as the audit log recorded it when it was made."""

    sequence: int | None  # of the audit entry (None until sealed): the order the computations were made in
    recorded_at: datetime
    action: str  # what the computation was made for: "case.transition", "case.deadlines_recomputed"...
    occasion: str  # the transition or event name ("submit", "DEADLINES_RECOMPUTED"), else ""
    actor: str
    engine: str  # "deadlines" or "liability"
    name: str  # which deadline ("refund", "reply", "window"...) or assessment ("ESTIMATE", "ANALYST")
    rule_ids: list[str]
    inputs: dict[str, Any]
    result: dict[str, Any]
    explanation_en: str
    explanation_pl: str


def _explanation(engine: str, result: dict[str, Any], language: str) -> str:
    if engine == "liability":
        return "\n".join(line.get(f"explanation_{language}", "") for line in result.get("lines", []))
    return str(result.get(f"explanation_{language}", ""))


def case_replay(*, case_id: int) -> list[RecordedComputation]:
    """Every deadline and liability computation recorded for a dispute case, oldest first, as stored then.

    Read from the audit log, not from the case: what a date or a figure was, by which rule, from which
    inputs and why, at the time, even if the calendar or the rules changed since.
    """
    try:
        case_type = ContentType.objects.get_by_natural_key("disputes", "case")
    except ContentType.DoesNotExist:
        return []
    entries = AuditEntry.objects.filter(object_type=case_type, object_id=str(case_id))
    replay = []
    for entry in entries.only("sequence", "recorded_at", "action", "actor_repr", "data"):
        occasion = entry.data.get("transition") or entry.data.get("event") or ""
        for computation in entry.data.get("computations", []):
            engine, result = computation["engine"], computation["result"]
            replay.append(
                RecordedComputation(
                    sequence=entry.sequence,
                    recorded_at=entry.recorded_at,
                    action=entry.action,
                    occasion=occasion,
                    actor=entry.actor_repr,
                    engine=engine,
                    name=computation["name"],
                    rule_ids=computation["rule_ids"],
                    inputs=computation["inputs"],
                    result=result,
                    explanation_en=_explanation(engine, result, "en"),
                    explanation_pl=_explanation(engine, result, "pl"),
                )
            )
    return replay
