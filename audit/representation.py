"""How the audit log names the people and things in an entry (``actor_repr``, ``object_repr``).

The log is permanent and can never be erased, so it names a customer by their customer number (the
id of their record at the bank), never by the PESEL they sign in with (their user name): staff by
their user name, a customer's sign-in as ``customer 42 (user 17)``, a sign-in not linked to a
customer (yet) as ``user 17``.
"""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models


def user_repr(user: Any) -> str:
    """A user as the audit log names them (see the module docstring)."""
    if user.is_staff:
        return f"{user.get_username()} (user {user.pk})"
    customer = getattr(user, "customer", None)  # the reverse one-to-one; None when not linked
    if customer is not None:
        return f"customer {customer.pk} (user {user.pk})"
    return f"user {user.pk}"


def object_repr(obj: models.Model) -> str:
    """An object as the audit log names it: a user as :func:`user_repr`, anything else by ``str()``."""
    if isinstance(obj, AbstractBaseUser):
        return user_repr(obj)
    return str(obj)
