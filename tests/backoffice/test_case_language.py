"""The case page in the analyst's language: names of states, steps and outcomes, babel money,
transactions by merchant and date, people by name (never a PESEL)."""

from decimal import Decimal

from django.urls import reverse

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
