"""The admin behind the back office's second factor: its sign-in is the back office's (password, then
the staff member's TOTP code, django-otp), and a session without that second factor is refused."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.middleware import is_verified


class SecondFactorAdminSite(admin.AdminSite):
    """Django's admin site, opened only to staff whose session passed the TOTP second factor."""

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_verified(request.user)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No password-only sign-in here: the back office's two steps, then back to the admin."""
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("backoffice:sign_in")
        )
