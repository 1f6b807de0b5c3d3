"""What the apps' models share across the apps' layers: field factories and constraint builders."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal, overload

from django.db import models
from django.db.models.enums import TextChoices
from django.db.models.expressions import Combinable
from django_stubs_ext import StrOrPromise

from kartosfera.money import MONEY_DIGITS


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


def choice_check(
    field_name: str,
    choices: "type[TextChoices] | Iterable[TextChoices | str]",
    *,
    name: str,
) -> models.CheckConstraint:
    """A check that ``field_name`` holds one of ``choices``: an enum, some of its members, or values.

    The database keeps a column within its choices whatever writes it (a bulk update, raw SQL).
    """
    values = [str(getattr(choice, "value", choice)) for choice in choices]
    return models.CheckConstraint(condition=models.Q(**{f"{field_name}__in": values}), name=name)


def pending_index(
    *fields: str, until: str, name: str, where: "dict[str, object] | None" = None
) -> models.Index:
    """An index of the rows a sweep still has to handle: those whose ``until`` is empty (and ``where``).

    The rows done leave the index, so it stays the size of the queue however long the table grows.
    """
    return models.Index(
        fields=list(fields), name=name, condition=models.Q(**{f"{until}__isnull": True}, **(where or {}))
    )


def unique_when_set(
    verbose_name: StrOrPromise, *, max_length: int, help_text: StrOrPromise = ""
) -> "models.CharField[str | None, str | None]":
    """A code unique among the rows that have one, and NULL (not "") on those that do not.

    A unique column allows any number of NULLs but only one empty string, so an absent code must be
    stored as NULL: a customer without a PESEL, a case not yet given its number.
    """
    return models.CharField(
        verbose_name, max_length=max_length, unique=True, null=True, blank=True, help_text=help_text
    )


@overload
def pln_amount(
    verbose_name: StrOrPromise, *, null: Literal[False] = False, **options: Any
) -> "models.DecimalField[str | float | Decimal | Combinable, Decimal]": ...
@overload
def pln_amount(
    verbose_name: StrOrPromise, *, null: Literal[True], **options: Any
) -> "models.DecimalField[str | float | Decimal | Combinable | None, Decimal | None]": ...
def pln_amount(
    verbose_name: StrOrPromise, *, null: bool = False, **options: Any
) -> "models.DecimalField[Any, Any]":
    """An amount in PLN as every money column keeps it: ``MONEY_DIGITS`` digits, two of them grosze."""
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=2, null=null, **options)


class BulkWritesRefused(models.QuerySet):
    """A queryset of rows that are never changed in bulk: bulk updates and deletes would bypass the
    model's own ``save()`` and ``delete()`` (and what they allow), so they raise ``refusal``."""

    refusal: type[Exception] = Exception
    rows = "these rows"  # what the message calls them: "stored letters", "audit entries"

    def update(self, **kwargs: Any) -> int:
        raise self.refusal(f"{self.rows} are not updated in bulk")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.refusal(f"{self.rows} are never deleted")

    def _raw_delete(self, using: str | None) -> int:
        raise self.refusal(f"{self.rows} are never deleted")
