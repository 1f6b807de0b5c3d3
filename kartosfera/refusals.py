"""A refusal: a request was refused and nothing was changed. The one base every app's refusals share.

The dispute workflow's ``DisputeError``, the customer-facing services' ``ServiceError``, the API's
``ApiError`` and the export request's ``ExportRequestInvalid`` derive from ``Refusal``: each refusal
has a stable ``code`` (API problems, tests), a translated ``message`` for people (it may name
``%(name)s`` parameters, given as ``params``), optionally the ``field`` of the form it is about, and a
``detail`` for developers that is never shown. A page shows a refusal on its form with
``add_refusal``; the API turns one into a problem (``api/errors.py``). A date given as a parameter is
said in the message's language (``25 lipca 2025`` / ``25 July 2025``), never as ISO text, and an amount
given as ``Money`` as the pages write it (``800,00 zł`` / ``PLN 800.00``).
"""

from datetime import date, datetime

from django import forms
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kartosfera.formatting import format_instant, format_long_date, format_money
from kartosfera.money import Money


class Refusal(Exception):
    """A request was refused; nothing was changed. ``str(refusal)`` is its message in the active language."""

    code: str = "REFUSED"
    message: str | Promise = _("The request could not be carried out. Nothing was changed.")
    field: str | None = None

    def __init__(self, detail: str = "", **params: object) -> None:
        self.detail = detail
        self.params = params
        super().__init__(detail or self.code)

    def message_in(self, language: str) -> str:
        """The message in ``language`` ("pl" or "en")."""
        with translation.override(language):
            return str(self)

    def __str__(self) -> str:
        text = str(self.message)
        return text % {k: _param_text(v) for k, v in self.params.items()} if self.params else text


def _param_text(value: object) -> str:
    """A message parameter as text in the active language: dates, instants and amounts as people read them."""
    if isinstance(value, Money):
        return format_money(value.amount, value.currency, language=translation.get_language())
    if isinstance(value, datetime):
        return format_instant(value, language=translation.get_language())
    if isinstance(value, date):
        return format_long_date(value, language=translation.get_language())
    return str(value)


def add_refusal(form: forms.BaseForm, refusal: Refusal) -> None:
    """Show ``refusal`` on ``form``: on the field it names if the form has that field, else at the top."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, str(refusal))
