"""The card's settings pages: the PIN, channel switches, daily limits, 3-D Secure, mobile payments and
the phones and watches the card is on."""

from functools import partial

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from cards import services
from cards.forms import ControlsForm, LimitsForm, PinForm
from cards.models import Card, WalletToken
from cards.owned import card_page
from cards.selectors import wallet_token_get_for_customer
from cards.views._common import (
    RETRYABLE_OTP_ERRORS,
    carried_out,
    confirm_page,
    detail,
    refused,
    request_code,
    service_kwargs,
)
from customers.decorators import CustomerRequest
from customers.services import OtpError, ServiceError
from kartosfera import clock
from kartosfera.refusals import add_refusal


def _pin_session_key(card: Card) -> str:
    return f"kartosfera_pin_challenge_{card.pk}"


@never_cache
@card_page
@sensitive_post_parameters("pin", "pin_repeated", "code")
@require_http_methods(["GET", "POST"])
def card_pin(request: CustomerRequest, card: Card) -> HttpResponse:
    """Change the PIN: first a texted code, then the new PIN twice and the code, in one form."""
    key = _pin_session_key(card)
    if request.method == "POST" and request.POST.get("action") == "send_code":
        try:
            challenge = services.card_operation_request(
                customer=request.customer,
                card_id=card.pk,
                operation=services.CardOperation.CHANGE_PIN,
                now=clock.now(),
            )
        except ServiceError as error:
            refused(request, error)
            return detail(card)
        request.session[key] = challenge.pk
        return redirect("cards:pin", card_id=card.pk)
    challenge_id: int | None = request.session.get(key)
    if not challenge_id:
        return render(request, "portal/cards/pin_send_code.html", {"card": card})
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_change_pin_with_code(
                customer=request.customer,
                card_id=card.pk,
                pin=form.cleaned_data["pin"],
                pin_repeated=form.cleaned_data["pin_repeated"],
                challenge_id=challenge_id,
                code=form.cleaned_data["code"],
                actor=request.user,
                now=clock.now(),
            )
        except ServiceError as error:
            if isinstance(error, OtpError) and not isinstance(error, RETRYABLE_OTP_ERRORS):
                request.session.pop(key, None)
                refused(request, error)
                return redirect("cards:pin", card_id=card.pk)
            add_refusal(form, error)
        else:
            request.session.pop(key, None)
            messages.success(request, _("The PIN is changed. Use the new PIN from your next payment."))
            return detail(card)
    return render(request, "portal/cards/pin.html", {"card": card, "form": form})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_controls(request: CustomerRequest, card: Card) -> HttpResponse:
    """Switch contactless, internet, foreign and ATM use on or off."""
    initial = {name: getattr(card, name) for name in services.CONTROL_FIELDS}
    form = ControlsForm(
        request.POST or None, initial=initial, contactless_capable=card.product.contactless_capable
    )
    if request.method == "POST" and form.is_valid():
        controls = {name: form.cleaned_data[name] for name in services.CONTROL_FIELDS}
        if not card.product.contactless_capable:
            controls.pop("contactless_enabled")
        set_controls = partial(services.card_set_controls, controls=controls, now=clock.now())
        if answer := carried_out(request, card, form, set_controls, _("The card settings are saved.")):
            return answer
    return render(request, "portal/cards/controls.html", {"card": card, "form": form})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_limits(request: CustomerRequest, card: Card) -> HttpResponse:
    """Daily limits within the product maxima; lowering applies at once, raising needs a texted code."""
    initial = {
        "daily_cash_limit": card.daily_cash_limit,
        "daily_pos_limit": card.daily_pos_limit,
        "daily_internet_limit": card.daily_internet_limit,
    }
    form = LimitsForm(request.POST or None, initial=initial)
    if form.is_bound:
        # Every limit above the maximum is refused at once, along with any mistyped field, not one at a
        # time after the rest are put right.
        form.full_clean()
        for refusal in services.limits_above_maximum_refusals(card, form.limits()):
            add_refusal(form, refusal)
    if form.is_bound and form.is_valid():
        try:
            services.card_set_limits(limits=form.limits(), now=clock.now(), **service_kwargs(request, card))
        except services.ConfirmationRequired:
            raising = services.CardOperation.RAISE_LIMITS
            answer = request_code(request, card, raising, form=form, limits=form.limits())
            if answer is not None:
                return answer
        except ServiceError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The daily limits are changed."))
            return detail(card)
    return render(
        request,
        "portal/cards/limits.html",
        {"card": card, "form": form, "maxima": card.product.maximum_limits},
    )


@card_page
@require_POST
def card_3ds(request: CustomerRequest, card: Card) -> HttpResponse:
    """Turn 3-D Secure on."""
    try:
        services.card_enable_3ds(now=clock.now(), **service_kwargs(request, card))
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(request, _("3-D Secure is on: internet payments are confirmed in your banking app."))
    return detail(card)


@card_page
@require_POST
def card_mobile_payments(request: CustomerRequest, card: Card) -> HttpResponse:
    """Turn mobile payments (phone and watch wallets) on or off; off only once confirmed on a second page."""
    enable = request.POST.get("enabled") == "1"
    if not enable and request.POST.get("confirmed") != "1":
        return confirm_page(
            request,
            card,
            title=_("Turn mobile payments off?"),
            explanation=_(
                "Every phone and watch this card is on stops paying at once. Turning mobile payments on "
                "again does not bring them back by itself: each device has to be resumed here."
            ),
            action=reverse("cards:mobile_payments", args=[card.pk]),
            fields={"enabled": "0"},
            button=_("Yes, turn mobile payments off"),
        )
    service = services.card_enable_mobile_payments if enable else services.card_disable_mobile_payments
    try:
        service(now=clock.now(), **service_kwargs(request, card))
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(
            request, _("Mobile payments are on.") if enable else _("Mobile payments are off on every device.")
        )
    return detail(card)


# Lazy: the message is put in the customer's language when the page shows it, not when this module loads.
WALLET_ACTIONS = {
    "suspend": (services.wallet_token_suspend, gettext_lazy("Payments from %(device)s are suspended.")),
    "resume": (services.wallet_token_resume, gettext_lazy("Payments from %(device)s work again.")),
    "remove": (services.wallet_token_remove, gettext_lazy("%(device)s is removed from the card.")),
}


@card_page
def wallet_token_confirm(request: CustomerRequest, card: Card, token_id: int) -> HttpResponse:
    """Text the code that confirms a wallet's request to add the card."""
    # Another card's device answers 404 whatever the method, before anything else.
    try:
        wallet_token_get_for_customer(customer=request.customer, card_id=card.pk, token_id=token_id)
    except WalletToken.DoesNotExist as error:
        raise Http404("no such device") from error
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return request_code(request, card, services.CardOperation.ADD_DEVICE, token_id=token_id) or detail(card)


@card_page
def wallet_token_action(request: CustomerRequest, card: Card, token_id: int, action: str) -> HttpResponse:
    """Suspend, resume or remove one phone or watch."""
    if action not in WALLET_ACTIONS:
        raise Http404("no such action")
    # Another card's device answers 404 whatever the method, before anything else.
    try:
        token = wallet_token_get_for_customer(customer=request.customer, card_id=card.pk, token_id=token_id)
    except WalletToken.DoesNotExist as error:
        raise Http404("no such device") from error
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if action == "remove" and request.POST.get("confirmed") != "1":
        return confirm_page(
            request,
            card,
            title=_("Remove %(device)s?") % {"device": token.device_name},
            explanation=_(
                "The card is deleted from this device's wallet for good. To pay with the device again you "
                "will have to add the card to the wallet anew and confirm it with a code."
            ),
            action=reverse("cards:wallet_token_action", args=[card.pk, token.pk, "remove"]),
            fields={},
            button=_("Yes, remove %(device)s") % {"device": token.device_name},
        )
    service, done = WALLET_ACTIONS[action]
    try:
        token = service(token_id=token_id, now=clock.now(), **service_kwargs(request, card))
    except WalletToken.DoesNotExist as error:
        raise Http404("no such device") from error
    except ServiceError as error:
        refused(request, error)
    else:
        messages.success(request, str(done) % {"device": token.device_name})
    return detail(card)
