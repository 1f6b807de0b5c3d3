"""Exports fixtures: the stolen-card case of tests/disputes (received Monday 26 May 2025) and a second
one received a week later, report readers and the roles refused, and the export files cleaned up."""

from pathlib import Path

import pytest

from reports.exports.services import export_dir
from reports.models import ExportJob
from tests.disputes.conftest import (  # noqa: F401 (fixtures)
    RECEIVED_AT,
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
def seeded(db, eur_rates):
    """Two submitted claims: one received on 26 May 2025 (in the period the tests export), one on 2 June."""
    first = make_theft(username="anna")
    second = make_theft(username="bogdan")
    return [
        submitted_case(first, first.user, received_at=RECEIVED_AT),
        submitted_case(second, second.user, received_at=warsaw(2025, 6, 2, 10, 0)),
    ]


@pytest.fixture(autouse=True)
def _export_files_removed(request):
    """The worker writes into the configured export directory too: remove what this test made there."""
    yield
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    directory = Path(export_dir())
    for job in ExportJob.objects.all():
        for path in directory.glob(f"export-{job.pk}.*"):
            path.unlink(missing_ok=True)
        for path in directory.glob(f".{job.pk}-*.part"):
            path.unlink(missing_ok=True)
