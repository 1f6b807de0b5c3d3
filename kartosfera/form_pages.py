"""What the pages with a form share: the one service call a valid form asks for, its refusal, and a
form's errors said as messages where the page that shows it is not the one it was sent from."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django_stubs_ext import StrOrPromise

from kartosfera.refusals import Refusal, add_refusal


def carried_out(
    request: HttpRequest,
    form: forms.BaseForm,
    change: Callable[[], object],
    *,
    done: StrOrPromise,
    then: HttpResponse,
) -> HttpResponse | None:
    """Make the ``change`` a valid ``form`` asks for (one service call): ``then`` (where the page goes
    next) with ``done`` said, or None with the service's refusal shown on the form."""
    try:
        change()
    except Refusal as error:
        add_refusal(form, error)
        return None
    messages.success(request, done)
    return then


def errors_as_messages(request: HttpRequest, form: forms.BaseForm) -> None:
    """Say each of an invalid ``form``'s errors as an error message, after its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(str(error) for error in errors)}")
