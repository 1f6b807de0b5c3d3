"""What the apps' models share: who acted, when a history entry happened, an optional protected link.

Abstract models only: each app's concrete model inherits the fields, and its migrations own them.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Acted(models.Model):
    """A row that names who acted: a user, or nobody when the system acted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system or an automated line acted."),
    )

    class Meta:
        abstract = True


class HistoryEntry(Acted):
    """One entry of a history (a case's, a card's, a customer's): who acted and when.

    A subclass adds what the history is of and what happened (a kind, a transition).
    """

    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        abstract = True


def optional_link(to: str, verbose_name: StrOrPromise, *, related_name: str) -> "models.ForeignKey[Any, Any]":
    """An optional foreign key to a row that stays while this one refers to it (``PROTECT``).

    ``to`` is a label (``"chargebacks.Chargeback"``): the apps that share a link may not import each
    other's models (the ledger and the dispute workflow both name a case's chargeback).
    """
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )
