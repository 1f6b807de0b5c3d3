"""Who may open the back office: staff holding ``view_case``, signed in with their password and then
the TOTP code from their authenticator app (django-otp). ``staff_required`` guards every back-office
view; the sign-in pages are the two steps."""

import math
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.middleware import is_verified

from customers.middleware import mark_signed_in
from customers.models import User
from disputes.backoffice import forms
from disputes.backoffice.services import staff_second_factor_check
from kartosfera import clock
from kartosfera.authz import HANDLE_CASE, VIEW_CASE

PENDING_USER = "backoffice_pending_user"

P = ParamSpec("P")


class StaffRequest(HttpRequest):
    """A request ``staff_required`` let through: its user is a signed-in staff member."""

    user: User


def staff_required(
    view: Callable[Concatenate[StaffRequest, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Staff with ``view_case`` past the second factor only: customers get 403, anonymous the sign-in."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or not isinstance(user, User):
            return redirect_to_login(request.get_full_path(), reverse("backoffice:sign_in"))
        if not user.has_perm(VIEW_CASE):
            raise PermissionDenied("not back-office staff")
        if not is_verified(user):  # django-otp's OTPMiddleware read the session's device
            return redirect_to_login(request.get_full_path(), reverse("backoffice:sign_in"))
        return view(cast(StaffRequest, request), *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """First factor: user name and password of a back-office staff member."""
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is not None and user.has_perm(VIEW_CASE):
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session["backoffice_next"] = request.GET.get("next", "")
            return redirect("backoffice:sign_in_code")
        form.add_error(None, _("Wrong user name or password, or no access to the back office."))
    return render(request, "backoffice/sign_in.html", {"form": form})


def _locked_message(wait: int) -> str:
    return ngettext(
        "Too many wrong codes: no code is checked for %(seconds)d more second. "
        "Wait, then enter the code your app shows then.",
        "Too many wrong codes: no code is checked for %(seconds)d more seconds. "
        "Wait, then enter the code your app shows then.",
        wait,
    ) % {"seconds": wait}


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Second factor: the TOTP code from the staff member's authenticator app."""
    pending = request.session.get(PENDING_USER)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending is not None else None
    if user is None:
        return redirect("backoffice:sign_in")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = staff_second_factor_check(user=user, code=form.cleaned_data["code"])
        device = check.device
        if device is not None:
            next_url = request.session.get("backoffice_next") or ""
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            mark_signed_in(request)
            # Back to the staff page that sent the member here: the back office, the reports, the admin.
            if next_url.startswith(("/back-office/", "/reports/", "/admin/", "/letters/", "/claims/")):
                return redirect(next_url)
            if not user.has_perm(HANDLE_CASE):
                return redirect("reports:report")  # auditors work no case: they land on the reports
            return redirect("backoffice:queue", name="mine")
        if check.locked_until is not None:
            wait = max(1, math.ceil((check.locked_until - clock.now()).total_seconds()))
            form.add_error("code", _locked_message(wait))
        else:
            form.add_error("code", _("The code is not valid. Codes change every 30 seconds."))
    return render(request, "backoffice/sign_in_code.html", {"form": form, "staff": user})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("backoffice:sign_in")
