"""Every session ends after ``KARTOSFERA_SESSION_MAX_AGE_SECONDS``, however active it is."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kartosfera import clock

SIGNED_IN_AT = "kartosfera_signed_in_at"


def mark_signed_in(request: HttpRequest) -> None:
    """Record when this session signed in (the sign-in views call it right after ``login()``)."""
    request.session[SIGNED_IN_AT] = clock.now().isoformat()


class SessionLifetimeMiddleware:
    """Signs out a session older than the absolute limit (the idle limit is ``SESSION_COOKIE_AGE``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Staff too: a back-office session lasts no longer than a customer's, however active.
        if user is not None and user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            limit = timedelta(seconds=settings.KARTOSFERA_SESSION_MAX_AGE_SECONDS)
            if started is None or clock.now() - datetime.fromisoformat(started) > limit:
                logout(request)
                messages.info(request, _("For your security you were signed out. Please sign in again."))
        return self.get_response(request)
