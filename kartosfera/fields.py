"""Form fields the portal and the staff pages share."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django_stubs_ext import StrOrPromise

from kartosfera.money import MONEY_DIGITS

# An amount as typed once its spaces are gone: digits with at most one decimal comma or point (a sign
# only so that a negative amount is told it must be 0 or more, not that it is no number).
TYPED_AMOUNT = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
# Thousands grouped with commas, as the English pages show amounts ("5,000.00").
COMMA_GROUPED_AMOUNT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


class AmountField(forms.DecimalField):
    """An amount in złoty as people type it: ``5000``, ``5 000``, ``5000,50`` or ``5000.50``, and in
    English also ``5,000.00``, as the English pages write it; never ``1e3`` or other notations."""

    def clean(self, value: Any) -> Any:
        if isinstance(value, str):
            value = re.sub(r"\s", "", value)
            if get_format("DECIMAL_SEPARATOR") == "." and COMMA_GROUPED_AMOUNT.fullmatch(value):
                value = value.replace(",", "")
            elif value and not TYPED_AMOUNT.fullmatch(value):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            value = value.replace(",", ".")
        return super().clean(value)


def amount_field(
    label: StrOrPromise, *, required: bool = True, min_value: Decimal = Decimal("0")
) -> AmountField:
    """An amount field as a money column holds it, shown in the page's language (``1000,50`` in Polish)."""
    return AmountField(
        label=label,
        required=required,
        min_value=min_value,
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
