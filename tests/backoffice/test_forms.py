"""Forms an analyst can trust: a refused form keeps what was typed, stays open and says why next to
the field; free text has a limit; every page has one h1 and no id twice."""

import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import CaseState
from disputes.services import case_start_review
from tests.backoffice.conftest import NOW


def case_url(case, action: str = "") -> str:
    if action:
        return reverse("backoffice:case_action", kwargs={"case_id": case.pk, "action": action})
    return reverse("backoffice:case", kwargs={"case_id": case.pk})


def test_a_withdrawal_without_a_reason_stays_open_with_the_error_next_to_the_field(
    client, case, analyst, as_staff
):
    as_staff(analyst)

    response = client.post(case_url(case, "withdraw"), {"reason": "   "})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<details open><summary>Wycofaj na prośbę klienta</summary>" in page
    assert '<p class="field-error" id="withdraw-reason_error">To pole jest wymagane.</p>' in page
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_a_too_long_extension_keeps_what_was_typed_and_gives_the_limit(client, case, analyst, as_staff):
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    as_staff(analyst)
    typed = {
        "reason": "Czekamy na agenta rozliczeniowego",
        "outstanding": "x" * 2001,
        "expected_reply_on": "2025-07-15",
    }

    response = client.post(case_url(case, "extend_reply"), typed)

    form = response.context["forms"]["extend_reply"]
    assert form.errors == {
        "outstanding": ["Upewnij się, że ta wartość ma co najwyżej 2000 znaków (obecnie ma 2001)."]
    }
    page = response.content.decode()
    assert "Czekamy na agenta rozliczeniowego</textarea>" in page
    assert 'value="2025-07-15"' in page
    assert "<details open><summary>Przedłuż termin odpowiedzi (zawiadomienie o opóźnieniu)</summary>" in page
    case.refresh_from_db()
    assert not case.reply_extended


def test_a_service_refusal_keeps_the_form_and_says_why(client, case, analyst, as_staff):
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    as_staff(analyst)
    typed = {
        "reason": "Czekamy na agenta",
        "outstanding": "Nagranie z bankomatu",
        "expected_reply_on": "2026-12-31",
    }

    response = client.post(case_url(case, "extend_reply"), typed)

    page = response.content.decode()
    assert response.status_code == 400
    assert response.context["forms"]["extend_reply"].non_field_errors() == [
        "Przewidywany termin odpowiedzi musi przypadać między dniem dzisiejszym "
        "a przedłużonym terminem, 25 lipca 2025."  # the date as a Polish page says it, not ISO
    ]
    assert "Nagranie z bankomatu</textarea>" in page
    assert "<details open><summary>Przedłuż termin odpowiedzi (zawiadomienie o opóźnieniu)</summary>" in page
    case.refresh_from_db()
    assert not case.reply_extended


def test_withholding_says_it_needs_a_written_notice_to_law_enforcement(client, case, supervisor, as_staff):
    case_start_review(case_id=case.pk, actor=supervisor, now=NOW)

    page = as_staff(supervisor).get(case_url(case)).content.decode()

    assert "Wymaga pisemnego zawiadomienia organów ścigania, dodanego jako dowód." in page
    assert "<strong>Nie dodano jeszcze zawiadomienia organów ścigania.</strong>" in page


@pytest.mark.parametrize(
    "name",
    [
        "queue",
        "chargebacks",
        "case",
        "approvals",
        "claim_lookup",
        "claim_new",
        "search",
        "customer",
        "postings",
        "audit_verifications",
    ],
)
def test_every_back_office_page_has_one_h1_and_unique_ids(client, case, supervisor, as_staff, name):
    case_start_review(case_id=case.pk, actor=supervisor, now=NOW)
    urls = {
        "queue": reverse("backoffice:queue", kwargs={"name": "all"}),
        "case": case_url(case),
        "approvals": reverse("backoffice:approvals"),
        "claim_new": reverse("backoffice:claim_new") + f"?customer={case.customer_id}&card={case.card_id}",
        "search": reverse("backoffice:search") + "?q=anna",
        "customer": reverse("backoffice:customer", kwargs={"customer_id": case.customer_id}),
        "chargebacks": reverse("backoffice:queue", kwargs={"name": "chargebacks"}),
        "claim_lookup": reverse("backoffice:claim_new") + "?q=anna",
        "postings": reverse("corebanking:postings"),
        "audit_verifications": reverse("reports:audit_verifications"),
    }

    page = as_staff(supervisor).get(urls[name]).content.decode()

    assert page.count("<h1") == 1
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [id_ for id_, count in ids.items() if count > 1] == []


def test_the_database_refuses_free_text_over_the_limit(case):
    from django.db import IntegrityError, transaction

    from disputes.models import Case

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(customer_account="x" * 2001)
    Case.objects.filter(pk=case.pk).update(customer_account="x" * 2000)
    assert len(Case.objects.get(pk=case.pk).customer_account) == 2000


def test_a_refused_document_is_shown_next_to_the_file_field(client, case, analyst, as_staff):
    as_staff(analyst)
    exe = SimpleUploadedFile(
        "protokol.pdf", b"MZ\x90\x00\x03\x00" + b"\x00" * 64, content_type="application/pdf"
    )

    response = client.post(case_url(case, "evidence"), {"kind": "OTHER", "description": "", "file": exe})

    assert response.status_code == 400
    assert response.context["forms"]["evidence"].errors == {
        "file": [
            "Można dodać tylko pliki PDF, JPEG i PNG. Sprawdzamy, co plik zawiera, a nie jak się nazywa, "
            "a ten plik nie jest żadnym z nich."
        ]
    }
    assert 'id="evidence-file_error"' in response.content.decode()
    assert not case.evidence.exists()
