"""The door to a page about one of the signed-in customer's own things (a card, a claim).

The thing is found through its owner-scoped selector; someone else's answers 404, exactly like a missing
one (the access funnel).
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from customers.decorators import CustomerRequest, customer_required

P = ParamSpec("P")
Owned = TypeVar("Owned")
Response = TypeVar("Response", bound=HttpResponseBase)


def owned_page(
    *, find: Callable[..., Owned], id_name: str, missing: type[Exception], not_found: str
) -> Callable[
    [Callable[Concatenate[CustomerRequest, Owned, P], Response]],
    Callable[Concatenate[HttpRequest, int, P], HttpResponseBase],
]:
    """A view decorator: the customer's own thing whose id the URL names ``id_name``, found by
    ``find(customer=..., <id_name>=...)`` and handed to the view after the request; 404 (``not_found``)
    when ``find`` raises ``missing``."""

    def decorator(
        view: Callable[Concatenate[CustomerRequest, Owned, P], Response],
    ) -> Callable[Concatenate[HttpRequest, int, P], HttpResponseBase]:
        @customer_required
        @wraps(view)
        def wrapper(request: CustomerRequest, *args: P.args, **kwargs: P.kwargs) -> Response:
            object_id = kwargs.pop(id_name)
            try:
                owned = find(customer=request.customer, **{id_name: object_id})
            except missing as error:
                raise Http404(not_found) from error
            return view(request, owned, *args, **kwargs)

        # Django passes the URL's id by its name, so the id parameter is named ``id_name`` at run time.
        return cast(Callable[Concatenate[HttpRequest, int, P], HttpResponseBase], wrapper)

    return decorator
