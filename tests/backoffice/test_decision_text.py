"""What the back office asks for the customer's letters: the grounds the customer reads, previewed
before approval, and the notice to law enforcement named as the withholding letter states it."""

import pytest
from django.core.files.base import ContentFile

from disputes.models import CaseState, DecisionProposal, EvidenceKind, ProposalStatus
from disputes.services import (
    case_add_evidence,
    case_assess_liability,
    case_refund_provisionally,
    case_start_review,
)
from letters.models import CustomerAddress, Letter, StaffProfile
from liability.engine import Findings
from tests.backoffice.conftest import NOW, warsaw
from tests.disputes.helpers import snapshot
from tests.letters.conftest import read_pdf

RECOVERY_AFTER_DISPATCH_PL = (
    "Część ponoszoną przez Państwa, 212,71 zł, pobierzemy z rachunku nie wcześniej niż "
    "następnego dnia po wysłaniu do Państwa tego pisma"
)

INTERNAL = "Notatka dla kierownika: limit 50 EUR, bez rażącego niedbalstwa"
GROUNDS = "Karta została skradziona, a płatności wykonano przed jej zastrzeżeniem."


@pytest.fixture
def assessed(case, analyst, supervisor):
    """Refunded and assessed: the 50 EUR cap leaves 212,71 zł to the customer (a partial acceptance)."""
    CustomerAddress.objects.create(
        customer=case.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    supervisor.first_name, supervisor.last_name = "Katarzyna", "Zielińska"
    supervisor.save()
    StaffProfile.objects.create(user=supervisor, position="Kierownik Zespołu Reklamacji Kartowych")
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=NOW)
    case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=NOW)
    return case


def test_the_decision_form_asks_for_the_text_the_customer_reads(assessed, analyst, as_staff):
    page = as_staff(analyst).get(f"/back-office/cases/{assessed.pk}/").content.decode()

    assert "Uzasadnienie faktyczne: tekst, który przeczyta klient" in page
    assert 'name="customer_grounds"' in page


def test_a_partial_decision_proposed_without_the_customers_text_is_refused_and_nothing_changes(
    assessed, analyst, as_staff
):
    before = snapshot(assessed)

    response = as_staff(analyst).post(
        f"/back-office/cases/{assessed.pk}/propose/", {"kind": "DECISION", "reason": INTERNAL}
    )

    assert response.status_code == 400
    assert "Napisz uzasadnienie faktyczne tak, jak przeczyta je klient" in response.content.decode()
    assert not DecisionProposal.objects.filter(case=assessed).exists()
    assert snapshot(assessed) == before


def test_the_approver_previews_the_decision_letter_with_the_customers_text_before_approving(
    assessed, analyst, supervisor, as_staff
):

    as_staff(analyst).post(
        f"/back-office/cases/{assessed.pk}/propose/",
        {"kind": "DECISION", "reason": INTERNAL, "customer_grounds": GROUNDS},
    )
    proposal = DecisionProposal.objects.get(case=assessed)
    approver = as_staff(supervisor)
    case_page = approver.get(f"/back-office/cases/{assessed.pk}/").content.decode()
    assert f"/back-office/cases/{assessed.pk}/proposals/{proposal.pk}/preview/" in case_page

    response = approver.get(f"/back-office/cases/{assessed.pk}/proposals/{proposal.pk}/preview/")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    letter = read_pdf(response.content)
    assert letter.says(GROUNDS)
    assert not letter.says(INTERNAL)
    assert letter.says("Uznaliśmy Państwa reklamację częściowo.")
    assert letter.says(RECOVERY_AFTER_DISPATCH_PL)
    assert letter.says(f"{assessed.number}/P{proposal.pk}/PREVIEW")
    # A preview decides, stores and issues nothing.
    proposal.refresh_from_db()
    assessed.refresh_from_db()
    assert (proposal.status, assessed.state) == (ProposalStatus.PENDING, CaseState.PROVISIONALLY_REFUNDED)
    assert not Letter.objects.filter(case=assessed).exists()


def test_the_withholding_form_names_the_notice_and_a_future_notice_date_is_refused(
    case, analyst, supervisor, as_staff
):
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE,
        file=ContentFile(b"%PDF-1.4 notice", name="notice.pdf"),
        description="skan",
        actor=analyst,
        now=NOW,
    )
    browser = as_staff(supervisor)
    page = browser.get(f"/back-office/cases/{case.pk}/").content.decode()
    for label in ("Zawiadomiony organ ścigania", "Data pisemnego zawiadomienia", "Znak zawiadomienia"):
        assert label in page
    before = snapshot(case)
    data = {
        "reason": "Wypłata z PIN-em przed zgłoszeniem",
        "authority": "Prokuratura Rejonowa Kraków-Śródmieście",
        "notified_on": "2025-05-27",
        "notice_reference": "KB/BZ/2025/0417",
    }

    refused = browser.post(f"/back-office/cases/{case.pk}/withhold_refund/", data)

    assert refused.status_code == 400
    assert "Data pisemnego zawiadomienia nie może być z przyszłości." in refused.content.decode()
    assert snapshot(case) == before

    browser.post(f"/back-office/cases/{case.pk}/withhold_refund/", {**data, "notified_on": "2025-05-26"})

    case.refresh_from_db()
    assert case.state == CaseState.REFUND_WITHHELD
    assert case.letter_requests.get(letter_type="REFUND_WITHHELD").context["law_enforcement"] == {
        "authority": "Prokuratura Rejonowa Kraków-Śródmieście",
        "notified_on": "2025-05-26",
        "reference": "KB/BZ/2025/0417",
    }
    assert warsaw(2025, 5, 26, 12, 0) == case.refund_withheld_at
