"""Sessions: each ends after ``KARTOSFERA_SESSION_MAX_AGE_SECONDS`` however active, an idle one after
``SESSION_COOKIE_AGE``, its expiry moved on at most once per ``KARTOSFERA_SESSION_REFRESH_SECONDS``."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kartosfera import clock

SIGNED_IN_AT = "kartosfera_signed_in_at"
REFRESHED_AT = "kartosfera_refreshed_at"


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


class SessionIdleRefreshMiddleware:
    """Moves an active session's idle expiry on, writing the session at most once a refresh interval.

    Django's ``SESSION_SAVE_EVERY_REQUEST`` writes the session row (a transaction of its own) on every
    request only to move ``expire_date`` on; here a request marks the session for saving only when its
    last refresh is ``KARTOSFERA_SESSION_REFRESH_SECONDS`` old, so an idle session still ends within
    that many seconds of ``SESSION_COOKIE_AGE`` after the last request, and a busy one is written about
    once a minute instead of on every page. A session changed by the request is saved as always.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None and not session.modified:
            now = clock.now()
            refreshed = session.get(REFRESHED_AT)
            interval = timedelta(seconds=settings.KARTOSFERA_SESSION_REFRESH_SECONDS)
            if refreshed is None or now - datetime.fromisoformat(refreshed) >= interval:
                session[REFRESHED_AT] = now.isoformat()
        return response
