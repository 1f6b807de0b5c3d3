"""The portal form for the postal address letters go to. It parses; the service decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import PortalForm


class AddressChangeForm(PortalForm):
    street = forms.CharField(
        label=_("Street, house and flat number"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 7}),
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
