from datetime import UTC, datetime

from demo.exports import seed
from reports.exports.services import export_path
from reports.models import ExportJob
from tests.reports.conftest import staff

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_the_demo_has_one_finished_export_however_often_it_is_seeded(seeded):
    auditor = staff("auditor", "auditors")

    first = seed(now=NOW)
    again = seed(now=NOW)

    job = ExportJob.objects.get()
    assert (job.requested_by, job.kind, job.state, job.rows_done) == (auditor, "CASES", "DONE", 2)
    assert (job.from_date.isoformat(), job.to_date.isoformat()) == ("2025-05-01", "2025-06-02")
    assert export_path(job).is_file()
    assert (
        first
        == again
        == [
            f"Exports: /reports/exports/ (auditor) lists export #{job.pk} of the cases received "
            "2025-05-01..2025-06-02 "
            f"(2 rows, DONE, SHA-256 {job.sha256[:12]}...)."
        ]
    )


def test_without_the_demo_auditor_there_is_no_demo_export(db):
    assert seed(now=NOW) == []
    assert not ExportJob.objects.exists()
