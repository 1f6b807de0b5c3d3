"""Sign-in for customers with their PESEL or bank id, and the identifier django-axes locks out."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from customers.models import Customer, User
from customers.selectors import customer_get_by_identifier


class CustomerIdentifierBackend(ModelBackend):
    """``authenticate(request, identifier=..., password=...)``: the registered customer with that PESEL or id.

    Staff accounts never sign in here (they have no customer), and customers cannot use the staff
    username field: the portal's sign-in calls only this backend's keyword.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        identifier: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if identifier is None or password is None:
            return None
        try:
            user = customer_get_by_identifier(identifier=identifier).user
        except Customer.DoesNotExist:
            user = None
        if user is None:
            # Hash anyway, so that an unknown identifier takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The name django-axes counts failures against: the customer's identifier, or a staff username."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in ("identifier", "username"):
            value = source.get(key)
            if value:
                return str(value).strip()
    return None
