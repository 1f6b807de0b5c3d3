from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from customers.models import Customer
from tests.customers.factories import CustomerFactory

TODAY = date(2026, 11, 21)


def customer(**overrides) -> Customer:
    values = {
        "first_name": "Anna",
        "last_name": "Kowalska",
        "pesel": "44051401359",
        "birth_date": None,
        "mobile_phone": "601 234 567",
        "email": "anna@example.com",
    }
    return Customer(**{**values, **overrides})


def error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {name: [item.code for item in items] for name, items in error.error_dict.items()}


@pytest.mark.django_db
def test_customer_without_pesel_or_bank_id_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(
            first_name="Jan",
            last_name="Bezimienny",
            birth_date=date(1980, 1, 1),
            mobile_phone="+48601234567",
            email="jan@example.com",
        )

    assert not Customer.objects.filter(last_name="Bezimienny").exists()


@pytest.mark.django_db
def test_two_customers_cannot_share_a_pesel():
    CustomerFactory(pesel="44051401359", birth_date=date(1944, 5, 14))

    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(pesel="44051401359", birth_date=date(1944, 5, 14), last_name="Druga")

    assert Customer.objects.filter(pesel="44051401359").count() == 1


@pytest.mark.django_db
def test_many_customers_without_pesel_are_allowed():
    CustomerFactory(pesel=None, bank_id="40012345")
    CustomerFactory(pesel=None, bank_id="40012346")

    assert Customer.objects.filter(pesel__isnull=True, bank_id__in=["40012345", "40012346"]).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides",
    [
        {"pesel": "4405140135X"},
        {"pesel": ""},
        {"pesel": None, "bank_id": "4001234"},
        {"mobile_phone": "601234567"},
        {"kind": "PERSON"},
        {"kind": Customer.Kind.BUSINESS, "company_name": ""},
    ],
)
def test_database_refuses_malformed_customers(overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(**overrides)

    assert not Customer.objects.exists()


def test_validation_fills_birth_date_from_pesel_and_normalises_the_phone():
    anna = customer()

    anna.validate_identity(today=TODAY)

    assert (anna.pesel, anna.birth_date, anna.mobile_phone) == (
        "44051401359",
        date(1944, 5, 14),
        "+48601234567",
    )


def test_validation_accepts_a_non_resident_with_a_bank_id():
    olena = customer(
        pesel="", bank_id=" 40012345 ", birth_date=date(1990, 4, 8), mobile_phone="+380 67 123 4567"
    )

    olena.validate_identity(today=TODAY)

    assert (olena.pesel, olena.bank_id, olena.mobile_phone) == (None, "40012345", "+380671234567")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"pesel": "44051401358"}, {"pesel": ["pesel_checksum"]}),
        ({"pesel": "", "birth_date": date(1990, 1, 1)}, {"bank_id": ["identifier_required"]}),
        ({"pesel": "", "bank_id": "123", "birth_date": date(1990, 1, 1)}, {"bank_id": ["bank_id_format"]}),
        ({"birth_date": date(1944, 5, 15)}, {"birth_date": ["birth_date_differs_from_pesel"]}),
        ({"mobile_phone": "22 123 45 67"}, {"mobile_phone": ["phone_not_mobile"]}),
        ({"kind": Customer.Kind.BUSINESS}, {"company_name": ["company_name_required"]}),
        (
            {"pesel": "", "bank_id": "40012345", "birth_date": date(2027, 1, 1)},
            {"birth_date": ["birth_date_future"]},
        ),
    ],
)
def test_validation_names_each_problem(overrides, expected):
    with pytest.raises(ValidationError) as caught:
        customer(**overrides).validate_identity(today=TODAY)

    assert error_codes(caught.value) == expected


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This PESEL number's check digit is wrong; please check for a typing mistake."),
        ("pl", "Cyfra kontrolna numeru PESEL się nie zgadza; sprawdź, czy nie ma literówki."),
    ],
)
def test_validation_message_is_in_the_customers_language(language, message):
    with pytest.raises(ValidationError) as caught, translation.override(language):
        customer(pesel="44051401358").validate_identity(today=TODAY)

    with translation.override(language):
        assert caught.value.message_dict["pesel"] == [message]


def test_validation_message_with_a_value_is_translated():
    with pytest.raises(ValidationError) as caught:
        customer(pesel="4405140135").validate_identity(today=TODAY)

    with translation.override("pl"):
        assert caught.value.message_dict["pesel"] == ["Numer PESEL ma 11 cyfr; ten ma 10."]


@pytest.mark.django_db
def test_full_clean_uses_the_warsaw_date_for_the_future_check(time_machine):
    # 23:30 UTC on 20 November is already 21 November in Warsaw: someone born on the 21st is valid.
    time_machine.move_to(datetime(2026, 11, 20, 23, 30, tzinfo=UTC), tick=False)
    newborn = customer(pesel="26312100005")

    newborn.full_clean()

    assert newborn.birth_date == date(2026, 11, 21)


def test_customer_is_shown_by_name_only():
    assert str(customer()) == "Anna Kowalska"


@pytest.mark.django_db
def test_a_security_stamp_fits_its_column_and_changes_when_rotated():
    from customers.models import User

    user = User.objects.create_user(username="stamp-test", password="x")
    before = user.security_stamp

    user.rotate_security_stamp()

    assert len(before) == len(user.security_stamp) == User._meta.get_field("security_stamp").max_length
    assert user.security_stamp != before
