"""The HTTP edge: security headers on every response, and no staff session without its second factor."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response; nothing a signed-in person sees
    is kept by a browser or a shared cache (``Cache-Control: no-store, private``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.KARTOSFERA_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.KARTOSFERA_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


# What a staff member signed in with the password alone may still open: the second-factor step itself.
_SECOND_FACTOR_PATHS = ("backoffice:sign_in", "backoffice:sign_in_code", "backoffice:sign_out")


class StaffSecondFactorMiddleware:
    """A staff session that has not passed the second factor opens nothing but the second-factor step.

    The back office, the admin, the reports, and every file a staff member may download (evidence,
    letters, exports) need a verified session (django-otp's ``is_verified``); without one the request
    goes to the back-office sign-in, whatever view it was for. Runs after ``OTPMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and request.path not in {reverse(name) for name in _SECOND_FACTOR_PATHS}
            and not request.path.startswith((settings.STATIC_URL, reverse("set_language")))
        ):
            return redirect_to_login(request.get_full_path(), reverse("backoffice:sign_in"))
        return self.get_response(request)
