"""Portal pages for cards. Every page finds the card through the owner-scoped selectors (another
customer's card answers 404, like a missing one), makes one service call and turns a refusal into a
clear message that says nothing was changed.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cards import services
from cards.forms import BlockForm, CancelForm, ControlsForm, LimitsForm, PinForm, TransactionFilterForm
from cards.models import Card, CardStatus, WalletToken
from cards.selectors import (
    card_event_list_for_card,
    card_get_for_customer,
    card_list_for_customer,
    card_replacement_for,
    transaction_list_for_card,
    wallet_token_get_for_customer,
    wallet_token_list_for_card,
)
from customers.decorators import customer_required
from customers.forms import CodeForm
from customers.models import OtpChallenge
from customers.selectors import otp_challenge_get
from customers.services import OtpError, OtpExpired, OtpInvalid, OtpNotFound, ServiceError, otp_resend
from kartosfera import clock
from kartosfera.vocabulary import Channel

PORTAL = Channel.PORTAL
TRANSACTIONS_PER_PAGE = 25
CODE_PAGE_PURPOSES = tuple(services.OTP_PURPOSE[operation] for operation in services.CardOperation)
# A wrong or expired code keeps the customer on the code page (to retry or ask for a new code); a void
# or used one sends them back to start again.
RETRYABLE_OTP_ERRORS = (OtpInvalid, OtpExpired)


def card_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in customer's own card, as ``card`` (404 for anyone else's)."""

    @customer_required
    @wraps(view)
    def wrapper(request: HttpRequest, card_id: int, *args, **kwargs) -> HttpResponse:
        try:
            card = card_get_for_customer(customer=request.customer, card_id=card_id)
        except Card.DoesNotExist as error:
            raise Http404("no such card") from error
        return view(request, card, *args, **kwargs)

    return wrapper


def _detail(card: Card) -> HttpResponse:
    return redirect("cards:detail", card_id=card.pk)


def _refused(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, str(error.message))


def _service_kwargs(request: HttpRequest, card: Card) -> dict[str, object]:
    return {"customer": request.customer, "card_id": card.pk, "actor": request.user, "channel": PORTAL}


@customer_required
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    """The customer's cards, usable ones first."""
    return render(
        request, "portal/cards/list.html", {"cards": card_list_for_customer(customer=request.customer)}
    )


@card_page
@require_GET
def card_detail(request: HttpRequest, card: Card) -> HttpResponse:
    """One card: status, what can be done with it, settings, limits, devices and history."""
    return render(
        request,
        "portal/cards/detail.html",
        {
            "card": card,
            "tokens": wallet_token_list_for_card(card=card),
            "events": card_event_list_for_card(card=card),
            "replacement": card_replacement_for(card=card),
            "replaced": card.replaces,
        },
    )


def _request_code(request: HttpRequest, card: Card, operation: str, **details) -> HttpResponse | None:
    """Text a code for ``operation``; the code page, or None after a refusal (already shown as a message)."""
    try:
        challenge = services.card_operation_request(
            customer=request.customer, card_id=card.pk, operation=operation, now=clock.now(), **details
        )
    except ServiceError as error:
        _refused(request, error)
        return None
    return redirect("cards:confirm", card_id=card.pk, challenge_id=challenge.pk)


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_activate(request: HttpRequest, card: Card) -> HttpResponse:
    """Activate a new card: a code is texted to confirm."""
    if request.method == "POST":
        return _request_code(request, card, services.CardOperation.ACTIVATE) or _detail(card)
    return render(request, "portal/cards/activate.html", {"card": card})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_unblock(request: HttpRequest, card: Card) -> HttpResponse:
    """Lift a temporary block: a code is texted to confirm."""
    if request.method == "POST":
        return _request_code(request, card, services.CardOperation.UNBLOCK) or _detail(card)
    return render(request, "portal/cards/unblock.html", {"card": card})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_block(request: HttpRequest, card: Card) -> HttpResponse:
    """Block the card at once, reversibly (no code: blocking must be quick)."""
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_block(
                reason=form.cleaned_data["reason"], now=clock.now(), **_service_kwargs(request, card)
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The card is blocked. You can unblock it here when you find it."))
            return _detail(card)
    return render(request, "portal/cards/block.html", {"card": card, "form": form})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_cancel(request: HttpRequest, card: Card) -> HttpResponse:
    """Cancel the card for good: the reason, then a texted code confirms."""
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.card_operation_request(
                customer=request.customer,
                card_id=card.pk,
                operation=services.CardOperation.CANCEL,
                reason=form.cleaned_data["reason"],
                now=clock.now(),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            return redirect("cards:confirm", card_id=card.pk, challenge_id=challenge.pk)
    return render(request, "portal/cards/cancel.html", {"card": card, "form": form})


@never_cache
@card_page
@require_GET
def card_cancelled(request: HttpRequest, card: Card) -> HttpResponse:
    """After a cancellation: the report time to the second, a replacement card, and how to claim."""
    if card.status != CardStatus.CANCELLED:
        return _detail(card)
    return render(
        request, "portal/cards/cancelled.html", {"card": card, "replacement": card_replacement_for(card=card)}
    )


@card_page
@require_POST
def card_replacement(request: HttpRequest, card: Card) -> HttpResponse:
    """Order a new card of the same product for a cancelled card."""
    try:
        new = services.card_order_replacement(now=clock.now(), **_service_kwargs(request, card))
    except ServiceError as error:
        _refused(request, error)
        return redirect("cards:cancelled", card_id=card.pk)
    messages.success(
        request,
        _("We have ordered a new card (%(card)s). It will come by post; activate it here when it arrives.")
        % {"card": new.masked},
    )
    return _detail(new)


def _confirm_context(challenge: OtpChallenge) -> dict[str, object]:
    operation = challenge.operation
    context: dict[str, object] = {"operation": services.CardOperation(operation["operation"])}
    if "reason" in operation:
        context["reason"] = Card.CancellationReason(operation["reason"]).label
    if "limits" in operation:
        context["limits"] = operation["limits"]
    return context


@never_cache
@card_page
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def card_confirm(request: HttpRequest, card: Card, challenge_id: int) -> HttpResponse:
    """Type the texted code to carry out what it was sent for (activate, unblock, cancel, raise limits)."""
    try:
        challenge = otp_challenge_get(
            challenge_id=challenge_id,
            customer=request.customer,
            purposes=CODE_PAGE_PURPOSES,
            subject=services.otp_subject(card.pk),
        )
    except OtpChallenge.DoesNotExist as error:
        raise Http404("no such code request") from error
    if challenge.consumed_at is not None or challenge.voided_at is not None:
        messages.warning(request, _("This code request is not valid any more. Please start again."))
        return _detail(card)
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
                _refused(request, error)
                return _detail(card)
            form.add_service_error(error)
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
    return _detail(card)


@card_page
def card_confirm_resend(request: HttpRequest, card: Card, challenge_id: int) -> HttpResponse:
    """Text a new code for the same request (throttled)."""
    # Another customer's request answers 404 whatever the method, before anything else.
    try:
        otp_challenge_get(
            challenge_id=challenge_id,
            customer=request.customer,
            purposes=CODE_PAGE_PURPOSES,
            subject=services.otp_subject(card.pk),
        )
    except OtpChallenge.DoesNotExist as error:
        raise Http404("no such code request") from error
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
        _refused(request, error)
    else:
        messages.success(request, _("We have sent a new code. The previous one no longer works."))
    return redirect("cards:confirm", card_id=card.pk, challenge_id=challenge_id)


def _pin_session_key(card: Card) -> str:
    return f"kartosfera_pin_challenge_{card.pk}"


@never_cache
@card_page
@sensitive_post_parameters("pin", "pin_repeated", "code")
@require_http_methods(["GET", "POST"])
def card_pin(request: HttpRequest, card: Card) -> HttpResponse:
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
            _refused(request, error)
            return _detail(card)
        request.session[key] = challenge.pk
        return redirect("cards:pin", card_id=card.pk)
    challenge_id = request.session.get(key)
    form = PinForm(request.POST or None) if challenge_id else None
    if form is not None and request.method == "POST" and form.is_valid():
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
                _refused(request, error)
                return redirect("cards:pin", card_id=card.pk)
            form.add_service_error(error)
        else:
            request.session.pop(key, None)
            messages.success(request, _("The PIN is changed. Use the new PIN from your next payment."))
            return _detail(card)
    return render(request, "portal/cards/pin.html", {"card": card, "form": form})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_controls(request: HttpRequest, card: Card) -> HttpResponse:
    """Switch contactless, internet, foreign and ATM use on or off."""
    initial = {name: getattr(card, name) for name in services.CONTROL_FIELDS}
    form = ControlsForm(
        request.POST or None, initial=initial, contactless_capable=card.product.contactless_capable
    )
    if request.method == "POST" and form.is_valid():
        controls = {name: form.cleaned_data[name] for name in services.CONTROL_FIELDS}
        if not card.product.contactless_capable:
            controls.pop("contactless_enabled")
        try:
            services.card_set_controls(controls=controls, now=clock.now(), **_service_kwargs(request, card))
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The card settings are saved."))
            return _detail(card)
    return render(request, "portal/cards/controls.html", {"card": card, "form": form})


@never_cache
@card_page
@require_http_methods(["GET", "POST"])
def card_limits(request: HttpRequest, card: Card) -> HttpResponse:
    """Daily limits within the product maxima; lowering applies at once, raising needs a texted code."""
    initial = {
        "daily_cash_limit": card.daily_cash_limit,
        "daily_pos_limit": card.daily_pos_limit,
        "daily_internet_limit": card.daily_internet_limit,
    }
    form = LimitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_set_limits(limits=form.limits(), now=clock.now(), **_service_kwargs(request, card))
        except services.ConfirmationRequired:
            try:
                challenge = services.card_operation_request(
                    customer=request.customer,
                    card_id=card.pk,
                    operation=services.CardOperation.RAISE_LIMITS,
                    limits=form.limits(),
                    now=clock.now(),
                )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                return redirect("cards:confirm", card_id=card.pk, challenge_id=challenge.pk)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The daily limits are changed."))
            return _detail(card)
    return render(
        request,
        "portal/cards/limits.html",
        {"card": card, "form": form, "maxima": card.product.maximum_limits},
    )


@card_page
@require_POST
def card_3ds(request: HttpRequest, card: Card) -> HttpResponse:
    """Turn 3-D Secure on."""
    try:
        services.card_enable_3ds(now=clock.now(), **_service_kwargs(request, card))
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(request, _("3-D Secure is on: internet payments are confirmed in your banking app."))
    return _detail(card)


@card_page
@require_POST
def card_mobile_payments(request: HttpRequest, card: Card) -> HttpResponse:
    """Turn mobile payments (phone and watch wallets) on or off; off only once confirmed on a second page."""
    enable = request.POST.get("enabled") == "1"
    if not enable and request.POST.get("confirmed") != "1":
        return _confirm_page(
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
        service(now=clock.now(), **_service_kwargs(request, card))
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("Mobile payments are on.") if enable else _("Mobile payments are off on every device.")
        )
    return _detail(card)


WALLET_ACTIONS = {
    "suspend": (services.wallet_token_suspend, _("Payments from %(device)s are suspended.")),
    "resume": (services.wallet_token_resume, _("Payments from %(device)s work again.")),
    "remove": (services.wallet_token_remove, _("%(device)s is removed from the card.")),
}


def _confirm_page(
    request: HttpRequest, card: Card, *, title: str, explanation: str, action: str, fields: dict, button: str
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


@card_page
@require_GET
def card_add_device(request: HttpRequest, card: Card) -> HttpResponse:
    """How to add the card to Google Pay, Apple Pay or a watch, and the devices waiting to be confirmed."""
    return render(
        request,
        "portal/cards/add_device.html",
        {"card": card, "tokens": wallet_token_list_for_card(card=card).filter(status="PENDING")},
    )


@card_page
def wallet_token_confirm(request: HttpRequest, card: Card, token_id: int) -> HttpResponse:
    """Text the code that confirms a wallet's request to add the card."""
    # Another card's device answers 404 whatever the method, before anything else.
    try:
        wallet_token_get_for_customer(customer=request.customer, card_id=card.pk, token_id=token_id)
    except WalletToken.DoesNotExist as error:
        raise Http404("no such device") from error
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _request_code(request, card, services.CardOperation.ADD_DEVICE, token_id=token_id) or _detail(card)


@card_page
def wallet_token_action(request: HttpRequest, card: Card, token_id: int, action: str) -> HttpResponse:
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
        return _confirm_page(
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
        token = service(token_id=token_id, now=clock.now(), **_service_kwargs(request, card))
    except WalletToken.DoesNotExist as error:
        raise Http404("no such device") from error
    except ServiceError as error:
        _refused(request, error)
    else:
        messages.success(request, str(done) % {"device": token.device_name})
    return _detail(card)


@card_page
@require_GET
def card_transactions(request: HttpRequest, card: Card) -> HttpResponse:
    """The card's transactions: filter by type, search the merchant, page by page."""
    form = TransactionFilterForm(request.GET or None)
    transactions = transaction_list_for_card(
        customer=request.customer, card_id=card.pk, **form.selector_filters()
    )
    page = Paginator(transactions, TRANSACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/cards/transactions.html",
        {
            "card": card,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "base_url": reverse("cards:transactions", args=[card.pk]),
        },
    )
