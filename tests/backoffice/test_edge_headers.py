"""Staff pages and files are never stored by a browser or a cache; the policies are on them too."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from disputes.services import case_add_evidence
from tests.backoffice.conftest import sign_in as staff_sign_in
from tests.kartosfera.test_http_edge import CSP, directives


def test_staff_pages_and_the_evidence_download_are_not_stored(client, analyst, auditor, case):
    evidence = case_add_evidence(
        case_id=case.pk,
        kind="POLICE_REPORT",
        file=SimpleUploadedFile("policja.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        description="",
        actor=analyst,
        now=case.received_at,
    )
    staff_sign_in(client, analyst)
    case_page = client.get(f"/back-office/cases/{case.pk}/")
    download = client.get(f"/back-office/evidence/{evidence.pk}/")
    reports = staff_sign_in(Client(), auditor).get("/reports/")

    for response in (case_page, download, reports):
        assert response.status_code == 200
        assert {"no-store", "private"} <= directives(response)
        assert response["Content-Security-Policy"] == CSP


def test_the_evidence_download_takes_the_type_sniffed_at_upload_not_the_file_name(client, analyst, case):
    # A PDF whose name says HTML (a polyglot): served as what it is, as an attachment, never sniffed.
    evidence = case_add_evidence(
        case_id=case.pk,
        kind="CUSTOMER_DOCUMENT",
        file=SimpleUploadedFile("polyglot.html", b"%PDF-1.7\n<html><script>alert(1)</script></html>\n"),
        description="",
        actor=analyst,
        now=case.received_at,
    )
    staff_sign_in(client, analyst)

    response = client.get(f"/back-office/evidence/{evidence.pk}/")

    assert response.status_code == 200
    assert evidence.content_type == "application/pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="polyglot.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
