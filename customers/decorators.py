"""The portal's door: a signed-in customer, found through the access funnel."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from customers.models import Customer, User
from customers.selectors import customer_get_for_user


class CustomerRequest(HttpRequest):
    """The request a ``customer_required`` view receives: a signed-in user and their customer record."""

    user: User
    customer: Customer


def customer_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Send anonymous visitors to sign in; give the view ``request.customer``; 404 for non-customers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            request.customer = customer_get_for_user(user=request.user)
        except Customer.DoesNotExist as error:
            raise Http404("not a customer") from error
        return view(request, *args, **kwargs)

    return wrapper
