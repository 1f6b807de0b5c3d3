"""Refuses any API request that carries a card number, before anything parses, logs or stores it."""

from collections.abc import Callable
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import PROBLEM_CONTENT_TYPE, CardNumberRefused, problem_for
from kartosfera.card_numbers import card_number_spans, looks_like_card_number


def _has_card_number(text: str) -> bool:
    # The shape test is one regular-expression scan; the Luhn spans are looked for only where it matches.
    return looks_like_card_number(text) and bool(card_number_spans(text))


def carries_card_number(request: HttpRequest) -> bool:
    """Whether the query string or the body holds a Luhn-valid card number (kartosfera.card_numbers)."""
    if _has_card_number(unquote_plus(request.META.get("QUERY_STRING", ""))):
        return True
    return bool(request.body) and _has_card_number(request.body.decode("utf-8", errors="replace"))


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
