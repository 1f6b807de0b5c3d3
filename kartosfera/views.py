"""Project-level pages: the home page, the health endpoint and the branded error pages."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kartosfera.health import health_check
from kartosfera.uploads import UploadTooLarge


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public landing page of the card portal."""
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, if configured) answers, 503 otherwise; status "degraded"
    (still 200: requests are served) when the audit sealer or the outbox lags beyond its limit."""
    report = health_check()
    return JsonResponse(
        {
            "status": report.status,
            "components": report.components,
            "audit_sealing": report.audit_sealing,
            "outbox": report.outbox,
        },
        status=200 if report.healthy else 503,
    )


def _error_page(request: HttpRequest, template: str, status: int, extra: dict | None = None) -> HttpResponse:
    """An error page in the request's language (LocaleMiddleware's), with the emergency line.

    Rendered without context processors: a 500 must not need the database (the signed-in user).
    """
    context = {
        "emergency_line": settings.KARTOSFERA_EMERGENCY_LINE,
        "emergency_line_abroad": settings.KARTOSFERA_EMERGENCY_LINE_ABROAD,
        **(extra or {}),
    }
    return HttpResponse(loader.render_to_string(template, context), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 (handler400); 413 for an upload above the limit, refused while it streamed."""
    if isinstance(exception, UploadTooLarge):
        context = {"limit_bytes": settings.KARTOSFERA_UPLOAD_MAX_BYTES}
        return _error_page(request, "413.html", 413, context)
    return _error_page(request, "400.html", 400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 (handler404)."""
    return _error_page(request, "404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 (handler403)."""
    return _error_page(request, "403.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 (handler500)."""
    return _error_page(request, "500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form without a valid CSRF token (CSRF_FAILURE_VIEW): what to do, never the reason."""
    return _error_page(request, "403_csrf.html", 403)
