"""A claim taken by phone: find the customer (PESEL, name or phone), choose the card, tick the
transactions as the customer would in the portal; a refusal keeps what was typed, next to the field."""

from decimal import Decimal

import pytest
from django.urls import reverse

from disputes.models import Case, CaseState, Channel
from tests.backoffice.conftest import make_theft, warsaw

CLAIM = reverse("backoffice:claim_new")


def claim_url(theft) -> str:
    return f"{CLAIM}?customer={theft.customer.pk}&card={theft.card.pk}"


def answers(theft, **changes) -> dict:
    return {
        "transactions": theft.transaction_ids,
        "channel": "PHONE",
        "cause": "STOLEN",
        "received_at": "2025-05-26T09:30",
        "account": "Skradziona w tramwaju linii 4.",
        **changes,
    }


@pytest.mark.parametrize("query", ["anna", "ANNA TESTOWA", "601 234 567", "PESEL"])
def test_the_lookup_finds_the_customer_by_name_pesel_or_phone(client, analyst, as_staff, theft, query):
    query = theft.customer.pesel if query == "PESEL" else query
    as_staff(analyst)

    response = client.get(CLAIM, {"q": query})

    assert [c.pk for c in response.context["found"]] == [theft.customer.pk]
    assert f'href="{CLAIM}?customer={theft.customer.pk}"' in response.content.decode()


def test_the_customer_s_cards_then_the_card_s_transactions_are_offered(client, analyst, as_staff, theft):
    as_staff(analyst)

    cards = client.get(CLAIM, {"customer": theft.customer.pk})
    transactions = client.get(claim_url(theft))

    assert f'href="{CLAIM}?customer={theft.customer.pk}&amp;card={theft.card.pk}"' in cards.content.decode()
    assert cards.context["form"] is None
    assert [t.merchant_name for t in transactions.context["target"].transactions] == [
        "Biedronka",
        "Euronet ATM",
    ]
    assert transactions.content.decode().count('type="checkbox" name="transactions"') == 2


def test_the_analyst_ticks_the_transactions_and_the_claim_is_registered(
    client, analyst, as_staff, theft, eur_rates
):
    as_staff(analyst)

    response = client.post(claim_url(theft), answers(theft))

    case = Case.objects.get(customer=theft.customer)
    assert response["Location"] == reverse("backoffice:case", kwargs={"case_id": case.pk})
    assert (case.state, case.channel, case.disputed_amount, case.received_at) == (
        CaseState.SUBMITTED,
        Channel.PHONE,
        Decimal("920.00"),
        warsaw(2025, 5, 26, 9, 30),
    )


def test_a_received_at_in_the_future_is_said_next_to_the_field_and_the_answers_are_kept(
    client, analyst, as_staff, theft
):
    as_staff(analyst)

    response = client.post(claim_url(theft), answers(theft, received_at="2025-05-26T12:01"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "received_at": ["Czas rozmowy lub wizyty nie może być późniejszy niż teraz (26 maja 2025 12:00)."]
    }
    page = response.content.decode()
    assert "received_at" not in page.split('class="field-error"')[1].split("</p>")[0]
    assert 'value="2025-05-26T12:01"' in page
    assert "Skradziona w tramwaju linii 4." in page
    assert page.count(" checked") == 2
    assert not Case.objects.filter(customer=theft.customer).exists()


def test_a_transaction_of_another_customer_or_card_is_refused(client, analyst, as_staff, theft):
    other = make_theft(username="bartek")
    as_staff(analyst)

    response = client.post(claim_url(theft), answers(theft, transactions=[other.atm.pk]))

    assert list(response.context["form"].errors) == ["transactions"]
    assert not Case.objects.exists()


def test_a_too_long_account_is_refused_with_the_limit(client, analyst, as_staff, theft):
    as_staff(analyst)

    response = client.post(claim_url(theft), answers(theft, account="x" * 2001))

    assert response.context["form"].errors == {
        "account": ["Upewnij się, że ta wartość ma co najwyżej 2000 znaków (obecnie ma 2001)."]
    }


def test_a_card_of_another_customer_is_404(client, analyst, as_staff, theft):
    other = make_theft(username="bartek")
    as_staff(analyst)

    assert client.get(CLAIM, {"customer": theft.customer.pk, "card": other.card.pk}).status_code == 404


@pytest.mark.parametrize(("language", "born"), [("pl", "ur."), ("en", "born")])
def test_the_lookup_writes_the_birth_date_in_words(client, analyst, as_staff, theft, language, born):
    from kartosfera.formatting import format_long_date

    as_staff(analyst)

    page = client.get(CLAIM, {"q": "anna"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    birth_date = theft.customer.birth_date
    assert f"{born} {format_long_date(birth_date, language=language)}<br>" in page
    assert birth_date.isoformat() not in page
