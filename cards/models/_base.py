"""Shared pieces of the card models: the brand, money precision, constraint builders."""

from collections.abc import Collection

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin
from django_stubs_ext import StrOrPromise

from cards.rules import PAN_LIKE_PATTERN
from kartosfera.vocabulary import choice_values  # noqa: F401 (the models' one helper, re-exported)

MONEY_DIGITS = 12


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
