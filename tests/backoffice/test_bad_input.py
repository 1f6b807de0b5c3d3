"""The five causes of server errors the fuzzing found, each answered as bad input: a clear refusal (or
404) and nothing changed."""

import pytest
from django.urls import reverse

from disputes.models import Case
from tests.backoffice.conftest import sign_in
from tests.disputes.portal.test_claim_pages import signed_in

HUGE = "9" * 30


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.mark.parametrize("assignee", ["abc", " ", HUGE, "-1"])
def test_bulk_assignment_with_a_non_numeric_or_impossible_assignee_is_refused(
    client, supervisor, case, assignee
):
    sign_in(client, supervisor)

    response = client.post(reverse("backoffice:bulk_assign"), {"cases": [case.pk], "assignee": assignee})

    assert response.status_code == 302
    assert messages_of(response) == ["Wybierz sprawy i prowadzącego."]
    case.refresh_from_db()
    assert case.assignee_id is None


def test_a_refund_of_a_case_that_does_not_exist_answers_404(client, supervisor, case):
    sign_in(client, supervisor)

    response = client.post(f"/back-office/cases/{case.pk + 1000}/refund/")

    assert response.status_code == 404
    assert "<h1>Nie znaleziono strony</h1>" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "SUBMITTED"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("due_within_days", HUGE),
        ("page", HUGE),
        ("amount_min", HUGE),
        ("amount_max", "1" + "0" * 40),
        ("assignee", HUGE),
    ],
)
def test_huge_numbers_in_the_queue_filters_are_shown_as_invalid(client, analyst, case, parameter, value):
    sign_in(client, analyst)

    response = client.get(reverse("backoffice:queue", kwargs={"name": "all"}), {parameter: value})

    assert response.status_code == 200
    assert parameter in response.context["form"].errors
    assert [row.case.pk for row in response.context["page"].rows] == [case.pk]


def test_an_amount_range_upside_down_is_said_and_its_upper_bound_left_out(client, analyst, case):
    sign_in(client, analyst)

    response = client.get(
        reverse("backoffice:queue", kwargs={"name": "all"}),
        {"amount_min": "1", "amount_max": "0.5"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount_max": ["Jest mniejsza niż „Kwota od”, więc żadna sprawa nie mogłaby pasować."]
    }
    assert "Niektóre filtry są nieprawidłowe i zostały pominięte: Kwota do" in response.content.decode()
    assert [row.case.pk for row in response.context["page"].rows] == [case.pk]


def test_a_huge_transaction_id_in_a_claim_taken_by_phone_is_refused(client, analyst, theft):
    sign_in(client, analyst)

    response = client.post(
        reverse("backoffice:claim_new") + f"?customer={theft.customer.pk}&card={theft.card.pk}",
        {
            "transactions": [theft.atm.pk, HUGE],
            "channel": "PHONE",
            "cause": "STOLEN",
            "received_at": "2025-05-26T10:00",
            "account": "Karta skradziona w tramwaju.",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["transactions"] == [f"„{HUGE}” nie jest poprawną wartością."]
    assert not Case.objects.exists()


def test_a_huge_transaction_id_at_the_portal_claim_start_is_refused(client, theft):
    signed_in(client, theft.user)

    response = client.post(f"/claims/new/{theft.card.pk}/", {"transactions": [HUGE], "draft_token": "t1"})
    page = client.get(f"/claims/new/{theft.card.pk}/", {"transaction": HUGE})

    assert response.status_code == 200
    assert "transactions" in response.context["form"].errors
    assert page.status_code == 200
    assert not Case.objects.exists()
