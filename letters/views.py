"""Download a stored letter (its owner, or staff allowed to view cases; anyone else gets 404), and the
portal pages where the customer changes the postal address letters go to."""

from django.contrib.auth.views import redirect_to_login
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from customers.decorators import CustomerRequest, customer_required
from customers.models import OtpPurpose
from customers.views import CodeConfirmedChange, change_confirm_page, change_start_page
from kartosfera import clock
from letters import services
from letters.batch import letter_file_name
from letters.forms import AddressChangeForm
from letters.rules import address_line
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


ADDRESS_CHANGE = CodeConfirmedChange(
    session_key=ADDRESS_CHANGE_SESSION_KEY,
    purpose=OtpPurpose.ADDRESS_CHANGE,
    start_view="letters:address_change",
    confirm_view="letters:address_confirm",
    heading=gettext_lazy("Change postal address"),
    confirm_heading=gettext_lazy("Confirm the new postal address"),
    done=gettext_lazy("Your postal address is changed."),
)


@never_cache
@customer_required
@require_http_methods(["GET", "POST"])
def address_change(request: CustomerRequest) -> HttpResponse:
    """Start changing the postal address for letters: a code goes to the mobile number."""
    return change_start_page(
        request,
        ADDRESS_CHANGE,
        AddressChangeForm(request.POST or None),
        lambda data: services.customer_address_change_start(
            customer=request.customer, **data, now=clock.now()
        ),
        _(
            "We post letters about your claims to this address. To change it we send a code to your "
            "mobile number."
        ),
    )


@never_cache
@customer_required
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def address_confirm(request: CustomerRequest) -> HttpResponse:
    """The code from the text message saves the new postal address."""
    return change_confirm_page(
        request,
        ADDRESS_CHANGE,
        services.customer_address_change_confirm,
        lambda address: address_line(
            street=address["street"], postal_code=address["postal_code"], city=address["city"]
        ),
    )
