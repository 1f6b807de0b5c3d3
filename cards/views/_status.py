"""The card's status pages: activate, unblock, block, cancel, a replacement, and the code page that
confirms what a texted code was sent for."""

from collections.abc import Callable
from functools import partial
from typing import Concatenate

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from cards import services
from cards.forms import BlockForm, CancelForm
from cards.models import Card, CardStatus
from cards.owned import card_page
from cards.selectors import card_replacement_for
from cards.views._common import (
    CODE_PAGE_PURPOSES,
    RETRYABLE_OTP_ERRORS,
    carried_out,
    detail,
    refused,
    request_code,
    service_kwargs,
)
from customers.decorators import CustomerRequest
from customers.forms import CodeForm
from customers.models import OtpChallenge
from customers.selectors import otp_challenge_get
from customers.services import OtpError, OtpNotFound, ServiceError, otp_resend
from kartosfera import clock
from kartosfera.refusals import add_refusal


def _done_already(request: HttpRequest, card: Card, statuses: tuple[str, ...], why: StrOrPromise) -> bool:
    """Whether the card is already where the page would take it (the back button, a second tab): the
    customer is then told so on the card's page instead of a form whose button would be refused."""
    if card.status not in statuses:
        return False
    messages.info(request, why)
    return True


def _code_request_page(
    operation: services.CardOperation, template: str, done_in: dict[str, StrOrPromise]
) -> Callable[Concatenate[HttpRequest, int, ...], HttpResponseBase]:
    """The page of an operation confirmed on the code page: it says what the operation does; its button
    texts the code. A card in a status of ``done_in`` goes back to its page saying what that status says."""

    @never_cache
    @card_page
    @require_http_methods(["GET", "POST"])
    def view(request: CustomerRequest, card: Card) -> HttpResponse:
        if request.method == "GET" and _done_already(
            request, card, tuple(done_in), done_in.get(card.status, "")
        ):
            return detail(card)
        if request.method == "POST":
            return request_code(request, card, operation) or detail(card)
        return render(request, template, {"card": card})

    return view


card_activate = _code_request_page(
    services.CardOperation.ACTIVATE,
    "portal/cards/activate.html",
    {
        CardStatus.ACTIVE: gettext_lazy("This card is already active."),
        CardStatus.BLOCKED: gettext_lazy(
            "This card is already activated. It is temporarily blocked: unblock it here."
        ),
    },
)
card_activate.__doc__ = "Activate a new card: a code is texted to confirm."
card_unblock = _code_request_page(
    services.CardOperation.UNBLOCK,
    "portal/cards/unblock.html",
    {
        CardStatus.INACTIVE: gettext_lazy("This card is not blocked."),
        CardStatus.ACTIVE: gettext_lazy("This card is not blocked."),
    },
)
card_unblock.__doc__ = "Lift a temporary block: a code is texted to confirm."


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_block(request: CustomerRequest, card: Card) -> HttpResponse:
    """Block the card at once, reversibly (no code: blocking must be quick)."""
    form = BlockForm(request.POST or None)
    # A second click of "Block", the form sent again or opened from the back button: it is done.
    if _done_already(request, card, (CardStatus.BLOCKED,), _("This card is already blocked.")):
        return detail(card)
    if request.method == "POST" and form.is_valid():
        block = partial(services.card_block, reason=form.cleaned_data["reason"], now=clock.now())
        done = _("The card is blocked. You can unblock it here when you find it.")
        if answer := carried_out(request, card, form, block, done):
            return answer
    return render(request, "portal/cards/block.html", {"card": card, "form": form})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_cancel(request: CustomerRequest, card: Card) -> HttpResponse:
    """Cancel the card for good: the reason, then a texted code confirms."""
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cancel = services.CardOperation.CANCEL
        answer = request_code(request, card, cancel, form=form, reason=form.cleaned_data["reason"])
        if answer is not None:
            return answer
    return render(request, "portal/cards/cancel.html", {"card": card, "form": form})


@never_cache
@card_page
@require_GET
def card_cancelled(request: CustomerRequest, card: Card) -> HttpResponse:
    """After a cancellation: the report time to the second, a replacement card, and how to claim."""
    if card.status != CardStatus.CANCELLED:
        return detail(card)
    return render(
        request, "portal/cards/cancelled.html", {"card": card, "replacement": card_replacement_for(card=card)}
    )


@card_page
@require_POST
def card_replacement(request: CustomerRequest, card: Card) -> HttpResponse:
    """Order a new card of the same product for a cancelled or an expired card."""
    try:
        new = services.card_order_replacement(now=clock.now(), **service_kwargs(request, card))
    except ServiceError as error:
        refused(request, error)
        return redirect("cards:cancelled", card_id=card.pk)
    messages.success(
        request,
        _("We have ordered a new card (%(card)s). It will come by post; activate it here when it arrives.")
        % {"card": new.masked},
    )
    return detail(new)


def _challenge_or_404(request: CustomerRequest, card: Card, challenge_id: int) -> OtpChallenge:
    """The customer's code request for this card's code page (404 for anyone else's)."""
    try:
        return otp_challenge_get(
            challenge_id=challenge_id,
            customer=request.customer,
            purposes=CODE_PAGE_PURPOSES,
            subject=services.otp_subject(card.pk),
        )
    except OtpChallenge.DoesNotExist as error:
        raise Http404("no such code request") from error


def _confirm_context(challenge: OtpChallenge) -> dict[str, object]:
    operation = challenge.operation
    context: dict[str, object] = {"operation": services.CardOperation(operation["operation"])}
    if "reason" in operation:
        context["reason"] = Card.CancellationReason(operation["reason"]).label
    if "limits" in operation:
        context["limits"] = operation["limits"]
    if "device" in operation:
        context["device"] = operation["device"]
    return context


@never_cache
@card_page
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def card_confirm(request: CustomerRequest, card: Card, challenge_id: int) -> HttpResponse:
    """Type the texted code to carry out what it was sent for (activate, unblock, cancel, raise limits)."""
    challenge = _challenge_or_404(request, card, challenge_id)
    if challenge.consumed_at is not None or challenge.voided_at is not None:
        messages.warning(request, _("This code request is not valid any more. Please start again."))
        return detail(card)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            operation, card = services.card_operation_confirm(
                customer=request.customer,
                card_id=card.pk,
                challenge_id=challenge.pk,
                code=form.cleaned_data["code"],
                actor=request.user,
                now=clock.now(),
            )
        except (services.CardServiceError, OtpError) as error:
            if isinstance(error, OtpError) and not isinstance(error, RETRYABLE_OTP_ERRORS):
                refused(request, error)
                return detail(card)
            add_refusal(form, error)
        else:
            return _after_confirmation(request, operation, card)
    return render(
        request,
        "portal/cards/confirm.html",
        {"card": card, "challenge": challenge, "form": form, **_confirm_context(challenge)},
    )


def _after_confirmation(request: HttpRequest, operation: str, card: Card) -> HttpResponse:
    match operation:
        case services.CardOperation.CANCEL:
            return redirect("cards:cancelled", card_id=card.pk)
        case services.CardOperation.ACTIVATE:
            messages.success(request, _("The card is active. You can pay with it now."))
        case services.CardOperation.UNBLOCK:
            messages.success(request, _("The card is unblocked and works again."))
        case services.CardOperation.RAISE_LIMITS:
            messages.success(request, _("The daily limits are changed."))
        case services.CardOperation.ADD_DEVICE:
            messages.success(request, _("The device is added: you can pay with it now."))
    return detail(card)


@card_page
def card_confirm_resend(request: CustomerRequest, card: Card, challenge_id: int) -> HttpResponse:
    """Text a new code for the same request (throttled)."""
    # Another customer's request answers 404 whatever the method, before anything else.
    _challenge_or_404(request, card, challenge_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        otp_resend(
            challenge_id=challenge_id,
            customer=request.customer,
            purposes=CODE_PAGE_PURPOSES,
            subject=services.otp_subject(card.pk),
            now=clock.now(),
        )
    except OtpNotFound as error:
        raise Http404("no such code request") from error
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(request, _("We have sent a new code. The previous one no longer works."))
    return redirect("cards:confirm", card_id=card.pk, challenge_id=challenge_id)
