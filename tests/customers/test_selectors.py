from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from customers.models import Customer
from customers.selectors import customer_get_by_identifier, customer_get_for_user
from tests.customers.factories import CustomerFactory, UserFactory


@pytest.fixture
def resident(db):
    return CustomerFactory(pesel="44051401359", birth_date=date(1944, 5, 14))


@pytest.fixture
def non_resident(db):
    return CustomerFactory(pesel=None, bank_id="40012345")


@pytest.mark.parametrize("identifier", ["44051401359", " 44051401359 "])
def test_customer_is_found_by_pesel(resident, non_resident, identifier):
    assert customer_get_by_identifier(identifier=identifier) == resident


def test_customer_is_found_by_bank_id(resident, non_resident):
    assert customer_get_by_identifier(identifier="40012345") == non_resident


@pytest.mark.parametrize("identifier", ["02070803628", "40012346", "4001234", "", "' OR 1=1 --"])
def test_unknown_or_malformed_identifier_finds_nobody(resident, non_resident, identifier):
    with pytest.raises(Customer.DoesNotExist):
        customer_get_by_identifier(identifier=identifier)


@pytest.mark.django_db
def test_customer_is_found_for_their_user_only():
    user, staff = UserFactory(), UserFactory(username="staff")
    linked = CustomerFactory(user=user)
    CustomerFactory()

    assert customer_get_for_user(user=user) == linked
    with pytest.raises(Customer.DoesNotExist):
        customer_get_for_user(user=staff)
    with pytest.raises(Customer.DoesNotExist):
        customer_get_for_user(user=AnonymousUser())
