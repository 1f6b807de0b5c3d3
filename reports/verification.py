"""Verifying the audit log from the browser: an auditor starts a check of the hash chain, a task runs
it, the page follows it and offers the report to download.

The chain itself is checked by one call (``audit_log_verify``) to the audit app's verification, the
one ``manage.py verify_audit`` runs, so the browser and the command always agree.
"""

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from audit import actions
from audit.models import AuditEntry
from audit.selectors import Progress, audit_chain_verify
from audit.services import audit_record
from outbox.services import outbox_enqueue
from reports.access import require_report_reader
from reports.models import AuditVerification, ExportState
from reports.progress import ProgressAside


def audit_log_verify(
    *, anchors: Mapping[int, str], progress: Progress | None = None, progress_every: int = 2000
) -> dict[str, Any]:
    """The audit log's verification report (``audit.selectors.audit_chain_verify``) as plain data."""
    return audit_chain_verify(
        anchors=dict(anchors), progress=progress, progress_every=progress_every
    ).to_dict()


def audit_verification_request(*, actor: Any, anchors: Mapping[int, str], now: datetime) -> AuditVerification:
    """Queue a verification of the audit log against ``anchors`` (sequence → hash, may be empty).

    :raises PermissionDenied: the actor may not read reports.
    """
    require_report_reader(actor)
    with transaction.atomic():
        verification = AuditVerification.objects.create(
            requested_by=actor,
            anchors={str(sequence): digest for sequence, digest in sorted(anchors.items())},
            entries_total=AuditEntry.objects.count(),
            requested_at=now,
        )
        audit_record(
            action=actions.AUDIT_VERIFICATION_REQUESTED,
            actor=actor,
            obj=verification,
            data={"anchors": verification.anchors},
            now=now,
        )
        outbox_enqueue(
            task="reports.tasks.audit_verify", kwargs={"verification_id": verification.pk}, now=now
        )
    return verification


def audit_verification_run(*, verification_id: int, clock: Callable[[], datetime]) -> AuditVerification:
    """Run a queued verification and store its report; a verification already taken is left alone."""
    with transaction.atomic():
        verification = AuditVerification.objects.select_for_update().get(pk=verification_id)
        if verification.state != ExportState.QUEUED:
            return verification
        verification.state, verification.started_at = ExportState.RUNNING, clock()
        verification.save(update_fields=["state", "started_at"])
    anchors = {int(sequence): digest for sequence, digest in verification.anchors.items()}
    # The snapshot the chain is read in is read-only: the progress is written aside, as it goes.
    aside = ProgressAside(AuditVerification, verification.pk, state=ExportState.RUNNING)

    def progress(done: int, total: int) -> None:
        verification.entries_verified, verification.entries_total = done, total
        aside.record(entries_verified=done, entries_total=total)

    try:
        result = audit_log_verify(
            anchors=anchors, progress=progress, progress_every=settings.REPORTS_AUDIT_PROGRESS_ENTRIES
        )
    except Exception as error:  # the page must say it failed rather than run forever
        verification.state, verification.error = ExportState.FAILED, str(error)[:500]
        result = None
    else:
        verification.state, verification.result = ExportState.DONE, result
    finally:
        aside.close()
    verification.finished_at = clock()
    with transaction.atomic():
        verification.save(
            update_fields=["state", "result", "error", "finished_at", "entries_verified", "entries_total"]
        )
        audit_record(
            action=actions.AUDIT_VERIFICATION_FINISHED,
            actor=None,
            obj=verification,
            data={
                "ok": None if result is None else result["ok"],
                "entries_checked": None if result is None else result["entries_checked"],
                "first_break": None if result is None else result["first_break"],
                "error": verification.error,
            },
            now=verification.finished_at,
        )
    return verification


def audit_verifications(*, user: Any) -> QuerySet[AuditVerification]:
    """The verifications started so far, newest first (report readers only).

    :raises PermissionDenied:
    """
    require_report_reader(user)
    return AuditVerification.objects.select_related("requested_by").order_by("-requested_at", "-id")


def audit_verification_get(*, user: Any, verification_id: int) -> AuditVerification:
    """:raises PermissionDenied: :raises AuditVerification.DoesNotExist:"""
    return audit_verifications(user=user).get(pk=verification_id)


def audit_verification_report(*, user: Any, verification_id: int) -> bytes:
    """The finished verification's report as JSON: who asked, when, the anchors and the result.

    :raises PermissionDenied: :raises AuditVerification.DoesNotExist: also while it is not finished.
    """
    verification = audit_verification_get(user=user, verification_id=verification_id)
    if not verification.finished:
        raise AuditVerification.DoesNotExist("not finished")
    document = {
        "verification": verification.pk,
        "requested_by": verification.requested_by.get_username(),
        "requested_at": verification.requested_at.isoformat(),
        "finished_at": verification.finished_at.isoformat() if verification.finished_at else None,
        "state": verification.state,
        "error": verification.error,
        "anchors": verification.anchors,
        "result": verification.result,
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
