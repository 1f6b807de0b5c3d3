"""Refuses any API request that carries a card number, before anything parses, logs or stores it."""

from collections.abc import Callable
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import PROBLEM_CONTENT_TYPE, CardNumberRefused, problem_for
from kartosfera.card_numbers import card_number_spans


def carries_card_number(request: HttpRequest) -> bool:
    """Whether the query string or the body holds a Luhn-valid card number (kartosfera.card_numbers)."""
    query = unquote_plus(request.META.get("QUERY_STRING", ""))
    if card_number_spans(query):
        return True
    body = request.body.decode("utf-8", errors="replace") if request.body else ""
    return bool(card_number_spans(body))


class CardNumberGuardMiddleware:
    """For /api/ paths: a request carrying a card number is answered 422 (CARD_NUMBER_REFUSED) and goes
    no further; the number is not in the answer, and the request is not logged with its body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and carries_card_number(request):
            status, problem = problem_for(CardNumberRefused(), instance=request.path)
            return JsonResponse(problem, status=status, content_type=PROBLEM_CONTENT_TYPE)
        return self.get_response(request)
