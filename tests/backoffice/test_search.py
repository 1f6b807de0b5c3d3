"""The search box on every back-office page and the customer page: each kind of lookup, exact results."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.backoffice.conftest import make_theft, submitted_case
from tests.cards.factories import CardFactory, TransactionFactory
from tests.customers.factories import CustomerFactory


@pytest.fixture
def lucja(db):
    customer = CustomerFactory(
        first_name="Łucja", last_name="Wójcik-Żak", pesel="92071314764", mobile_phone="+48512345678"
    )
    CardFactory(customer=customer, last4="7311")
    return customer


def search(client, query: str):
    response = client.get(reverse("backoffice:search"), {"q": query})
    assert response.status_code == 200
    results = response.context["results"]
    return (
        [f"{c.first_name} {c.last_name}" for c in results.customers],
        [case.number for case in results.cases],
    )


@pytest.mark.parametrize("query", ["wójcik", "WOJCIK", "łucja żak", "ucja", "Wójcik-Żak", "ŁUCJA"])
def test_a_customer_is_found_by_any_part_of_the_name_in_any_case_with_or_without_polish_letters(
    client, analyst, as_staff, lucja, query
):
    as_staff(analyst)
    assert search(client, query) == (["Łucja Wójcik-Żak"], [])


def test_a_customer_is_found_by_pesel_phone_and_card_last_four(client, analyst, as_staff, lucja):
    as_staff(analyst)
    assert search(client, "92071314764") == (["Łucja Wójcik-Żak"], [])
    assert search(client, "512 345 678") == (["Łucja Wójcik-Żak"], [])
    assert search(client, "+48512345678") == (["Łucja Wójcik-Żak"], [])
    assert search(client, "7311") == (["Łucja Wójcik-Żak"], [])
    assert search(client, "Kowalska") == ([], [])


def test_a_customer_without_pesel_is_found_by_the_bank_id(client, analyst, as_staff, db):
    CustomerFactory(first_name="John", last_name="Smith", pesel=None, bank_id="40012345")
    as_staff(analyst)
    assert search(client, "40012345") == (["John Smith"], [])


def test_cases_are_found_by_number_card_amount_and_merchant(client, analyst, as_staff, case, lucja):
    other = submitted_case(make_theft(username="bartek"), analyst)
    as_staff(analyst)
    anna = f"{case.customer.first_name} {case.customer.last_name}"
    # Both claims hold an 800.00 ATM withdrawal at Euronet and 120.00 at Biedronka: 920.00 in all.
    assert search(client, case.number) == ([], [case.number])
    assert search(client, case.number.replace("RK/", "").lstrip("0")) == ([], [case.number])
    assert search(client, case.card.last4) == ([anna], [case.number])
    assert search(client, "920,00") == ([], [other.number, case.number])
    assert search(client, "800") == ([], [other.number, case.number])
    assert search(client, "euronet") == ([], [other.number, case.number])
    assert search(client, "BIEDRON") == ([], [other.number, case.number])
    assert search(client, "Żabka") == ([], [])


def test_a_transaction_not_in_any_claim_finds_no_case(client, analyst, as_staff, lucja):
    TransactionFactory(card=lucja.cards.get(), merchant_name="Żabka Nano", amount_pln=Decimal("14.99"))
    as_staff(analyst)
    assert search(client, "żabka") == ([], [])
    assert search(client, "14,99") == ([], [])


def test_too_short_a_name_says_so(client, analyst, as_staff, lucja):
    as_staff(analyst)
    response = client.get(reverse("backoffice:search"), {"q": "Łu"})
    assert "Wpisz co najmniej 3 litery imienia, nazwiska lub sklepu." in response.content.decode()


def test_the_search_box_is_on_every_back_office_page(client, analyst, as_staff, case):
    as_staff(analyst)
    for url in (
        reverse("backoffice:queue", kwargs={"name": "mine"}),
        reverse("backoffice:case", kwargs={"case_id": case.pk}),
        reverse("backoffice:claim_new"),
        reverse("backoffice:approvals"),
        reverse("backoffice:customer", kwargs={"customer_id": case.customer_id}),
    ):
        page = client.get(url).content.decode()
        assert page.count('id="site-search"') == 1, url
        assert '<input type="search" id="site-search" name="q"' in page, url


def test_results_link_to_the_case_and_the_customer(client, analyst, as_staff, case):
    as_staff(analyst)
    page = client.get(reverse("backoffice:search"), {"q": case.card.last4}).content.decode()
    assert f'href="/back-office/cases/{case.pk}/"' in page
    assert f'href="/back-office/customers/{case.customer_id}/"' in page


def test_the_customer_page_shows_cards_transactions_and_cases(client, analyst, as_staff, case):
    as_staff(analyst)
    response = client.get(reverse("backoffice:customer", kwargs={"customer_id": case.customer_id}))
    page = response.context["p"]
    assert [card.pk for card in page.cards] == [case.card_id]
    assert [(t.merchant_name, t.open_case_id) for t in page.transactions] == [
        ("Biedronka", case.pk),
        ("Euronet ATM", case.pk),
    ]
    assert [c.number for c in page.cases] == [case.number]
    html = response.content.decode()
    assert "<h1>Anna " in html and "800,00\xa0zł" in html
    assert f'href="/back-office/claims/new/?customer={case.customer_id}"' in html


def test_the_customer_page_of_no_customer_is_404(client, analyst, as_staff, case):
    as_staff(analyst)
    assert client.get(reverse("backoffice:customer", kwargs={"customer_id": 999_999})).status_code == 404
