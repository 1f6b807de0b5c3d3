"""A verification of the audit log shows a real percentage while it runs: entries verified of the
entries to verify (counted in the run's snapshot), as a progressbar with aria-valuenow."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from kartosfera import clock
from reports.models import AuditVerification, ExportState
from reports.progress import ProgressAside
from reports.verification import audit_verification_request, audit_verification_run
from tests.backoffice.conftest import sign_in
from tests.conftest import requires_services
from tests.disputes.conftest import staff


@pytest.fixture
def auditor(db):
    return staff("auditor", "auditors")


def progressbar(page: str) -> str:
    """The progressbar's opening tag on the page."""
    return re.search(r'<div class="progress" role="progressbar"[^>]*>', page)[0]


def test_the_chain_check_reports_its_progress_from_the_count_known_at_the_start(auditor):
    audit_verification_request(actor=auditor, anchors={}, now=clock.now())  # at least a few entries
    total = AuditEntry.objects.sealed().count()
    reports: list[tuple[int, int]] = []

    report = audit_chain_verify(progress=lambda done, of: reports.append((done, of)), progress_every=2)

    expected = [(0, total), *((done, total) for done in range(2, total + 1, 2))]
    if total % 2:
        expected.append((total, total))
    assert reports == expected
    assert report.entries_checked == total


def test_the_run_records_what_it_verified_of_what_it_counted(client, auditor, settings):
    settings.REPORTS_AUDIT_PROGRESS_ENTRIES = 1
    sign_in(client, auditor)
    verification = audit_verification_request(actor=auditor, anchors={}, now=clock.now())

    verification = audit_verification_run(verification_id=verification.pk, clock=clock.now)

    verification.refresh_from_db()
    checked = verification.result["entries_checked"]
    assert (verification.entries_verified, verification.entries_total, verification.percent) == (
        checked,
        checked,
        100,
    )
    page = client.get(reverse("reports:audit_verification", args=[verification.pk])).content.decode()
    bar = progressbar(page)
    assert 'aria-valuenow="100"' in bar and 'aria-valuemin="0"' in bar and 'aria-valuemax="100"' in bar
    assert f"100%</strong> — {checked} z {checked} wpisów zweryfikowanych" in page


def test_a_running_verification_shows_its_percentage(client, auditor):
    sign_in(client, auditor)
    verification = audit_verification_request(actor=auditor, anchors={}, now=clock.now())
    # As the run leaves it between two records: 3 of the 8 entries of its snapshot verified.
    AuditVerification.objects.filter(pk=verification.pk).update(
        state=ExportState.RUNNING, entries_total=8, entries_verified=3
    )

    page = client.get(reverse("reports:audit_verification", args=[verification.pk])).content.decode()

    bar = progressbar(page)
    assert 'aria-valuenow="37"' in bar
    assert 'aria-valuetext="37%: 3 z 8 wpisów zweryfikowanych"' in bar
    assert 'Postęp weryfikacji: <strong class="progress-percent">37%</strong>' in page
    assert '<meta http-equiv="refresh" content="3">' in page  # the page follows the run


def test_a_queued_verification_has_no_percentage_yet(client, auditor):
    sign_in(client, auditor)
    verification = audit_verification_request(actor=auditor, anchors={}, now=clock.now())

    page = client.get(
        reverse("reports:audit_verification", args=[verification.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    bar = progressbar(page)
    assert "aria-valuenow" not in bar and 'aria-valuetext="waiting to start"' in bar
    assert verification.percent is None


@requires_services
@pytest.mark.django_db(transaction=True)
def test_the_page_sees_the_progress_while_the_run_reads_its_read_only_snapshot(
    auditor, settings, monkeypatch
):
    settings.REPORTS_AUDIT_PROGRESS_ENTRIES = 1
    verification = audit_verification_request(actor=auditor, anchors={}, now=clock.now())
    total = AuditEntry.objects.sealed().count()
    seen = []
    record = ProgressAside.record

    def record_and_look(self, **values):
        record(self, **values)
        # What the verification's page would read meanwhile, from yet another connection.
        with connection.get_new_connection(connection.get_connection_params()) as other:
            seen.append(
                tuple(
                    other.execute(
                        "SELECT entries_verified, entries_total FROM reports_auditverification WHERE id = %s",
                        [verification.pk],
                    ).fetchone()
                )
            )

    monkeypatch.setattr(ProgressAside, "record", record_and_look)

    verification = audit_verification_run(verification_id=verification.pk, clock=clock.now)

    assert seen == [(done, total) for done in range(total + 1)]
    assert (verification.state, verification.entries_verified, verification.percent) == ("DONE", total, 100)
