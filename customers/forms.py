"""Portal forms: registration, sign-in, codes, passwords, the phone number, the e-mail address.

They parse; services decide.
"""

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from kartosfera.widgets import DatePicker

CODE_VALIDATOR = RegexValidator(r"^[0-9]{6}$", _("The code has 6 digits."), code="code_format")


def code_field(label: StrOrPromise | None = None) -> forms.CharField:
    """A 6-digit code from a text message, with the phone keyboard and one-time-code autofill."""
    # No min_length/max_length: their generic "at least 6 characters" would repeat the validator's
    # one message (the browser's maxlength stays, set here).
    return forms.CharField(
        label=label or _("Code from the text message"),
        validators=[CODE_VALIDATOR],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "maxlength": 6,
                "size": 8,
            }
        ),
    )


def identifier_field(help_text: StrOrPromise = "") -> forms.CharField:
    """The customer's PESEL or, without one, the number the bank gave them: the portal's user name."""
    return forms.CharField(
        label=_("PESEL or bank identification number"),
        max_length=11,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )


class PortalForm(forms.Form):
    """A portal form: required fields are marked. A service's refusal goes on it with
    ``kartosfera.refusals.add_refusal``."""

    required_css_class = "required"


class SignInForm(PortalForm):
    identifier = identifier_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class RegistrationForm(PortalForm):
    identifier = identifier_field(help_text=_("Without a PESEL: the 8-digit number the bank gave you."))
    birth_date = forms.DateField(
        label=_("Date of birth"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=DatePicker(attrs={"autocomplete": "bday"}),
    )


class CodeForm(PortalForm):
    code = code_field()


class SetPasswordForm(PortalForm):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters; not only digits, not a common password, not like your name."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class PasswordChangeForm(SetPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]


class PhoneChangeForm(PortalForm):
    new_phone = forms.CharField(
        label=_("New mobile phone number"),
        max_length=20,
        help_text=_("For example 601 234 567, or +44 7700 900123 from abroad."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class PhoneConfirmForm(PortalForm):
    old_code = code_field(_("Code sent to your current number"))
    new_code = code_field(_("Code sent to your new number"))


class EmailChangeForm(PortalForm):
    email = forms.CharField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
