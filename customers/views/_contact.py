"""A contact detail the customer changes in two steps: the form starts the change and a code is texted to
the mobile number; the code confirms it. The e-mail address (here) and the postal address for letters
(in ``letters.views``) change this way."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from customers.decorators import CustomerRequest
from customers.forms import CodeForm, PortalForm
from customers.models import OtpChallenge, OtpPurpose
from customers.selectors import otp_challenge_get_open
from customers.services import ServiceError
from customers.sms import masked_phone
from customers.views._access import session_challenge_id
from kartosfera import clock
from kartosfera.refusals import add_refusal


@dataclass(frozen=True)
class CodeConfirmedChange:
    """Where a change keeps its code request, its two pages, and what the customer reads on them."""

    session_key: str
    purpose: OtpPurpose
    start_view: str
    confirm_view: str
    heading: StrOrPromise
    confirm_heading: StrOrPromise
    done: StrOrPromise


def change_start_page(
    request: CustomerRequest,
    change: CodeConfirmedChange,
    form: PortalForm,
    start: Callable[[dict[str, Any]], OtpChallenge],
    intro: StrOrPromise,
) -> HttpResponse:
    """The first page: a valid ``form`` starts the change (``start`` texts the code) and the code page
    follows; a refusal is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            challenge = start(form.cleaned_data)
        except ServiceError as error:
            add_refusal(form, error)
        else:
            request.session[change.session_key] = challenge.pk
            return redirect(change.confirm_view)
    return render(
        request, "portal/contact_change.html", {"form": form, "heading": change.heading, "intro": intro}
    )


def change_confirm_page(
    request: CustomerRequest,
    change: CodeConfirmedChange,
    confirm: Callable[..., object],
    new_value: Callable[[Mapping[str, Any]], str],
) -> HttpResponse:
    """The code page: the texted code confirms the change (``confirm``, a service given the customer,
    the code request, the code, the actor and the time); back to the details. Without an open code
    request the change starts again."""
    try:
        challenge = otp_challenge_get_open(
            challenge_id=session_challenge_id(request, change.session_key),
            customer=request.customer,
            purposes=(change.purpose,),
        )
    except OtpChallenge.DoesNotExist:
        messages.warning(request, _("This code request is not valid any more. Please start again."))
        return redirect(change.start_view)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirm(
                customer=request.customer,
                challenge_id=challenge.pk,
                code=form.cleaned_data["code"],
                actor=request.user,
                now=clock.now(),
            )
        except ServiceError as error:
            add_refusal(form, error)
        else:
            request.session.pop(change.session_key, None)
            messages.success(request, change.done)
            return redirect("customers:profile")
    return render(
        request,
        "portal/contact_confirm.html",
        {
            "form": form,
            "heading": change.confirm_heading,
            "phone": masked_phone(challenge.phone),
            "new_value": new_value(challenge.operation),
        },
    )
