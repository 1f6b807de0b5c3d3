"""A run that fails, and the progress a run records, watched from inside the process (no worker)."""

from datetime import date

import pytest
from django.db import connection

from audit import actions
from kartosfera.clock import now
from reports.exports import writers
from reports.exports.services import export_dir, export_job_run
from reports.models import ExportJob
from tests.reports.conftest import entries_for

FROM, TO = date(2025, 5, 26), date(2025, 5, 31)


def _job(user, kind="TRANSACTIONS", file_format="XLSX") -> ExportJob:
    return ExportJob.objects.create(
        requested_by=user, kind=kind, file_format=file_format, from_date=FROM, to_date=TO, requested_at=now()
    )


@pytest.mark.parametrize(
    ("writer", "method", "file_format"),
    [
        ("XlsxExportWriter", "write_row", "XLSX"),
        ("CsvExportWriter", "write_row", "CSV"),  # the rows one by one (SQLite; PostgreSQL without COPY)
        ("CsvExportWriter", "write_lines", "CSV"),  # the lines PostgreSQL's COPY formatted
    ],
)
def test_a_crash_leaves_the_job_failed_with_its_reason_and_no_file(
    seeded, auditor, monkeypatch, settings, writer, method, file_format
):
    copied = method == "write_lines"
    if copied and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's: `make test-services` runs this on PostgreSQL")
    settings.REPORTS_EXPORT_CSV_COPY = copied
    job = _job(auditor, file_format=file_format)
    original = getattr(getattr(writers, writer), method)
    written = []

    def write_then_break(self, data):
        # COPY hands a period this short over in one block: that block is the one that breaks.
        if written or copied:
            raise OSError("No space left on device")
        written.append(data)
        original(self, data)

    monkeypatch.setattr(getattr(writers, writer), method, write_then_break)

    job = export_job_run(job_id=job.pk, clock=now)

    assert job.state == "FAILED"
    assert job.error == "OSError: No space left on device"
    assert job.file_name == job.sha256 == ""
    assert job.finished_at is not None
    assert not list(export_dir().glob(f"export-{job.pk}.*"))
    assert not list(export_dir().glob(f".{job.pk}-*"))
    assert list(entries_for(job).values_list("action", "data")) == [
        (actions.EXPORT_FAILED, {"error": "OSError: No space left on device"})
    ]


def test_a_failed_job_is_not_run_again(seeded, auditor):
    job = _job(auditor)
    ExportJob.objects.filter(pk=job.pk).update(state="FAILED", error="earlier")

    job = export_job_run(job_id=job.pk, clock=now)

    assert (job.state, job.error) == ("FAILED", "earlier")
    assert not entries_for(job).exists()


def test_a_running_export_records_its_progress_as_it_goes(seeded, auditor, settings, monkeypatch):
    settings.REPORTS_EXPORT_PROGRESS_ROWS = 1
    job = _job(auditor, kind="DEADLINES")
    seen = []
    original = writers.XlsxExportWriter.write_row

    def watch(self, row):
        stored = ExportJob.objects.values_list("state", "rows_done", "rows_total").get(pk=job.pk)
        seen.append(stored)
        original(self, row)

    monkeypatch.setattr(writers.XlsxExportWriter, "write_row", watch)

    job = export_job_run(job_id=job.pk, clock=now)

    assert seen == [("RUNNING", 0, 4), ("RUNNING", 1, 4), ("RUNNING", 2, 4), ("RUNNING", 3, 4)]
    assert (job.state, job.rows_done, job.rows_total, job.percent) == ("DONE", 4, 4, 100)


def test_a_run_overtaken_by_another_discards_its_file(seeded, auditor, monkeypatch):
    job = _job(auditor, file_format="CSV")
    original = writers.CsvExportWriter.close

    def another_run_claims_the_job_meanwhile(self):
        original(self)
        ExportJob.objects.filter(pk=job.pk).update(run_token="other")

    monkeypatch.setattr(writers.CsvExportWriter, "close", another_run_claims_the_job_meanwhile)

    result = export_job_run(job_id=job.pk, clock=now)

    assert (result.state, result.run_token) == ("RUNNING", "other")
    assert not list(export_dir().glob(f"export-{job.pk}.*"))
    assert not list(export_dir().glob(f".{job.pk}-*"))
    assert not entries_for(job).filter(action=actions.EXPORT_CREATED).exists()


def test_a_long_export_continues_on_a_new_sheet_past_the_row_limit(seeded, auditor, monkeypatch):
    import openpyxl

    from reports.exports.services import export_path

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)  # the header and two rows per sheet
    job = export_job_run(job_id=_job(auditor, kind="DEADLINES").pk, clock=now)

    book = openpyxl.load_workbook(export_path(job), read_only=True)
    assert [(s.title, s.max_row) for s in book.worksheets] == [("deadlines", 3), ("deadlines (2)", 3)]
    assert all(next(s.iter_rows(max_row=1, values_only=True))[0] == "case_id" for s in book.worksheets)
    book.close()


def test_text_a_spreadsheet_would_run_as_a_formula_is_defused_in_the_csv():
    from reports.exports.columns import CellType

    assert writers.csv_value('=HYPERLINK("x")', CellType.TEXT) == '\'=HYPERLINK("x")'
    assert writers.csv_value("+48 601", CellType.TEXT) == "'+48 601"
    assert writers.csv_value("Żabka", CellType.TEXT) == "Żabka"


def test_the_audit_log_keeps_a_digest_whole_even_with_a_long_run_of_digits():
    from audit.sanitise import sanitise

    digest = "359d185332326700688a4635ad7efbcedd08aab205e5b35df13a297bf986bdb9"

    assert sanitise({"sha256": digest})["sha256"] == digest
