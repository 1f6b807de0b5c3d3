"""Sets the audit context (channel, client IP, request id, user) for each web request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import audit_context, request_context


class AuditContextMiddleware:
    """Make the request's audit context current while the view runs; place it after
    ``AuthenticationMiddleware`` so that the signed-in user is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request_context(request)):
            return self.get_response(request)
