"""What the card pages share: the service arguments, asking for a code, and the second page of a step
that cannot be undone."""

from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_stubs_ext import StrOrPromise

from cards import services
from cards.models import Card
from customers.decorators import CustomerRequest
from customers.forms import PortalForm
from customers.services import OtpExpired, OtpInvalid, ServiceError
from kartosfera import clock, form_pages
from kartosfera.refusals import add_refusal
from kartosfera.vocabulary import Channel

PORTAL = Channel.PORTAL
TRANSACTIONS_PER_PAGE = 25
CODE_PAGE_PURPOSES = tuple(services.OTP_PURPOSE[operation] for operation in services.CardOperation)
# A wrong or expired code keeps the customer on the code page (to retry or ask for a new code); a void
# or used one sends them back to start again.
RETRYABLE_OTP_ERRORS = (OtpInvalid, OtpExpired)


def detail(card: Card) -> HttpResponse:
    """Back to the card's page."""
    return redirect("cards:detail", card_id=card.pk)


def refused(request: HttpRequest, error: ServiceError) -> None:
    """Show a refusal as a message (nothing was changed)."""
    messages.error(request, str(error))


def service_kwargs(request: CustomerRequest, card: Card) -> services.CardCaller:
    """Who asks a card service for a change, and for which card."""
    return {"customer": request.customer, "card_id": card.pk, "actor": request.user, "channel": PORTAL}


def request_code(
    request: CustomerRequest,
    card: Card,
    operation: str,
    *,
    form: PortalForm | None = None,
    reason: str | None = None,
    limits: Mapping[str, Decimal | str] | None = None,
    token_id: int | None = None,
) -> HttpResponse | None:
    """Text a code for ``operation``; the code page, or None after a refusal (already shown on ``form``,
    or as a message without one)."""
    try:
        challenge = services.card_operation_request(
            customer=request.customer,
            card_id=card.pk,
            operation=operation,
            now=clock.now(),
            reason=reason,
            limits=limits,
            token_id=token_id,
        )
    except ServiceError as error:
        if form is None:
            refused(request, error)
        else:
            add_refusal(form, error)
        return None
    return redirect("cards:confirm", card_id=card.pk, challenge_id=challenge.pk)


def carried_out(
    request: CustomerRequest,
    card: Card,
    form: PortalForm,
    change: Callable[..., object],
    done: StrOrPromise,
) -> HttpResponse | None:
    """Make the ``change`` a valid form asks for (a card service, given its caller's arguments): back to
    the card saying ``done``, or None with the service's refusal shown on the form."""
    kwargs = service_kwargs(request, card)
    return form_pages.carried_out(request, form, partial(change, **kwargs), done=done, then=detail(card))


def confirm_page(
    request: CustomerRequest,
    card: Card,
    *,
    title: str,
    explanation: str,
    action: str,
    fields: dict[str, str],
    button: str,
) -> HttpResponse:
    """The second page of a step that cannot be undone: what it does, and the button that does it."""
    return render(
        request,
        "portal/cards/confirm_irreversible.html",
        {
            "card": card,
            "title": title,
            "explanation": explanation,
            "action": action,
            "fields": fields,
            "button": button,
        },
    )
