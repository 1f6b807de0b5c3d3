"""The portal's forms as the customer reads their errors."""

import pytest
from django.utils import translation

from customers.forms import CodeForm, PhoneConfirmForm


@pytest.mark.parametrize("entered", ["12", "1234567", "12a456"])
def test_a_mistyped_code_is_told_once_that_it_has_6_digits(entered):
    with translation.override("pl"):
        errors = {
            name: [str(error) for error in errors]
            for name, errors in CodeForm({"code": entered}).errors.items()
        }

    assert errors == {"code": ["Kod ma 6 cyfr."]}


def test_each_code_of_a_phone_change_is_told_once(entered="123"):
    with translation.override("en"):
        form = PhoneConfirmForm({"old_code": entered, "new_code": "12345678"})
        errors = {name: [str(error) for error in errors] for name, errors in form.errors.items()}

    assert errors == {"old_code": ["The code has 6 digits."], "new_code": ["The code has 6 digits."]}


def test_a_code_of_6_digits_is_taken():
    assert CodeForm({"code": " 123456 "}).is_valid()
