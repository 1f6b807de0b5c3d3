"""Celery tasks of the audit log: the sealer and the anchor of the chain head (docs/AUDIT.md)."""

from celery import shared_task

from audit.services import audit_anchor, audit_seal
from kartosfera.clock import now


@shared_task(name="audit.tasks.audit_seal_pending", ignore_result=True)
def audit_seal_pending() -> int:
    """Chain every committed entry waiting for the sealer (queued after commit, and by beat)."""
    return audit_seal(now=now()).sealed


@shared_task(name="audit.tasks.audit_anchor_head", ignore_result=True)
def audit_anchor_head() -> int | None:
    """Seal, then write a signed anchor of the chain head outside the database (beat)."""
    anchor = audit_anchor(now=now())
    return None if anchor is None else anchor.sequence
