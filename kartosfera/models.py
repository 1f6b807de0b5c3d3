"""What the apps' models share across the apps' layers: an optional link named by label."""

from typing import Any

from django.db import models
from django_stubs_ext import StrOrPromise


def optional_link(
    to: str, verbose_name: StrOrPromise, *, related_name: str, help_text: StrOrPromise = ""
) -> "models.ForeignKey[Any, Any]":
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
        help_text=help_text,
    )
