"""The approvals page shows what each proposal is about in money, a chargeback's result as well as a
case's steps: the supervisor approves an amount, never a bare kind."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cards.models import Transaction
from disputes.services import case_assess_liability, case_propose, case_start_review
from liability.engine import Findings
from tests.backoffice.conftest import make_theft, submitted_case, warsaw
from tests.backoffice.test_no_raw_codes import worked  # noqa: F401 (fixture)

AT = warsaw(2025, 7, 1, 10, 0)


def rows(page: str) -> dict[str, str]:
    """The approvals table's rows as their visible text, by the proposal's column (its second cell)."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        found[cells[1]] = " | ".join(cells)
    return found


@pytest.fixture
def pending(worked, theft, analyst, supervisor, settings):  # noqa: F811
    """The worked case's chargeback result (its ATM withdrawal made abroad, 187.50 EUR), a refund above
    the limit on a second case and a rejection on a third, all waiting for approval."""
    Transaction.objects.filter(pk=theft.atm.pk).update(
        original_amount=Decimal("187.500"), original_currency="EUR"
    )
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = Decimal("500.00")
    refund = submitted_case(make_theft(username="ewa"), analyst)
    case_start_review(case_id=refund.pk, actor=analyst, now=AT)
    case_propose(case_id=refund.pk, kind="REFUND", reason="Above the limit", actor=analyst, now=AT)
    decision = submitted_case(make_theft(username="jan"), analyst)
    case_start_review(case_id=decision.pk, actor=analyst, now=AT)
    case_assess_liability(case_id=decision.pk, findings=Findings(intent=True), actor=analyst, now=AT)
    case_propose(
        case_id=decision.pk, kind="DECISION", reason="PIN", customer_grounds="PIN", actor=analyst, now=AT
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            {
                "Wynik obciążenia zwrotnego Mastercard 4870 (Euronet ATM): Wygrany": "800,00 zł (187,50 €)",
                "Zwrot tymczasowy powyżej limitu zasady czworga oczu": "920,00 zł",
                "Decyzja (Nieuwzględniona)": "920,00 zł",
            },
        ),
        (
            "en",
            {
                "Result of a chargeback Mastercard 4870 (Euronet ATM): Won": "PLN 800.00 (€187.50)",
                "Provisional refund above the four-eyes limit": "PLN 920.00",
                "Decision (Rejected)": "PLN 920.00",
            },
        ),
    ],
)
def test_every_row_shows_its_amount_a_chargeback_in_pln_and_its_original_currency(
    pending, supervisor, as_staff, client, language, expected
):
    as_staff(supervisor)
    client.cookies["django_language"] = language

    found = rows(client.get(reverse("backoffice:approvals")).content.decode())

    assert {label: row.split(" | ")[2] for label, row in found.items()} == expected


def test_a_chargeback_for_part_of_a_payment_abroad_is_shown_in_pln_only(
    pending, theft, supervisor, as_staff, client
):
    # Charged back 400,00 zł of the 800,00 zł withdrawal (187,50 €): 187,50 € beside it would read as the
    # euro value of the 400,00 zł.
    from chargebacks.models import Chargeback

    Chargeback.objects.filter(transaction=theft.atm).update(amount=Decimal("400.00"))
    as_staff(supervisor)
    client.cookies["django_language"] = "pl"

    found = rows(client.get(reverse("backoffice:approvals")).content.decode())

    assert (
        found["Wynik obciążenia zwrotnego Mastercard 4870 (Euronet ATM): Wygrany"].split(" | ")[2]
        == "400,00 zł"
    )
