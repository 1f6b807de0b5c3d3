"""A customer's history in the admin: shown read only on the customer's page, which staff still edit."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from customers.models import CustomerEvent
from tests.customers.factories import CustomerFactory
from tests.customers.test_admin import FORM
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    sign_in_staff(client, admin_user)
    return client


def test_staff_change_a_customer_with_a_history_and_the_history_stays_as_written(staff_client):
    customer = CustomerFactory(bank_id="40019999", pesel=None, birth_date="1988-06-02")
    event = CustomerEvent.objects.create(
        customer=customer, kind="REGISTERED", occurred_at=datetime(2026, 5, 20, tzinfo=UTC)
    )
    form = {
        **FORM,
        "email": "new@example.com",
        "events-TOTAL_FORMS": "2",
        "events-INITIAL_FORMS": "1",
        "events-0-id": str(event.pk),
        "events-0-customer": str(customer.pk),
        "events-0-kind": "PHONE_CHANGED",
        "events-1-customer": str(customer.pk),
        "events-1-kind": "PASSWORD_CHANGED",
        "events-1-occurred_at": "2026-05-21 10:00:00",
    }

    response = staff_client.post(reverse("admin:customers_customer_change", args=[customer.pk]), form)

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.email == "new@example.com"
    assert list(customer.events.values_list("pk", "kind")) == [(event.pk, "REGISTERED")]
