"""A refusal: a request was refused and nothing was changed. The one base every app's refusals share.

The dispute workflow's ``DisputeError``, the customer-facing services' ``ServiceError``, the API's
``ApiError`` and the export request's ``ExportRequestInvalid`` derive from ``Refusal``: each refusal
has a stable ``code`` (API problems, tests), a translated ``message`` for people (it may name
``%(name)s`` parameters, given as ``params``), optionally the ``field`` of the form it is about, and a
``detail`` for developers that is never shown. A page shows a refusal on its form with
``add_refusal``; the API turns one into a problem (``api/errors.py``).
"""

from django import forms
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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
        return text % {k: str(v) for k, v in self.params.items()} if self.params else text


def add_refusal(form: forms.BaseForm, refusal: Refusal) -> None:
    """Show ``refusal`` on ``form``: on the field it names if the form has that field, else at the top."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, str(refusal))
