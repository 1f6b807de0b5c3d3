"""Download a stored letter (its owner, or staff allowed to view cases; anyone else gets 404), and the
portal pages where the customer changes the postal address letters go to."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from customers.decorators import CustomerRequest, customer_required
from customers.forms import CodeForm
from customers.models import OtpChallenge, OtpPurpose
from customers.selectors import otp_challenge_get_open
from customers.services import ServiceError
from customers.sms import masked_phone
from kartosfera import clock
from letters import services
from letters.batch import letter_file_name
from letters.forms import AddressChangeForm
from letters.selectors import LetterNotVisible, letter_get_for_user


@never_cache
def letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponseBase:
    """The stored PDF exactly as issued, as an attachment."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        letter = letter_get_for_user(user=request.user, letter_id=letter_id)
    except LetterNotVisible as error:
        raise Http404("no such letter") from error
    # After the lookup: another customer's id answers 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    name = letter_file_name(f"{letter.case.number or letter.case_id}-{letter.letter_type}-v{letter.version}")
    return FileResponse(
        letter.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


ADDRESS_CHANGE_SESSION_KEY = "kartosfera_address_change_challenge"


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def address_change(request: CustomerRequest) -> HttpResponse:
    """Start changing the postal address for letters: a code goes to the mobile number."""
    form = AddressChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.customer_address_change_start(
                customer=request.customer, **form.cleaned_data, now=clock.now()
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            request.session[ADDRESS_CHANGE_SESSION_KEY] = challenge.pk
            return redirect("letters:address_confirm")
    return render(
        request,
        "portal/contact_change.html",
        {
            "form": form,
            "heading": _("Change postal address"),
            "intro": _(
                "We post letters about your claims to this address. To change it we send a code to your "
                "mobile number."
            ),
        },
    )


@never_cache
@customer_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def address_confirm(request: CustomerRequest) -> HttpResponse:
    """The code from the text message saves the new postal address."""
    try:
        challenge = otp_challenge_get_open(
            challenge_id=int(request.session.get(ADDRESS_CHANGE_SESSION_KEY) or 0),  # 0: no such challenge
            customer=request.customer,
            purposes=(OtpPurpose.ADDRESS_CHANGE,),
        )
    except OtpChallenge.DoesNotExist:
        messages.warning(request, _("This code request is not valid any more. Please start again."))
        return redirect("letters:address_change")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_address_change_confirm(
                customer=request.customer,
                challenge_id=challenge.pk,
                code=form.cleaned_data["code"],
                actor=request.user,
                now=clock.now(),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            request.session.pop(ADDRESS_CHANGE_SESSION_KEY, None)
            messages.success(request, _("Your postal address is changed."))
            return redirect("customers:profile")
    address = challenge.operation
    return render(
        request,
        "portal/contact_confirm.html",
        {
            "form": form,
            "heading": _("Confirm the new postal address"),
            "phone": masked_phone(challenge.phone),
            "new_value": f"{address['street']}, {address['postal_code']} {address['city']}",
        },
    )
