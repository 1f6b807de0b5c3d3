"""Writes for the exports: ask for one, run it (the Celery task's one call), hand out its file.

Every act is audited: ``export.requested``, ``export.created`` (with the file's SHA-256 and size),
``export.failed`` (with the reason) and ``export.downloaded``. A run is idempotent: a finished job is
left alone, and a run that was overtaken by another (a redelivered message) discards its file, so a job
has one file and one ``export.created`` entry however often its task runs.
"""

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from audit import actions
from audit.sanitise import sanitise_text
from audit.services import audit_record, audit_snapshot
from kartosfera.formatting import format_long_date
from kartosfera.legaltime import warsaw_date
from kartosfera.refusals import Refusal
from outbox.services import outbox_enqueue
from reports.access import require_report_reader
from reports.exports.columns import COLUMNS, ExportFormat, ExportKind
from reports.exports.pgcopy import ExportPeriod, copy_csv, copy_expected, copy_supported
from reports.exports.selectors import Row, export_job_get, export_rows
from reports.exports.writers import CsvExportWriter, HashingFile, XlsxExportWriter
from reports.models import UNFINISHED_STATES, ExportJob, ExportState
from reports.progress import ProgressAside
from reports.rules import EARLIEST_DAY, PeriodProblem, period_problems

logger = logging.getLogger(__name__)

EXPORT_TASK = "reports.tasks.export_run"
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportRequestInvalid(Refusal):
    """The export asked for cannot be made; ``field`` names the form field, the message says why."""

    code = "EXPORT_REQUEST_INVALID"

    def __init__(self, message: StrOrPromise, *, field: str) -> None:
        super().__init__()
        self.message, self.field = message, field


class ExportNotReady(Exception):
    """The export has no file to download: it is still running, or it failed."""


@dataclass(frozen=True)
class ExportRequest:
    job: ExportJob
    created: bool  # False: the same export was already queued or running, and that one is returned


def export_dir() -> Path:
    return Path(settings.KARTOSFERA_EXPORT_DIR)


def export_path(job: ExportJob) -> Path:
    return export_dir() / job.file_name


def _validate(*, kind: str, file_format: str, from_date: date, to_date: date, today: date) -> None:
    if kind not in ExportKind.__members__:
        raise ExportRequestInvalid(_("Choose what to export."), field="kind")
    if file_format not in ExportFormat.__members__:
        raise ExportRequestInvalid(_("Choose the file format: CSV or XLSX."), field="file_format")
    # The report's period checks, without its length bound: an export may span any period.
    problems = period_problems(from_date, to_date, today=today, max_days=None)
    if PeriodProblem.FROM_AFTER_TO in problems:
        raise ExportRequestInvalid(
            _("The start of the period must not be later than its end."), field="from_date"
        )
    if PeriodProblem.IN_THE_FUTURE in problems:
        raise ExportRequestInvalid(
            _("The period cannot end in the future: the last day you can export is today (%(today)s).")
            % {"today": format_long_date(today, language=get_language())},
            field="to_date",
        )
    if PeriodProblem.BEFORE_RECORDS in problems:
        raise ExportRequestInvalid(
            _("A period may not start before %(earliest)s: we hold no records before it.")
            % {"earliest": format_long_date(EARLIEST_DAY, language=get_language())},
            field="from_date",
        )


def export_request(
    *, actor: Any, kind: str, file_format: str, from_date: date, to_date: date, now: datetime
) -> ExportRequest:
    """Queue an export of ``kind`` as ``file_format`` over the Warsaw dates ``from_date``..``to_date``.

    The same export asked for again while it is queued or running (a double click) returns that job.

    :raises PermissionDenied: ``actor`` is not an auditor, supervisor or administrator.
    :raises ExportRequestInvalid: an unknown kind or format, a period that ends before it starts or
        ends after today.
    """
    require_report_reader(actor)
    _validate(
        kind=kind, file_format=file_format, from_date=from_date, to_date=to_date, today=warsaw_date(now)
    )
    request = {"requested_by": actor, "kind": kind, "file_format": file_format, "from_date": from_date,
               "to_date": to_date}  # fmt: skip
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(**request, requested_at=now)
        except IntegrityError:
            existing = ExportJob.objects.filter(**request, state__in=UNFINISHED_STATES).first()
            if existing is None:  # it finished in between: this is a new request after all
                raise
            return ExportRequest(job=existing, created=False)
        audit_record(
            action=actions.EXPORT_REQUESTED,
            actor=actor,
            obj=job,
            after=audit_snapshot(job, fields=["kind", "file_format", "from_date", "to_date", "state"]),
            now=now,
        )
        outbox_enqueue(task=EXPORT_TASK, kwargs={"job_id": job.pk}, now=now)
    return ExportRequest(job=job, created=True)


def _claim(job_id: int, token: str, now: datetime) -> ExportJob | None:
    """Mark the job running under ``token``; None when it is finished already (a retried task)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if job.finished:
            return None
        # RUNNING here means a run that died (worker lost): this run takes over from the start.
        job.state, job.run_token, job.started_at, job.rows_done, job.rows_total = (
            ExportState.RUNNING, token, now, 0, None,
        )  # fmt: skip
        job.save(update_fields=["state", "run_token", "started_at", "rows_done", "rows_total"])
    return job


def _progress(rows: Iterator[Row], *, job_id: int, token: str, every: int) -> Iterator[Row]:
    """Pass the rows through, recording how many went by every ``every`` rows (committed at once)."""
    for done, row in enumerate(rows, start=1):
        yield row
        if done % every == 0:
            ExportJob.objects.filter(pk=job_id, run_token=token).update(rows_done=done)


def _write_rows(job: ExportJob, writer: Any, *, token: str) -> int:
    """The rows read one by one and written by ``writer``: every format, every database."""
    source = export_rows(
        kind=job.kind,
        from_date=job.from_date,
        to_date=job.to_date,
        chunk_size=settings.REPORTS_EXPORT_CHUNK_SIZE,
    )
    ExportJob.objects.filter(pk=job.pk, run_token=token).update(rows_total=source.expected)
    count = 0
    for row in _progress(
        source.rows, job_id=job.pk, token=token, every=settings.REPORTS_EXPORT_PROGRESS_ROWS
    ):
        writer.write_row(row)
        count += 1
    return count


def _write_copied(job: ExportJob, writer: CsvExportWriter, *, token: str) -> int:
    """The CSV lines formatted by PostgreSQL and streamed with ``COPY`` (``reports.exports.pgcopy``)."""
    period = ExportPeriod(kind=job.kind, from_date=job.from_date, to_date=job.to_date)
    ExportJob.objects.filter(pk=job.pk, run_token=token).update(rows_total=copy_expected(**period))
    # COPY holds the export's own connection: the progress goes on a connection of its own.
    progress = ProgressAside(ExportJob, job.pk, run_token=token)
    try:
        return copy_csv(
            **period,
            write=writer.write_lines,
            progress=lambda done: progress.record(rows_done=done),
            every=settings.REPORTS_EXPORT_PROGRESS_ROWS,
        )
    finally:
        progress.close()


def _write(job: ExportJob, path: Path, *, token: str) -> tuple[int, str, int]:
    """Stream the job's rows into ``path``; the number of rows, the SHA-256 and the size."""
    columns = COLUMNS[ExportKind(job.kind)]
    with open(path, "xb") as raw:
        out = HashingFile(raw)
        if job.file_format == ExportFormat.XLSX:
            writer: Any = XlsxExportWriter(
                out, columns, title=job.kind.lower(), tmpdir=str(path.parent), created=job.requested_at
            )
            count = _write_rows(job, writer, token=token)
        else:
            writer = CsvExportWriter(out, columns)
            if settings.REPORTS_EXPORT_CSV_COPY and copy_supported(job.kind):
                count = _write_copied(job, writer, token=token)
            else:
                count = _write_rows(job, writer, token=token)
        writer.close()
        raw.flush()
        os.fsync(raw.fileno())
    return count, out.sha256, out.size


def export_job_run(*, job_id: int, clock: Callable[[], datetime]) -> ExportJob:
    """Write the export's file and finish the job: done with its SHA-256, or failed with the reason.

    Safe to run again: a finished job is returned unchanged; of two runs of one job only the one that
    claimed it last finishes it, the other discards its file. The file is written under a temporary
    name in the export directory and renamed into place only when complete, so a crash never leaves a
    partial file under the name a done job points to.
    """
    token = uuid.uuid4().hex
    job = _claim(job_id, token, clock())
    if job is None:
        return export_job_get(job_id=job_id)
    directory = export_dir()
    temporary = directory / f".{job.pk}-{token}.part"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        rows, sha256, size = _write(job, temporary, token=token)
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().get(pk=job_id)
            if job.run_token != token or job.state != ExportState.RUNNING:
                temporary.unlink(missing_ok=True)  # another run took over: its file is the job's
                return job
            job.file_name = f"export-{job.pk}.{job.file_format.lower()}"
            os.replace(temporary, directory / job.file_name)
            job.state, job.rows_done, job.rows_total = ExportState.DONE, rows, rows
            job.sha256, job.size, job.finished_at, job.error = sha256, size, clock(), ""
            job.save()
            _forget_content_types()
            audit_record(
                action=actions.EXPORT_CREATED,
                actor=None,
                obj=job,
                after={"state": job.state, "rows": rows, "sha256": sha256, "size": size},
                data=_described(job),
                now=job.finished_at,
            )
        return job
    except Exception as error:
        temporary.unlink(missing_ok=True)
        logger.exception("export %s failed", job_id)
        return _fail(job_id, token, error, clock())


def _forget_content_types() -> None:
    # The entry names the job's content type by id: a long-lived worker's cache may hold ids that were
    # since re-created (remove_stale_contenttypes, a test database flush), as disputes' _core does.
    ContentType.objects.clear_cache()


def _described(job: ExportJob) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "file_format": job.file_format,
        "from_date": job.from_date.isoformat(),
        "to_date": job.to_date.isoformat(),
        "requested_by": job.requested_by_id,
        "file": job.file_name,
        "sha256": job.sha256,
        "size": job.size,
        "rows": job.rows_done,
    }


def _fail(job_id: int, token: str, error: Exception, now: datetime) -> ExportJob:
    reason = sanitise_text(f"{type(error).__name__}: {error}")[:2000]
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if job.run_token != token or job.state != ExportState.RUNNING:
            return job
        job.state, job.error, job.finished_at = ExportState.FAILED, reason, now
        job.save(update_fields=["state", "error", "finished_at"])
        _forget_content_types()
        audit_record(
            action=actions.EXPORT_FAILED,
            actor=None,
            obj=job,
            after={"state": job.state},
            data={"error": reason},
            now=now,
        )
    return job


@dataclass(frozen=True)
class ExportFile:
    path: Path
    download_name: str
    content_type: str
    size: int


def export_download(*, actor: Any, job_id: int, now: datetime) -> ExportFile:
    """The finished file of an export, for ``actor`` to download; the download is audited.

    :raises PermissionDenied: ``actor`` is not an auditor, supervisor or administrator.
    :raises ExportJob.DoesNotExist: no such export.
    :raises ExportNotReady: the export is not done, or its file has gone.
    """
    require_report_reader(actor)
    job = export_job_get(job_id=job_id)
    path = export_path(job) if job.state == ExportState.DONE else None
    if path is None or not path.is_file() or path.stat().st_size != job.size:
        raise ExportNotReady()
    with transaction.atomic():
        audit_record(action=actions.EXPORT_DOWNLOADED, actor=actor, obj=job, data=_described(job), now=now)
    return ExportFile(
        path=path,
        download_name=job.download_name(),
        content_type=CONTENT_TYPES[ExportFormat(job.file_format)],
        size=job.size,
    )
