"""Card forms: they parse what the customer typed; the services decide what is allowed."""

from decimal import Decimal
from typing import TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cards.models import DAILY_LIMIT_FIELDS, CancellationReason, TransactionChannel
from cards.rules import contains_pan_like
from customers.forms import PortalForm, code_field
from kartosfera.fields import amount_field

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
