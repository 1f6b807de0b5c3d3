"""What the pages with a form share: the one service call a valid form asks for, and its refusal."""

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
