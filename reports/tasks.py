"""Celery tasks of the reports: each export runs here, away from the request that asked for it."""

from typing import Any

from celery import shared_task

from kartosfera.clock import now
from reports.exports.services import export_job_run
from reports.verification import audit_verification_run


@shared_task(name="reports.tasks.export_run", acks_late=True)
def export_run(*, job_id: int) -> dict[str, Any]:
    """Write export ``job_id``'s file; a retried or redelivered message leaves one file and one entry."""
    job = export_job_run(job_id=job_id, clock=now)
    return {"job_id": job.pk, "state": job.state, "rows": job.rows_done, "sha256": job.sha256}


@shared_task(name="reports.tasks.audit_verify", acks_late=True)
def audit_verify(*, verification_id: int) -> dict[str, Any]:
    """Check the audit log for verification ``verification_id``; a redelivered message does nothing."""
    verification = audit_verification_run(verification_id=verification_id, clock=now)
    return {"verification_id": verification.pk, "state": verification.state, "ok": verification.ok}
