"""Sign-in for customers with their PESEL or bank id, and the identifier django-axes locks out."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from customers.models import Customer, User
from customers.selectors import customer_get_by_identifier
from kartosfera import compiled_sql


class CustomerIdentifierBackend(ModelBackend):
    """``authenticate(request, identifier=..., password=...)``: the registered customer with that PESEL or id.

    Staff accounts never sign in here (they have no customer), and customers cannot use the staff
    username field: the portal's sign-in calls only this backend's keyword.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        *,
        identifier: str | None = None,
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


# What the permission query compares the user's id with (``kartosfera.compiled_sql``).
_USER_ID = {"user": User._meta.get_field("id")}


def _permissions_of(values: Mapping[str, Any]) -> QuerySet[Permission, tuple[str, str]]:
    """The permissions given to the user directly or through a group, as ``app_label``, ``codename``."""
    return Permission.objects.filter(
        Q(user__id=values["user"]) | Q(group__user__id=values["user"])
    ).values_list("content_type__app_label", "codename")


class PermissionsInOneQuery:
    """A user's permissions in one query rather than ModelBackend's two (the user's own, the groups').

    It authenticates nobody and loads no user (no ``get_user``: Django's test client and sign-in pick
    the backends after it): it answers ``has_perm`` from, and fills for the backends after it, the
    per-user permission cache ``ModelBackend`` answers from, with the same set; its SQL is built once.
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                return ModelBackend().get_all_permissions(user_obj, obj)
            rows = compiled_sql.run("permissions of a user", _permissions_of, _USER_ID, {"user": user_obj.pk})
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)
