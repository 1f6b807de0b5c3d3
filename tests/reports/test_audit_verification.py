"""Auditors land on the reports and verify the audit log from the browser: a job, its result (with
the anchors it was checked against), the report to download."""

import json

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from audit.models import AuditEntry
from disputes.backoffice.services import staff_totp_device_ensure
from kartosfera import clock
from reports.models import AuditVerification
from reports.verification import audit_verification_run
from tests.backoffice.conftest import sign_in
from tests.disputes.conftest import staff


@pytest.fixture
def auditor(db):
    return staff("auditor", "auditors")


def test_an_auditor_lands_on_the_reports(client, auditor):
    device = staff_totp_device_ensure(user=auditor)
    auditor.set_password("Correct-Horse-42")
    auditor.save()
    client.post(reverse("backoffice:sign_in"), {"username": "auditor", "password": "Correct-Horse-42"})
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"

    response = client.post(reverse("backoffice:sign_in_code"), {"code": code})

    assert response["Location"] == reverse("reports:report")
    assert client.get(reverse("backoffice:home"))["Location"] == reverse("reports:report")


def run_queued() -> AuditVerification:
    """Run the queued verification as its task does (the same call, here rather than on a worker)."""
    verification = AuditVerification.objects.get()
    return audit_verification_run(verification_id=verification.pk, clock=clock.now)


def test_an_auditor_verifies_the_audit_log_and_downloads_the_report(client, auditor):
    sign_in(client, auditor)
    last = AuditEntry.objects.order_by("-sequence").first()

    response = client.post(
        reverse("reports:audit_verifications"), {"anchors": f"{last.sequence}:{last.entry_hash}"}
    )

    verification = run_queued()
    assert response["Location"] == reverse(
        "reports:audit_verification", kwargs={"verification_id": verification.pk}
    )
    assert (verification.state, verification.ok) == ("DONE", True)
    assert verification.anchors == {str(last.sequence): last.entry_hash}
    page = client.get(response["Location"]).content.decode()
    assert "Dziennik audytu jest nienaruszony" in page
    assert f"{last.sequence}: {last.entry_hash}" in page
    report = client.get(
        reverse("reports:audit_verification_report", kwargs={"verification_id": verification.pk})
    )
    document = json.loads(report.content)
    assert (
        report["Content-Disposition"] == f'attachment; filename="audit-verification-{verification.pk}.json"'
    )
    assert report["X-Content-Type-Options"] == "nosniff"
    assert (document["result"]["ok"], document["anchors"], document["requested_by"]) == (
        True,
        {str(last.sequence): last.entry_hash},
        "auditor",
    )
    assert document["result"]["entries_checked"] == last.sequence + 1  # and the request, logged first


def test_a_wrong_anchor_shows_the_break(client, auditor):
    sign_in(client, auditor)
    last = AuditEntry.objects.order_by("-sequence").first()

    client.post(reverse("reports:audit_verifications"), {"anchors": f"{last.sequence}:{'0' * 64}"})

    verification = run_queued()
    assert (verification.state, verification.ok, verification.result["first_break"]) == (
        "DONE",
        False,
        last.sequence,
    )
    # The problem is named for the auditor, not by its code.
    page = client.get(reverse("reports:audit_verification", args=[verification.pk])).content.decode()
    assert "<td>Różni się od kotwicy przechowywanej poza bazą danych</td>" in page
    assert "ANCHOR_MISMATCH" not in page


def test_a_malformed_anchor_is_refused_next_to_the_field(client, auditor):
    sign_in(client, auditor)

    response = client.post(reverse("reports:audit_verifications"), {"anchors": "12:abc"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "anchors": ["Wiersz 1 nie ma postaci NUMER:SHA256 (liczba, dwukropek, 64 cyfry szesnastkowe)."]
    }
    assert not AuditVerification.objects.exists()


def test_an_analyst_may_not_verify(client, db):
    analyst = staff("analyst", "analysts")
    sign_in(client, analyst)

    assert client.post(reverse("reports:audit_verifications"), {"anchors": ""}).status_code == 403
    assert not AuditVerification.objects.exists()


def test_the_list_names_who_started_each_verification_in_polish(client, auditor):
    # The column of the person was headed "Termin" (a due date: the letters' "By" column's Polish).
    sign_in(client, auditor)
    client.post(reverse("reports:audit_verifications"), {"anchors": ""})
    run_queued()

    page = client.get(reverse("reports:audit_verifications")).content.decode()

    assert '<th scope="col">Rozpoczął(-ęła)</th>' in page
    assert '<th scope="col">Termin</th>' not in page
