"""The portal's door: a signed-in customer, found through the access funnel."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from customers.models import Customer, User
from customers.selectors import customer_get_for_user

P = ParamSpec("P")


class CustomerRequest(HttpRequest):
    """A request as :func:`customer_required` hands it to its view: a signed-in user who is a customer."""

    user: User
    customer: Customer


def customer_required(
    view: Callable[Concatenate[CustomerRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Send anonymous visitors to sign in; give the view ``request.customer``; 404 for non-customers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            customer = customer_get_for_user(user=request.user)
        except Customer.DoesNotExist as error:
            raise Http404("not a customer") from error
        # What CustomerRequest declares now holds: the user is signed in and is this customer's.
        signed_in = cast(CustomerRequest, request)
        signed_in.customer = customer
        return view(signed_in, *args, **kwargs)

    return wrapper
