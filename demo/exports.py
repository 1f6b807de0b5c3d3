"""Demo: the demo auditor's export of last month's cases, finished, so the exports page has a file."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from kartosfera.legaltime import warsaw_date
from reports.exports.services import export_job_run, export_path, export_request
from reports.models import ExportJob, ExportState


def seed(*, now: datetime) -> list[str]:
    """Export the cases received since the start of last month as XLSX for the demo auditor (once)."""
    auditor = get_user_model().objects.filter(username="auditor").first()
    if auditor is None:
        return []
    today = warsaw_date(now)
    from_date = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # the first of last month
    existing = ExportJob.objects.filter(requested_by=auditor, kind="CASES", state=ExportState.DONE).first()
    if existing is not None and export_path(existing).is_file():
        job = existing
    else:
        requested = export_request(
            actor=auditor, kind="CASES", file_format="XLSX", from_date=from_date, to_date=today, now=now
        )
        # Run it here, so the demo starts with a finished file; the task queued on commit finds it done.
        job = export_job_run(job_id=requested.job.pk, clock=lambda: now)
    return [
        f"Exports: /reports/exports/ (auditor) lists export #{job.pk} of the cases received "
        f"{job.from_date.isoformat()}..{job.to_date.isoformat()} ({job.rows_done} rows, {job.state}, "
        f"SHA-256 {job.sha256[:12]}...)."
    ]
