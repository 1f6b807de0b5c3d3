"""Portal pages for access: sign-in and out, and registration (or a new password) with a text-message
code: the details, the code, the password."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from audit.context import client_ip
from customers import services
from customers.forms import CodeForm, RegistrationForm, SetPasswordForm, SignInForm
from customers.middleware import mark_signed_in
from customers.models import OtpChallenge, OtpPurpose
from customers.selectors import customer_language, otp_challenge_get_open
from kartosfera import clock
from kartosfera.refusals import add_refusal

REGISTRATION_SESSION_KEY = "kartosfera_registration_challenge"
# A registration start that matched no customer: the code page answers as for one that did.
REGISTRATION_DECOY_KEY = "kartosfera_registration_unmatched"
CUSTOMER_BACKEND = "customers.backends.CustomerIdentifierBackend"


def session_challenge_id(request: HttpRequest, key: str) -> int:
    """The id of the code request the session holds under ``key``; 0, which no request has, if none."""
    value = request.session.get(key)
    return value if isinstance(value, int) else 0


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cards:list")


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with a PESEL or bank id and the portal password (django-axes locks out repeated failures)."""
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"]
        )
        if user is not None:
            login(request, user, backend=CUSTOMER_BACKEND)
            mark_signed_in(request)
            response = redirect(_safe_next(request))
            # The portal speaks the customer's language from the first page after signing in.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                customer_language(user=user),
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
        form.add_error(None, _("The PESEL or bank identification number, or the password, is wrong."))
    return render(request, "portal/sign_in.html", {"form": form, "next": _safe_next(request)})


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers once an identifier has failed too often (AXES_LOCKOUT_CALLABLE)."""
    message = _(
        "Too many failed sign-in attempts: access is locked for %(minutes)s minutes. "
        "You can set a new password with a text-message code (“Forgot your password?”)."
    ) % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    return render(request, "portal/sign_in.html", {"form": SignInForm(), "locked": message}, status=429)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session."""
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("customers:sign_in")


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 1: PESEL (or bank id) and date of birth; a code goes to the mobile number the bank holds.

    Details that match no customer lead to the same code page (and the same answers to codes and
    resends): the form does not tell who banks with us.
    """
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = clock.now()
        try:
            challenge = services.registration_start(
                identifier=form.cleaned_data["identifier"],
                birth_date=form.cleaned_data["birth_date"],
                address=client_ip(request),
                now=now,
            )
        except services.ServiceError as error:
            add_refusal(form, error)
        else:
            request.session.pop(REGISTRATION_SESSION_KEY, None)
            request.session.pop(REGISTRATION_DECOY_KEY, None)
            if challenge is None:
                request.session[REGISTRATION_DECOY_KEY] = {
                    "attempts": 0,
                    "sends": 1,
                    "last_sent_at": now.isoformat(),
                }
            else:
                request.session[REGISTRATION_SESSION_KEY] = challenge.pk
            return redirect("customers:register_code")
    return render(request, "portal/register.html", {"form": form})


def _registration_challenge(request: HttpRequest) -> OtpChallenge | None:
    try:
        return otp_challenge_get_open(
            challenge_id=session_challenge_id(request, REGISTRATION_SESSION_KEY),
            customer=None,
            purposes=services.ACCESS_PURPOSES,
        )
    except OtpChallenge.DoesNotExist:
        return None


def _restart_registration(request: HttpRequest) -> HttpResponse:
    request.session.pop(REGISTRATION_SESSION_KEY, None)
    request.session.pop(REGISTRATION_DECOY_KEY, None)
    messages.warning(request, _("This code request is not valid any more. Please start again."))
    return redirect("customers:register")


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the one-time code from the text message, the customer's first sign-in."""
    decoy = request.session.get(REGISTRATION_DECOY_KEY)
    challenge = None if decoy else _registration_challenge(request)
    if challenge is None and (not decoy or decoy["attempts"] >= settings.KARTOSFERA_OTP["MAX_ATTEMPTS"]):
        return _restart_registration(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if decoy:  # a start that matched no customer
                _decoy_verify(request, decoy)
            elif challenge is not None:
                services.registration_verify_code(
                    challenge_id=challenge.pk, code=form.cleaned_data["code"], now=clock.now()
                )
        except services.ServiceError as error:
            add_refusal(form, error)
        else:
            return redirect("customers:register_password")
    return render(
        request,
        "portal/register_code.html",
        {"form": form, "resend_url": reverse("customers:register_resend")},
    )


def _decoy_verify(request: HttpRequest, decoy: dict[str, Any]) -> None:
    """A code typed after a start that matched no customer: counted and refused as a wrong one is."""
    try:
        services.registration_decoy_verify(
            attempts=decoy["attempts"],
            last_sent_at=datetime.fromisoformat(decoy["last_sent_at"]),
            now=clock.now(),
        )
    except (services.OtpInvalid, services.OtpVoided):
        request.session[REGISTRATION_DECOY_KEY] = {**decoy, "attempts": decoy["attempts"] + 1}
        raise


@require_POST
def register_resend(request: HttpRequest) -> HttpResponse:
    """Send a new registration code (throttled)."""
    decoy = request.session.get(REGISTRATION_DECOY_KEY)
    now = clock.now()
    try:
        if decoy:
            if decoy["attempts"] >= settings.KARTOSFERA_OTP["MAX_ATTEMPTS"]:
                raise services.OtpVoided
            services.registration_decoy_resend(
                last_sent_at=datetime.fromisoformat(decoy["last_sent_at"]), send_count=decoy["sends"], now=now
            )
            request.session[REGISTRATION_DECOY_KEY] = {
                **decoy,
                "sends": decoy["sends"] + 1,
                "last_sent_at": now.isoformat(),
            }
        else:
            # A phone past its hourly cap is answered as a sent code (the page asks to check the
            # details if no text comes): only a customer's phone has a cap to reach.
            services.registration_resend(
                challenge_id=session_challenge_id(request, REGISTRATION_SESSION_KEY), now=now
            )
    except (services.OtpNotFound, services.OtpVoided, services.OtpAlreadyUsed):
        return _restart_registration(request)
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("We have sent a new code. The previous one no longer works."))
    return redirect("customers:register_code")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register_password(request: HttpRequest) -> HttpResponse:
    """Step 3: choose the portal password; the customer is then signed in."""
    challenge = _registration_challenge(request)
    if challenge is None or challenge.verified_at is None:
        return _restart_registration(request)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.registration_complete(
                challenge_id=challenge.pk, password=form.cleaned_data["password1"], now=clock.now()
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.ServiceError as error:
            if isinstance(error, services.OtpError):
                return _restart_registration(request)
            add_refusal(form, error)
        else:
            request.session.pop(REGISTRATION_SESSION_KEY, None)
            login(request, user, backend=CUSTOMER_BACKEND)
            mark_signed_in(request)
            messages.success(request, _("Your password is set. Welcome to Kartosfera."))
            return redirect("cards:list")
    return render(
        request,
        "portal/register_password.html",
        {"form": form, "is_reset": challenge.purpose == OtpPurpose.PASSWORD_RESET},
    )
