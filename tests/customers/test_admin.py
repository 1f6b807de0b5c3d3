from datetime import date

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "INDIVIDUAL",
    "company_name": "",
    "first_name": "Mykola",
    "last_name": "Bondarenko",
    "birth_date": "1988-06-02",
    "pesel": "",
    "bank_id": "40019999",
    "mobile_phone": "+380 67 765 4321",
    "email": "mykola@example.com",
    "preferred_language": "en",
    "user": "",
    # The read-only portal history inline's management form.
    "events-TOTAL_FORMS": "0",
    "events-INITIAL_FORMS": "0",
}


@pytest.fixture
def staff_client(client, admin_user):
    sign_in_staff(client, admin_user)
    return client


def test_staff_register_a_non_resident_under_a_bank_id(staff_client):
    response = staff_client.post(reverse("admin:customers_customer_add"), FORM)

    assert response.status_code == 302
    created = Customer.objects.get(bank_id="40019999")
    assert (created.pesel, created.mobile_phone, created.birth_date) == (
        None,
        "+380677654321",
        date(1988, 6, 2),
    )


def test_staff_register_a_resident_with_the_birth_date_from_the_pesel(staff_client):
    response = staff_client.post(
        reverse("admin:customers_customer_add"),
        {**FORM, "bank_id": "", "pesel": "44051401359", "birth_date": "", "mobile_phone": "601 234 567"},
    )

    assert response.status_code == 302
    created = Customer.objects.get(pesel="44051401359")
    assert (created.bank_id, created.birth_date, created.mobile_phone) == (
        None,
        date(1944, 5, 14),
        "+48601234567",
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"bank_id": ""}, "bank_id", "Klient bez numeru PESEL potrzebuje numeru identyfikacyjnego banku."),
        ({"pesel": "44051401358", "bank_id": ""}, "pesel", "Cyfra kontrolna numeru PESEL się nie zgadza"),
    ],
)
def test_admin_form_refuses_a_customer_without_a_valid_identifier(staff_client, changes, field, message):
    response = staff_client.post(reverse("admin:customers_customer_add"), {**FORM, **changes})

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not Customer.objects.filter(last_name="Bondarenko").exists()


def test_customer_list_and_search_show(staff_client):
    Customer.objects.create(
        pesel="44051401359",
        first_name="Jan",
        last_name="Kowalski",
        birth_date=date(1944, 5, 14),
        mobile_phone="+48601234567",
        email="jan@example.com",
    )

    response = staff_client.get(reverse("admin:customers_customer_changelist"), {"q": "44051401359"})

    assert response.status_code == 200
    assert "Kowalski" in response.content.decode()


def test_staff_see_a_customers_codes_without_the_code_and_the_portal_history(staff_client):
    from datetime import UTC, datetime

    from customers.models import CustomerEvent, OtpPurpose
    from customers.services import otp_issue
    from tests.customers.factories import CustomerFactory

    customer = CustomerFactory()
    challenge = otp_issue(
        customer=customer, purpose=OtpPurpose.REGISTRATION, now=datetime(2026, 5, 20, tzinfo=UTC)
    )
    CustomerEvent.objects.create(
        customer=customer, kind="REGISTERED", occurred_at=datetime(2026, 5, 20, tzinfo=UTC)
    )

    listing = staff_client.get(reverse("admin:customers_otpchallenge_changelist"))
    detail = staff_client.get(reverse("admin:customers_otpchallenge_change", args=[challenge.pk]))
    customer_page = staff_client.get(reverse("admin:customers_customer_change", args=[customer.pk]))

    assert listing.status_code == detail.status_code == customer_page.status_code == 200
    assert challenge.code_hash not in detail.content.decode()
    assert "Rejestracja w portalu" in customer_page.content.decode()
