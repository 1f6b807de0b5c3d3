from datetime import UTC, datetime

import pytest

from customers.models import Customer
from demo import customers as demo
from tests.customers.portal import sign_in

NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_demo_customer_can_sign_in_with_the_printed_password(client):
    lines = demo.seed(now=NOW)
    anna = Customer.objects.get(first_name="Anna", last_name="Kowalska")

    response = sign_in(client, anna, password=demo.CUSTOMER_DEMO_PASSWORD)

    assert response["Location"] == "/cards/"
    assert any(anna.pesel in line and demo.CUSTOMER_DEMO_PASSWORD in line for line in lines)
    assert any("born 1990-04-08" in line and "40012345" in line for line in lines)


@pytest.mark.django_db
def test_seeding_again_keeps_a_changed_password(client):
    demo.seed(now=NOW)
    anna = Customer.objects.get(first_name="Anna", last_name="Kowalska")
    anna.user.set_password("Changed-By-Anna-1")
    anna.user.save()

    demo.seed(now=NOW)

    anna.user.refresh_from_db()
    assert anna.user.check_password("Changed-By-Anna-1")


@pytest.mark.django_db
def test_the_other_demo_customers_can_register_with_the_printed_details(client, sms_outbox):
    demo.seed(now=NOW)
    piotr = Customer.objects.get(first_name="Piotr")

    response = client.post(
        "/register/", {"identifier": piotr.pesel, "birth_date": piotr.birth_date.isoformat()}
    )

    assert response["Location"] == "/register/code/"
