"""Exports fixtures: the stolen-card case of tests/disputes (received Monday 26 May 2025) and a second
one received a week later, report readers and the roles refused, and the export files cleaned up."""

import os
import tempfile
from pathlib import Path

import pytest
from django.db import DatabaseError

from audit.models import AuditEntry
from reports.exports.services import export_dir
from reports.models import ExportJob
from tests.disputes.conftest import (  # noqa: F401 (fixtures)
    RECEIVED_AT,
    _media,
    analyst,
    eur_rates,
    make_theft,
    staff,
    submitted_case,
    supervisor,
    warsaw,
)


@pytest.fixture
def auditor(db):
    return staff("auditor", "auditors")


@pytest.fixture
def administrator(db):
    return staff("administrator", "administrators")


@pytest.fixture
def seeded(db, request):
    """Two submitted claims: one received on 26 May 2025 (in the period the tests export), one on 2 June."""
    request.getfixturevalue("eur_rates")  # the first liability estimate needs the EUR rate
    first = make_theft(username="anna")
    second = make_theft(username="bogdan")
    return [
        submitted_case(first, first.user, received_at=RECEIVED_AT),
        submitted_case(second, second.user, received_at=warsaw(2025, 6, 2, 10, 0)),
    ]


# The Celery worker of `make test-services` starts after collection and inherits this: it and the tests
# share a directory of this session's own, where no file of another run can be mistaken for a job's.
# A module imported twice (as a conftest and by a test's import) must not make a second directory.
if "KARTOSFERA_TEST_EXPORT_DIR" not in os.environ:
    os.environ["KARTOSFERA_TEST_EXPORT_DIR"] = tempfile.mkdtemp(prefix="kartosfera-test-exports-")
SESSION_EXPORT_DIR = Path(os.environ["KARTOSFERA_TEST_EXPORT_DIR"])
os.environ["KARTOSFERA_EXPORT_DIR"] = str(SESSION_EXPORT_DIR)


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    """Tasks running in this process write into the test's own directory; with a worker process, both
    write into the session's directory, cleaned after each test below."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        settings.KARTOSFERA_EXPORT_DIR = tmp_path / "exports"
    else:
        settings.KARTOSFERA_EXPORT_DIR = SESSION_EXPORT_DIR


@pytest.fixture(autouse=True)
def _export_files_removed(_export_dir, django_db_blocker):
    """The worker writes into the configured export directory too: remove what this test made there."""
    yield
    with django_db_blocker.unblock():
        try:
            job_ids = list(ExportJob.objects.values_list("pk", flat=True))
        except DatabaseError:  # a test without a database
            return
    directory = Path(export_dir())
    for pk in job_ids:
        for path in directory.glob(f"export-{pk}.*"):
            path.unlink(missing_ok=True)
        for path in directory.glob(f".{pk}-*.part"):
            path.unlink(missing_ok=True)


def entries_for(job: ExportJob):
    """The audit entries about one export."""
    return AuditEntry.objects.filter(object_label="reports.exportjob", object_id=str(job.pk))
