"""The audit of the case history: the entries a service's transaction appends as its last writes.

A service runs in ``case_atomic()``, which gives it a ``CaseAudit``: the recorder the chokepoints
(``record_creation``, ``record_transitions``, ``add_event``/``add_events``,
``ledger_write``/``ledger_write_many``, ``record_assessment``) are handed. Each queues there one
``audit.AuditEntry`` per case, with the case as its object, what changed on it and the computations
behind it (deadlines, liability), noted on the same recorder. At the end of the block the queued
entries are appended after every other write and row lock, in one ``audit_record_many`` (one INSERT,
unchained; the audit sealer chains it after commit).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from audit.services import AuditEvent, audit_record_many, audit_snapshot
from chargebacks.models import Chargeback
from disputes.models import Case
from disputes.services._access import Actor


@dataclass(frozen=True, slots=True)
class PendingAudit(AuditEvent):
    """An audit entry about a case (its ``obj``) queued by a chokepoint, appended when the service's
    transaction ends; a later chokepoint of the same transition may add to its ``data``."""

    data: dict[str, Any] = field(default_factory=dict)
    transition_id: int | None = None  # the CaseTransition it records: its ledger entries join it


# What the diff of a case or chargeback leaves out: the explanations are stored whole as computations.
_NOT_AUDITED = ("deadline_explanations", "updated_at")


def case_snapshot(obj: Case | Chargeback) -> dict[str, Any]:
    """The audited fields of a case or chargeback as plain JSON (``audit_snapshot``)."""
    return audit_snapshot(obj, exclude=_NOT_AUDITED)


class CaseAudit:
    """The audit entries one ``case_atomic()`` block queued, and the computations not yet in an entry."""

    def __init__(self) -> None:
        self.pending: list[PendingAudit] = []
        # id(case) -> (case, its computations since its last entry); the case is held so its id stays its own.
        self._computations: dict[int, tuple[Case, list[dict[str, Any]]]] = {}

    def note_computation(self, case: Case, computation: dict[str, Any]) -> None:
        """Keep a computation (deadline, liability) made for ``case`` for the case's next audit entry."""
        self._computations.setdefault(id(case), (case, []))[1].append(computation)

    def _take_computations(self, case: Case) -> list[dict[str, Any]]:
        noted = self._computations.pop(id(case), None)
        return noted[1] if noted is not None else []

    def queue(
        self,
        action: str,
        *,
        case: Case,
        actor: Actor,
        now: datetime,
        data: dict[str, Any],
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        transition_id: int | None = None,
    ) -> PendingAudit:
        """Queue an audit entry about ``case`` with the computations noted for it since its last entry."""
        computations = self._take_computations(case)
        item = PendingAudit(
            action=action,
            obj=case,
            actor=actor,
            now=now,
            before=before,
            after=after,
            data={**data, "computations": computations} if computations else data,
            transition_id=transition_id,
        )
        self.pending.append(item)
        return item

    def queued_for_transition(self, transition_id: int) -> PendingAudit | None:
        """The entry queued for the ``CaseTransition`` ``transition_id``, if this block queued it."""
        return next((item for item in self.pending if item.transition_id == transition_id), None)


@contextmanager
def case_atomic() -> Iterator[CaseAudit]:
    """``transaction.atomic()`` whose recorder's queued audit entries are appended at its end, as its last
    writes (and dropped with it when the block fails)."""
    audit = CaseAudit()
    with transaction.atomic():
        yield audit
        if audit.pending:
            # The entries name their object's content type by id: a long-lived worker's cache may hold
            # ids that were since re-created (remove_stale_contenttypes, a test database flush).
            ContentType.objects.clear_cache()
            # One INSERT for the lot (a sweep's batch of cases).
            audit_record_many(audit.pending)
