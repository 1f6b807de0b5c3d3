"""The HTTP edge: security headers on every response, and no staff session without its second factor."""

from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import router
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.models import Device

from kartosfera import compiled_sql


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


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``), reading the session's device with SQL
    built once per device model: the ORM's ``filter().first()`` cost the process more than the query.

    The device is the same row django-otp reads (``Device.from_persistent_id``), checked against the
    user by django-otp as before; an id of another form goes to django-otp's own reading.
    """

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        try:
            label, device_id = persistent_id.rsplit("/", 1)
            model = apps.get_model(label)
            pk = int(device_id)
        except (ValueError, LookupError):
            model, pk = None, 0
        if model is None or not issubclass(model, Device) or not 0 < pk < 2**31:
            return super()._device_from_persistent_id(persistent_id)
        using = router.db_for_read(model)
        names = [field.attname for field in model._meta.concrete_fields]
        rows = compiled_sql.run(
            ("otp device", model._meta.label),
            lambda values: model._default_manager.filter(pk=values["pk"]).values_list(*names),
            {"pk": model._meta.pk},
            {"pk": pk},
            using=using,
        )
        return model.from_db(using, names, rows[0]) if rows else None
