"""What the apps' models share across the apps' layers: an optional link, kept with PROTECT."""

from typing import Any

from django.db import models
from django_stubs_ext import StrOrPromise


def optional_link(
    to: "type[models.Model] | str",
    verbose_name: StrOrPromise,
    *,
    related_name: str,
    help_text: StrOrPromise = "",
    one_to_one: bool = False,
) -> "models.ForeignKey[Any, Any]":
    """An optional foreign key to a row that stays while this one refers to it (``PROTECT``).

    ``to`` may be a label (``"chargebacks.Chargeback"``): the apps that share a link may not import each
    other's models (the ledger and the dispute workflow both name a case's chargeback). ``one_to_one``:
    at most one row links to each (a replacement card, a corrected letter, a reversal).
    """
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(
        to,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        help_text=help_text,
    )
