"""Card forms: they parse what the customer typed; the services decide what is allowed."""

import re
from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cards.models import DAILY_LIMIT_FIELDS, CancellationReason, TransactionChannel
from cards.rules import contains_pan_like
from customers.forms import PortalForm, code_field

FOREIGN = "FOREIGN"


def no_card_number(value: str) -> None:
    """Free text we keep must never hold a card number."""
    if contains_pan_like(value):
        raise ValidationError(_("Please do not type a card number here."), code="pan_like")


class BlockForm(PortalForm):
    reason = forms.CharField(
        label=_("Why are you blocking the card? (optional)"),
        required=False,
        max_length=200,
        validators=[no_card_number],
        help_text=_("For example: I cannot find it. Do not type card numbers or PINs."),
    )


class CancelForm(PortalForm):
    reason = forms.ChoiceField(
        label=_("Why are you cancelling the card?"),
        choices=CancellationReason.choices,
        widget=forms.RadioSelect,
    )
    understood = forms.BooleanField(
        label=_("I understand that a cancelled card can never be used again."),
        error_messages={"required": _("Confirm that you understand the cancellation is permanent.")},
    )


def pin_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        min_length=4,
        max_length=4,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}", "size": 6}
        ),
    )


class PinForm(PortalForm):
    pin = pin_field(_("New PIN (4 digits)"))
    pin_repeated = pin_field(_("New PIN again"))
    code = code_field()


class ControlsForm(PortalForm):
    contactless_enabled = forms.BooleanField(label=_("Contactless payments"), required=False)
    internet_enabled = forms.BooleanField(label=_("Internet payments"), required=False)
    foreign_enabled = forms.BooleanField(label=_("Payments and withdrawals abroad"), required=False)
    atm_enabled = forms.BooleanField(label=_("Cash machine (ATM) withdrawals"), required=False)

    def __init__(self, *args, contactless_capable: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not contactless_capable:
            field = self.fields["contactless_enabled"]
            field.disabled = True
            field.help_text = _("This card cannot pay contactless.")


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


def amount_field(label: StrOrPromise) -> AmountField:
    return AmountField(
        label=label,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class LimitsForm(PortalForm):
    daily_cash_limit = amount_field(_("Daily cash (ATM) limit, PLN"))
    daily_pos_limit = amount_field(_("Daily cashless (POS) limit, PLN"))
    daily_internet_limit = amount_field(_("Daily internet limit, PLN"))

    def limits(self) -> dict[str, Decimal]:
        """The limits whose amounts parsed, even when another field did not (call after ``is_valid``)."""
        data = self.cleaned_data
        return {
            name: data[field] for name, field in DAILY_LIMIT_FIELDS.items() if data.get(field) is not None
        }


TYPE_CHOICES = [
    ("", _("All")),
    (TransactionChannel.CONTACTLESS, _("Contactless")),
    (TransactionChannel.CHIP_POS, _("Card terminal (chip)")),
    (TransactionChannel.INTERNET, _("Internet")),
    (TransactionChannel.ATM, _("Cash machine (ATM)")),
    (FOREIGN, _("Abroad")),
]


class TransactionFilters(TypedDict, total=False):
    """The filters of ``transaction_list_for_card``."""

    channel: str | None
    foreign: bool | None
    search: str | None


class TransactionFilterForm(PortalForm):
    type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, required=False)
    q = forms.CharField(label=_("Merchant or city"), required=False, max_length=100)

    def selector_filters(self) -> TransactionFilters:
        """The keyword arguments of ``transaction_list_for_card`` for what was chosen."""
        if not self.is_valid():
            return {}
        kind = self.cleaned_data["type"]
        return {
            "channel": kind if kind and kind != FOREIGN else None,
            "foreign": True if kind == FOREIGN else None,
            "search": self.cleaned_data["q"] or None,
        }
