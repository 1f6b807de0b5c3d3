"""Project-level pages: the home page and the health endpoint."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kartosfera.health import health_check


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public landing page of the card portal."""
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, if configured) answers, 503 otherwise."""
    report = health_check()
    return JsonResponse(
        {"status": "ok" if report.healthy else "unavailable", "components": report.components},
        status=200 if report.healthy else 503,
    )
