"""Staff pages and files are never stored by a browser or a cache; the policies are on them too."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from disputes.services import case_add_evidence
from tests.backoffice.conftest import sign_in as staff_sign_in
from tests.kartosfera.test_http_edge import CSP, directives


def add_evidence(case, actor, name: str, content: bytes):
    return case_add_evidence(
        case_id=case.pk,
        kind="CUSTOMER_DOCUMENT",
        file=SimpleUploadedFile(name, content),
        description="",
        actor=actor,
        now=case.received_at,
    )


def test_staff_pages_and_the_evidence_download_are_not_stored(client, analyst, auditor, case):
    evidence = add_evidence(
        case, analyst, "policja.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
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
    evidence = add_evidence(
        case, analyst, "polyglot.html", b"%PDF-1.7\n<html><script>alert(1)</script></html>\n"
    )
    staff_sign_in(client, analyst)

    response = client.get(f"/back-office/evidence/{evidence.pk}/")

    assert response.status_code == 200
    assert evidence.content_type == "application/pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="polyglot.html"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_customers_own_download_of_the_evidence_is_not_stored(client, analyst, case, theft):
    from tests.disputes.portal.test_claim_pages import signed_in

    evidence = add_evidence(case, analyst, "skan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    signed_in(client, theft.user)

    response = client.get(f"/claims/{case.pk}/documents/{evidence.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert {"no-store", "private"} <= directives(response)
    assert response["Content-Security-Policy"] == CSP
