"""What every history of our models shares (who acted, when), and a customer's history."""

from typing import TYPE_CHECKING

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models._people import Customer, user_link
from kartosfera.models import choice_check


class Acted(models.Model):
    """A row that names who acted: a user, or nobody when the system acted."""

    actor = user_link(_("actor"), help_text=_("Empty when the system or an automated line acted."))

    class Meta:
        abstract = True


class HistoryEntry(Acted):
    """One entry of a history (a case's, a card's, a customer's): who acted and when.

    A subclass adds what the history is of and what happened (a kind, a transition).
    """

    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        abstract = True


class HistoryEvent(HistoryEntry):
    """One entry of a history: a kind (each history has its own), who acted, the details, when.

    A subclass adds what the history is of (a card, a customer) and its ``kind`` with its choices.
    """

    if TYPE_CHECKING:  # each subclass's ``kind`` field has choices: Django gives it this method

        def get_kind_display(self) -> str: ...

    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d %H:%M:%S})"


class CustomerEventKind(models.TextChoices):
    REGISTERED = "REGISTERED", _("Registered for the portal")
    PASSWORD_RESET = "PASSWORD_RESET", _("Password set with a text-message code")
    PASSWORD_CHANGED = "PASSWORD_CHANGED", _("Password changed")
    PHONE_CHANGED = "PHONE_CHANGED", _("Mobile phone number changed")
    EMAIL_CHANGED = "EMAIL_CHANGED", _("E-mail address changed")
    ADDRESS_CHANGED = "ADDRESS_CHANGED", _("Postal address changed")


class CustomerEvent(HistoryEvent):
    """One entry of a customer's portal history (registration, password and phone changes)."""

    Kind = CustomerEventKind

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="customerevent_customer_idx")]
        constraints = [
            choice_check("kind", CustomerEventKind, name="customerevent_kind_valid"),
        ]
