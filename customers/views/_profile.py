"""Portal pages of the signed-in customer's profile: the details, the messages sent, the password, and
the mobile number and e-mail address, each changed with a text-message code."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from customers import services
from customers.decorators import CustomerRequest, customer_required
from customers.forms import EmailChangeForm, PasswordChangeForm, PhoneChangeForm, PhoneConfirmForm
from customers.models import OtpChallenge, OtpPurpose
from customers.rules import masked_identifier
from customers.selectors import notification_list_for_customer, otp_challenge_get_open
from customers.sms import masked_phone
from customers.views._contact import CodeConfirmedChange, change_confirm_page, change_start_page
from kartosfera import clock
from kartosfera.refusals import add_refusal

PHONE_CHANGE_SESSION_KEY = "kartosfera_phone_change_challenges"
EMAIL_CHANGE_SESSION_KEY = "kartosfera_email_change_challenge"


@customer_required
@require_http_methods(["GET"])
def profile(request: CustomerRequest) -> HttpResponse:
    """The customer's details as the bank holds them, and links to change the password and phone."""
    return render(
        request,
        "portal/profile.html",
        {
            "customer": request.customer,
            "pesel": masked_identifier(request.customer.pesel or ""),
            "phone": masked_phone(request.customer.mobile_phone),
        },
    )


@customer_required
@require_http_methods(["GET"])
def messages_sent(request: CustomerRequest) -> HttpResponse:
    """The text messages and e-mails the bank sent the customer, newest first."""
    return render(
        request,
        "portal/messages.html",
        {"notifications": notification_list_for_customer(customer=request.customer)},
    )


@never_cache
@customer_required
@sensitive_post_parameters("old_password", "password1", "password2")
@require_http_methods(["GET", "POST"])
def password_change(request: CustomerRequest) -> HttpResponse:
    """Change the password; every other session is signed out, this one stays."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password1"],
                now=clock.now(),
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.ServiceError as error:
            add_refusal(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed. Other devices have been signed out."))
            return redirect("customers:profile")
    return render(request, "portal/password_change.html", {"form": form})


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def phone_change(request: CustomerRequest) -> HttpResponse:
    """Start changing the portal's mobile number: codes go to the current and to the new number."""
    form = PhoneChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            old, new = services.phone_change_start(
                customer=request.customer, new_phone=form.cleaned_data["new_phone"], now=clock.now()
            )
        except services.ServiceError as error:
            add_refusal(form, error)
        else:
            request.session[PHONE_CHANGE_SESSION_KEY] = [old.pk, new.pk]
            return redirect("customers:phone_confirm")
    return render(
        request,
        "portal/phone_change.html",
        {"form": form, "phone": masked_phone(request.customer.mobile_phone)},
    )


def _phone_challenges(request: CustomerRequest) -> tuple[OtpChallenge, OtpChallenge] | None:
    ids = request.session.get(PHONE_CHANGE_SESSION_KEY)
    if not isinstance(ids, list) or len(ids) != 2:
        return None
    try:
        return (
            otp_challenge_get_open(
                challenge_id=ids[0], customer=request.customer, purposes=(OtpPurpose.PHONE_CHANGE_OLD,)
            ),
            otp_challenge_get_open(
                challenge_id=ids[1], customer=request.customer, purposes=(OtpPurpose.PHONE_CHANGE_NEW,)
            ),
        )
    except OtpChallenge.DoesNotExist:
        return None


def _restart_phone_change(request: CustomerRequest) -> HttpResponse:
    request.session.pop(PHONE_CHANGE_SESSION_KEY, None)
    messages.warning(request, _("This code request is not valid any more. Please start again."))
    return redirect("customers:phone_change")


@never_cache
@customer_required
@sensitive_post_parameters("old_code", "new_code")
@require_http_methods(["GET", "POST"])
def phone_confirm(request: CustomerRequest) -> HttpResponse:
    """Both codes confirm the new number; every other session is signed out."""
    challenges = _phone_challenges(request)
    if challenges is None:
        return _restart_phone_change(request)
    old, new = challenges
    form = PhoneConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.phone_change_confirm(
                customer=request.customer,
                old_challenge_id=old.pk,
                old_code=form.cleaned_data["old_code"],
                new_challenge_id=new.pk,
                new_code=form.cleaned_data["new_code"],
                actor=request.user,
                now=clock.now(),
            )
        except (services.OtpVoided, services.OtpAlreadyUsed, services.OtpNotFound):
            return _restart_phone_change(request)
        except services.ServiceError as error:
            add_refusal(form, error)
        else:
            request.session.pop(PHONE_CHANGE_SESSION_KEY, None)
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your mobile number is changed. Other devices have been signed out."))
            return redirect("customers:profile")
    return render(
        request,
        "portal/phone_confirm.html",
        {"form": form, "old_phone": masked_phone(old.phone), "new_phone": masked_phone(new.phone)},
    )


@customer_required
@require_POST
def phone_resend(request: CustomerRequest, which: str) -> HttpResponse:
    """Send a new code to the current (``old``) or the new (``new``) number."""
    challenges = _phone_challenges(request)
    if challenges is None or which not in ("old", "new"):
        return _restart_phone_change(request)
    challenge = challenges[0] if which == "old" else challenges[1]
    try:
        services.otp_resend(
            challenge_id=challenge.pk,
            customer=request.customer,
            purposes=(challenge.purpose,),
            now=clock.now(),
        )
    except services.ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("We have sent a new code. The previous one no longer works."))
    return redirect("customers:phone_confirm")


EMAIL_CHANGE = CodeConfirmedChange(
    session_key=EMAIL_CHANGE_SESSION_KEY,
    purpose=OtpPurpose.EMAIL_CHANGE,
    start_view="customers:email_change",
    confirm_view="customers:email_confirm",
    heading=gettext_lazy("Change e-mail address"),
    confirm_heading=gettext_lazy("Confirm the new e-mail address"),
    done=gettext_lazy("Your e-mail address is changed."),
)


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def email_change(request: CustomerRequest) -> HttpResponse:
    """Start changing the e-mail address: a code goes to the mobile number."""
    return change_start_page(
        request,
        EMAIL_CHANGE,
        EmailChangeForm(request.POST or None),
        lambda data: services.email_change_start(
            customer=request.customer, email=data["email"], now=clock.now()
        ),
        _("We write to %(email)s. To change the address we send a code to your mobile number.")
        % {"email": request.customer.email or "—"},
    )


@never_cache
@customer_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def email_confirm(request: CustomerRequest) -> HttpResponse:
    """The code from the text message saves the new e-mail address."""
    return change_confirm_page(
        request, EMAIL_CHANGE, services.email_change_confirm, lambda operation: operation["email"]
    )
