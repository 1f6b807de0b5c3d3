"""The card forms read amounts as customers type them, in the language of the page."""

from decimal import Decimal

import pytest
from django.utils import translation

from cards.forms import LimitsForm


def _limits(language: str, cash: str) -> tuple[LimitsForm, dict[str, list[str]]]:
    """The limits form filled in on a page in ``language``, and its errors as that page shows them."""
    with translation.override(language):
        form = LimitsForm(
            {"daily_cash_limit": cash, "daily_pos_limit": "5000", "daily_internet_limit": "5000"}
        )
        form.is_valid()
        return form, {name: [str(error) for error in errors] for name, errors in form.errors.items()}


@pytest.mark.parametrize(
    ("language", "typed", "amount"),
    [
        ("en", "2,000.00", Decimal("2000.00")),
        ("en", "2,000", Decimal("2000.00")),
        ("en", "12,500.5", Decimal("12500.50")),
        ("en", "2000.50", Decimal("2000.50")),
        ("en", "2000,50", Decimal("2000.50")),
        ("pl", "2 000,00", Decimal("2000.00")),
        ("pl", "2\u00a0000,5", Decimal("2000.50")),
        ("pl", "2000.50", Decimal("2000.50")),
    ],
)
def test_an_amount_is_read_as_the_page_writes_it(language, typed, amount):
    form, errors = _limits(language, typed)

    assert errors == {}
    assert form.limits()["cash"] == amount


@pytest.mark.parametrize(
    ("language", "typed", "error"),
    [
        ("en", "1e3", "Enter a number."),
        ("pl", "1e3", "Wpisz liczbę."),
        ("en", "0x10", "Enter a number."),
        ("en", "1,00,000", "Enter a number."),
        ("pl", "1,500", "Upewnij się, że liczba ma nie więcej niż 2 cyfry po przecinku."),
        ("pl", "-5", "Upewnij się, że ta wartość jest większa lub równa 0."),
    ],
)
def test_what_is_no_amount_of_zloty_is_refused(language, typed, error):
    _, errors = _limits(language, typed)

    assert errors == {"daily_cash_limit": [error]}
