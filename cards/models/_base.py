"""Shared pieces of the card models: the brand, money precision, constraint builders."""

from collections.abc import Collection, Iterable

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin
from django_stubs_ext import StrOrPromise

from cards.rules import PAN_LIKE_PATTERN
from kartosfera.vocabulary import choice_values  # noqa: F401 (the models' one helper, re-exported)

# A card's daily limits and its product's maxima, by the channel each limits: the keys of
# ``Card.daily_limits``, ``CardProduct.maximum_limits`` and ``cards.rules.limits_above_maximum``.
DAILY_LIMIT_FIELDS = {
    "cash": "daily_cash_limit",
    "pos": "daily_pos_limit",
    "internet": "daily_internet_limit",
}
MAXIMUM_LIMIT_FIELDS = {name: f"max_{field}" for name, field in DAILY_LIMIT_FIELDS.items()}


def limits_not_negative(fields: Iterable[str], *, name: str) -> models.CheckConstraint:
    """One check that none of ``fields`` (a card's limits, a product's maxima) is below zero."""
    return models.CheckConstraint(condition=Q(*((f"{field}__gte", 0) for field in fields)), name=name)


def not_pan_like(field_name: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=~Q(**{f"{field_name}__regex": PAN_LIKE_PATTERN}),
        name=f"{model}_{field_name}_holds_no_card_number",
        violation_error_message=_("This must not contain a card number."),
    )


def outside_reference(verbose_name: StrOrPromise, *, help_text: StrOrPromise) -> "models.CharField[str, str]":
    """Another system's opaque reference to a record (the processor's, a token service's): unique here.

    Never a card number: each model adds ``not_pan_like`` on it to its constraints.
    """
    return models.CharField(verbose_name, max_length=64, unique=True, help_text=help_text)


def four_digits(field_name: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field_name}__regex": r"^[0-9]{4}$"}), name=f"{model}_{field_name}_is_4_digits"
    )


class ProtectedStateModel(ConcurrentTransitionMixin, models.Model):
    """A model with a protected django-fsm state field that ``full_clean()`` can still validate.

    ``clean_fields()`` re-assigns every field, which a protected FSM field refuses; the state only
    ever comes from a transition (and a check constraint keeps it within its choices), so it is left
    out of field cleaning.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        protected = {field.name for field in self._meta.concrete_fields if getattr(field, "protected", False)}
        super().clean_fields(exclude=set(exclude or ()) | protected)
