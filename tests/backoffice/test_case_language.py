"""The case page in the analyst's language: names of states, steps and outcomes, babel money and
rates, transactions by merchant and date, people by name (never a PESEL); the history's police part;
the language switch."""

from decimal import Decimal

import pytest
from django.urls import reverse

from disputes.models import Case
from disputes.services import case_assign, case_start_review
from tests.backoffice.conftest import NOW


def test_the_case_page_names_things_as_the_analyst_does(client, case, analyst, as_staff):
    analyst.first_name, analyst.last_name = "Marta", "Zielińska"
    analyst.save()
    case_assign(case_id=case.pk, assignee=analyst, actor=analyst, now=NOW)
    case_start_review(case_id=case.pk, actor=analyst, now=NOW)

    page = as_staff(analyst).get(reverse("backoffice:case", kwargs={"case_id": case.pk})).content.decode()

    assert "<dd>920,00\xa0zł</dd>" in page
    assert "<dd>Marta Zielińska</dd>" in page
    assert "Krok: Rozpoczęto analizę (Złożona → W rozpatrywaniu)" in page
    assert "start_review" not in page.split('id="tl-h"')[1]
    assert "UNDER_REVIEW" not in page.split('id="tl-h"')[1]
    assert "26 maja 2025, 12:00:00" in page
    assert case.customer.pesel not in page
    assert f'<a href="/back-office/customers/{case.customer_id}/">Anna {case.customer.last_name}</a>' in page


def test_liability_lines_name_the_transaction_by_merchant_and_date(client, case, analyst, as_staff):
    from disputes.services import case_assess_liability
    from liability.engine import Findings

    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    case_assess_liability(case_id=case.pk, findings=Findings(), note="", actor=analyst, now=NOW)

    page = as_staff(analyst).get(reverse("backoffice:case", kwargs={"case_id": case.pk}))

    assert [(tx.merchant_name, line["customer"]) for tx, line in page.context["p"].assessment_lines] == [
        ("Euronet ATM", Decimal("212.71")),
        ("Biedronka", Decimal("0.00")),
    ]
    assert "<td>Euronet ATM, 23 maja 2025, 19:10:00</td>" in page.content.decode()


def test_the_nbp_rate_is_written_as_the_page_language_writes_numbers(client, case, analyst, as_staff):
    from disputes.services import case_assess_liability
    from liability.engine import Findings

    case_start_review(case_id=case.pk, actor=analyst, now=NOW)
    case_assess_liability(case_id=case.pk, findings=Findings(), note="", actor=analyst, now=NOW)
    url = reverse("backoffice:case", kwargs={"case_id": case.pk})
    as_staff(analyst)

    polish = client.get(url, HTTP_ACCEPT_LANGUAGE="pl").content.decode().split('id="liab-h"')[1]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().split('id="liab-h"')[1]

    assert "<td>099/A/NBP/2025 4,2541</td>" in polish
    assert "4.2541" not in polish
    assert "<td>099/A/NBP/2025 4.2541</td>" in english


@pytest.mark.parametrize(
    ("notified", "reference", "shown", "not_shown"),
    [
        (True, "RSD-1234/25", "(policja: RSD-1234/25)", "bez numeru"),
        (True, "", "(zgłoszono na policję, bez numeru sprawy)", "(policja: )"),
        (False, "", "Zgubiłam portfel w tramwaju.", "policj"),
    ],
    ids=["reference", "notified-without-reference", "not-notified"],
)
def test_the_history_names_the_police_reference_only_when_there_is_one(
    client, case, analyst, as_staff, notified, reference, shown, not_shown
):
    Case.objects.filter(pk=case.pk).update(
        customer_account="Zgubiłam portfel w tramwaju.", police_notified=notified, police_reference=reference
    )

    page = as_staff(analyst).get(reverse("backoffice:case", kwargs={"case_id": case.pk}))
    history = page.content.decode().split('id="tl-h"')[1].split("</ol>")[0]

    assert shown in history
    assert not_shown not in history


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_language_switch_names_each_language_in_itself_here_and_in_the_portal(
    client, analyst, as_staff, language
):
    staff_page = as_staff(analyst).get(
        reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE=language
    )
    portal_page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)

    for page in (staff_page, portal_page):
        html = page.content.decode()
        switch = html.split('<select id="language-select" name="language">')[1].split("</select>")[0]
        assert '<option value="pl" lang="pl"' in switch and ">Polski</option>" in switch
        assert '<option value="en" lang="en"' in switch and ">English</option>" in switch
        assert "angielski" not in switch and "Polish" not in switch
        assert f'<option value="{language}" lang="{language}" selected>' in switch


@pytest.mark.parametrize(
    ("language", "due"),
    [
        (
            "pl",
            "termin upływa z końcem dnia 27 maja 2025 (wtorek), tj. przed północą rozpoczynającą "
            "dzień 28 maja 2025",
        ),
        ("en", "due by the end of 27 May 2025 (Tuesday), i.e. before midnight at the start of 28 May 2025"),
    ],
)
def test_the_deadline_explanations_write_dates_in_words(client, case, analyst, as_staff, language, due):
    as_staff(analyst)

    page = client.get(
        reverse("backoffice:case", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    deadlines = page.split('id="deadlines-h"')[1].split("</section>")[0]
    assert due in deadlines
    assert "T00:00:00" not in deadlines  # (the chargebacks' windows are their own section)
    assert "2025-05-2" not in deadlines
    stored = Case.objects.get(pk=case.pk).deadline_explanations["refund"]["explanation_en"]
    assert "2025-05-27 (Tuesday)" in stored  # the stored record keeps the engine's wording


@pytest.mark.parametrize(("language", "label"), [("pl", "Inny dokument"), ("en", "Other")])
def test_another_kind_of_evidence_is_a_document_not_a_reason(
    client, case, analyst, as_staff, language, label
):
    as_staff(analyst)

    page = client.get(
        reverse("backoffice:case", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert f'<option value="OTHER">{label}</option>' in page
    assert "Inny powód</option>" not in page.split('name="kind"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    ("kind", "stored", "language", "shown"),
    [
        # as the portal stores it now: the English msgid, translated for each reader
        (
            "BLOCKED",
            "Reported lost or stolen in a claim.",
            "pl",
            "Zgłoszona w reklamacji jako zgubiona lub skradziona.",
        ),
        ("BLOCKED", "Reported lost or stolen in a claim.", "en", "Reported lost or stolen in a claim."),
        # as it was stored before, already in the customer's language
        (
            "BLOCKED",
            "Zgłoszona w reklamacji jako zgubiona lub skradziona.",
            "en",
            "Reported lost or stolen in a claim.",
        ),
        # a reason a person wrote is theirs
        ("BLOCKED", "Klient zadzwonił z Wiednia.", "en", "Klient zadzwonił z Wiednia."),
        # a wallet device stopped with the card or with its mobile payments
        ("WALLET_TOKEN_REMOVED", "Card cancelled.", "pl", "Karta zastrzeżona."),
        ("WALLET_TOKEN_SUSPENDED", "Mobile payments turned off.", "pl", "Wyłączono płatności mobilne."),
        ("WALLET_TOKEN_SUSPENDED", "Mobile payments turned off.", "en", "Mobile payments turned off."),
    ],
)
def test_a_card_event_reason_the_system_wrote_is_in_the_readers_language(
    client, case, analyst, as_staff, kind, stored, language, shown
):
    from cards.models import CardEvent

    CardEvent.objects.create(
        card_id=case.card_id, kind=kind, channel="PORTAL", occurred_at=NOW, reason=stored
    )
    as_staff(analyst)

    page = client.get(
        reverse("backoffice:case", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert f" — {shown}" in page.split('id="tl-h"')[1]


@pytest.mark.parametrize(("language", "name"), [("pl", "Zaplecze"), ("en", "Back office")])
def test_the_header_names_the_back_office_in_the_page_language_only(
    client, analyst, as_staff, language, name
):
    as_staff(analyst)

    page = client.get(
        reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert f"Kartosfera · {name}</a>" in page
    assert f'<nav aria-label="{name}">' in page
    assert "(back office)" not in page
