"""The history of a card."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cards.models._base import choice_values, not_pan_like
from cards.models._cards import Card, CardStatus
from customers.models import HistoryEvent
from kartosfera.vocabulary import Channel, subset_choices

# Where a request about a card came from.
CARD_EVENT_CHANNELS = (Channel.PORTAL, Channel.PHONE, Channel.LINE_828, Channel.BRANCH, Channel.SYSTEM)


class CardEventKind(models.TextChoices):
    ISSUED = "ISSUED", _("Card issued")
    ACTIVATED = "ACTIVATED", _("Card activated")
    BLOCKED = "BLOCKED", _("Card temporarily blocked")
    UNBLOCKED = "UNBLOCKED", _("Card unblocked")
    CANCELLED = "CANCELLED", _("Card cancelled")
    EXPIRED = "EXPIRED", _("Card expired")
    REPLACEMENT_ORDERED = "REPLACEMENT_ORDERED", _("Replacement card ordered")
    LIMITS_CHANGED = "LIMITS_CHANGED", _("Daily limits changed")
    CONTROLS_CHANGED = "CONTROLS_CHANGED", _("Card settings changed")
    PIN_CHANGED = "PIN_CHANGED", _("PIN changed")
    WALLET_TOKEN_ADDED = "WALLET_TOKEN_ADDED", _("Mobile payment device added")
    WALLET_TOKEN_SUSPENDED = "WALLET_TOKEN_SUSPENDED", _("Mobile payment device suspended")
    WALLET_TOKEN_RESUMED = "WALLET_TOKEN_RESUMED", _("Mobile payment device resumed")
    WALLET_TOKEN_REMOVED = "WALLET_TOKEN_REMOVED", _("Mobile payment device removed")


class CardEvent(HistoryEvent):
    """One entry of a card's history: what happened, who did it, through which channel, when."""

    Kind = CardEventKind
    Channel = Channel

    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=subset_choices(CARD_EVENT_CHANNELS))
    from_status = models.CharField(_("status before"), max_length=16, choices=CardStatus.choices, blank=True)
    to_status = models.CharField(_("status after"), max_length=16, choices=CardStatus.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("card event")
        verbose_name_plural = _("card events")
        indexes = [models.Index(fields=["card", "-occurred_at"], name="cardevent_card_occurred_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(CardEventKind)), name="cardevent_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=choice_values(CARD_EVENT_CHANNELS)), name="cardevent_channel_valid"
            ),
            not_pan_like("reason", "cardevent"),
        ]
