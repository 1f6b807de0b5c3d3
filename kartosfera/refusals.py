"""A refusal: a request was refused and nothing was changed. The one base every app's refusals share.

The dispute workflow's ``DisputeError``, the customer-facing services' ``ServiceError``, the API's
``ApiError`` and the export request's ``ExportRequestInvalid`` derive from ``Refusal``: each refusal
has a stable ``code`` (API problems, tests), a translated ``message`` for people (it may name
``%(name)s`` parameters, given as ``params``), optionally the ``field`` of the form it is about, and a
``detail`` for developers that is never shown. A page shows a refusal on its form with
``add_refusal``; the API turns one into a problem (``api/errors.py``). A date given as a parameter is
said in the message's language (``25 lipca 2025`` / ``25 July 2025``), never as ISO text, and an amount
given as ``Money`` as the pages write it (``800,00 zł`` / ``PLN 800.00``).

A free text kept in a column of bounded length is checked by ``bounded_text`` in the service that
stores it, never left to a form: the limit is the model field's own ``max_length``.
"""

from datetime import date, datetime

from django import forms
from django.db import models
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


class TextTooLong(Refusal, ValueError):
    """A free text is longer than its column holds. Each app's refusals derive their own (the base its
    callers catch, e.g. ``DisputeError``); ``field`` is set per refusal, the form field it is about."""

    code = "TEXT_TOO_LONG"
    message = _(
        "The text in “%(name)s” is too long: at most %(limit)s characters are allowed, and it has"
        " %(length)s. Shorten it and send it again."
    )

    def __init__(self, detail: str = "", **params: object) -> None:
        # ``Refusal``'s arguments whatever the app's base takes (``ServiceError`` takes a message).
        Refusal.__init__(self, detail, **params)


def bounded_text(
    model: type[models.Model],
    name: str,
    text: str,
    *,
    refusal: type[TextTooLong] = TextTooLong,
    field: str | None = None,
) -> str:
    """``text`` if column ``name`` of ``model`` holds it (its ``max_length``), else refuse with ``refusal``.

    The refusal names the column (its ``verbose_name``) and its limit; ``field`` is the form field it
    is about (default ``name``).

    :raises TextTooLong: ``refusal``, with nothing written.
    """
    column = model._meta.get_field(name)
    if not isinstance(column, models.Field) or column.max_length is None:
        raise TypeError(f"{model._meta.label}.{name} is not a column of bounded length")
    limit = column.max_length
    if len(text) > limit:
        refused = refusal(
            f"{model._meta.label}.{name}: {len(text)} characters, at most {limit}",
            name=column.verbose_name,
            limit=limit,
            length=len(text),
        )
        refused.field = field or name
        raise refused
    return text


def add_refusal(form: forms.BaseForm, refusal: Refusal) -> None:
    """Show ``refusal`` on ``form``: on the field it names if the form has that field, else at the top."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, str(refusal))
