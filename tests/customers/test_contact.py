"""The profile's e-mail and postal address, changed with a code; the portal in the customer's language."""

import pytest

from customers.models import Notification
from letters.models import CustomerAddress
from tests.customers.portal import last_code, registered_customer, sign_in

pytestmark = pytest.mark.django_db


def test_the_e_mail_address_changes_with_the_code_and_both_addresses_are_told(client, sms_outbox):
    customer = registered_customer(mobile_phone="+48601000555", email="stary@example.com")
    sign_in(client, customer)

    refused = client.post("/profile/email/", {"email": "nie-adres"})
    assert "Wpisz adres e-mail, np. anna.kowalska@example.com." in refused.content.decode()
    client.post("/profile/email/", {"email": "nowy@example.com"})
    customer.refresh_from_db()
    assert customer.email == "stary@example.com"  # not before the code
    wrong = client.post("/profile/email/confirm/", {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post("/profile/email/confirm/", {"code": last_code(sms_outbox, "+48601000555")})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email == "nowy@example.com"
    assert sorted(
        Notification.objects.filter(kind="EMAIL_CHANGED", channel="EMAIL").values_list("recipient", flat=True)
    ) == ["nowy@example.com", "stary@example.com"]


def test_the_postal_address_changes_with_the_code(client, sms_outbox):
    customer = registered_customer(mobile_phone="+48601000666")
    sign_in(client, customer)

    refused = client.post(
        "/letters/address/", {"street": "ul. Lipowa 4", "postal_code": "00950", "city": "Łódź"}
    )
    assert "Wpisz kod pocztowy jako dwie cyfry, myślnik i trzy cyfry: 00-950." in refused.content.decode()
    client.post(
        "/letters/address/", {"street": "ul.  Lipowa 4 m. 2", "postal_code": "90-001", "city": "Łódź"}
    )
    assert not CustomerAddress.objects.filter(customer=customer).exists()
    page = client.get("/letters/address/confirm/").content.decode()
    assert "ul. Lipowa 4 m. 2, 90-001 Łódź" in page
    client.post("/letters/address/confirm/", {"code": last_code(sms_outbox, "+48601000666")})

    address = CustomerAddress.objects.get(customer=customer)
    assert (address.street, address.postal_code, address.city) == ("ul. Lipowa 4 m. 2", "90-001", "Łódź")
    assert "ul. Lipowa 4 m. 2, 90-001 Łódź" in client.get("/profile/").content.decode()
    assert Notification.objects.filter(customer=customer, kind="ADDRESS_CHANGED", channel="SMS").exists()


def test_signing_in_switches_the_portal_to_the_customers_language(client):
    customer = registered_customer(preferred_language="en")

    response = sign_in(client, customer)

    assert response.cookies["django_language"].value == "en"
    page = client.get("/profile/").content.decode()
    assert "<h1>My details</h1>" in page
    assert '<option value="en" lang="en" selected>English</option>' in page
    assert '<option value="pl" lang="pl">Polski</option>' in page


def test_a_polish_customer_is_signed_in_in_polish(client):
    customer = registered_customer()
    client.cookies["django_language"] = "en"

    sign_in(client, customer)

    assert "<h1>Moje dane</h1>" in client.get("/profile/").content.decode()


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_profile_shows_only_the_last_four_digits_of_the_pesel(client, language):
    customer = registered_customer(preferred_language=language)
    sign_in(client, customer)

    page = client.get("/profile/").content.decode()

    assert f"<dt>PESEL</dt><dd>••••••• {customer.pesel[-4:]}</dd>" in page
    assert customer.pesel not in page
