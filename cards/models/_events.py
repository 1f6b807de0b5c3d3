"""The history of a card."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from cards.models._base import not_pan_like
from cards.models._cards import Card, CardStatus
from customers.models import HistoryEvent
from kartosfera.models import choice_check
from kartosfera.vocabulary import Channel, subset_choices

# Where a request about a card came from.
CARD_EVENT_CHANNELS = (Channel.PORTAL, Channel.PHONE, Channel.LINE_828, Channel.BRANCH, Channel.SYSTEM)

# The card's fields a settings or limits entry records from and to, named as the card's page names them.
SWITCH_LABELS = {
    "contactless_enabled": _("Contactless payments"),
    "internet_enabled": _("Internet payments"),
    "foreign_enabled": _("Payments and withdrawals abroad"),
    "atm_enabled": _("Cash machine (ATM) withdrawals"),
    "three_ds_enabled": pgettext_lazy("card setting", "3-D Secure"),
    "mobile_payments_enabled": _("Mobile payments"),
}
# The reasons the system writes on a card's history, stored as these English texts and translated for
# each reader when shown (``disputes.backoffice.labels.system_reason``); a person's reason is kept as written.
CARD_CANCELLED_REASON = gettext_noop("Card cancelled.")
MOBILE_PAYMENTS_OFF_REASON = gettext_noop("Mobile payments turned off.")
REPORTED_IN_CLAIM_REASON = gettext_noop("Reported lost or stolen in a claim.")
SYSTEM_REASONS = (CARD_CANCELLED_REASON, MOBILE_PAYMENTS_OFF_REASON, REPORTED_IN_CLAIM_REASON)

LIMIT_LABELS = {
    "daily_cash_limit": _("Cash (ATM)"),
    "daily_pos_limit": _("Cashless (POS)"),
    "daily_internet_limit": _("Internet"),
}


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

    def changes(self) -> list[dict[str, Any]]:
        """What a settings or limits entry changed, for the customer's history: each field's ``label``,
        ``before`` and ``after`` (a switch's bool, a limit's Decimal) and whether it is an ``amount``."""
        changed = []
        for name, values in self.data.items():
            if name in SWITCH_LABELS:
                before, after, amount = values["from"], values["to"], False
                label = SWITCH_LABELS[name]
            elif name in LIMIT_LABELS:
                before, after, amount = Decimal(str(values["from"])), Decimal(str(values["to"])), True
                label = LIMIT_LABELS[name]
            else:
                continue
            changed.append({"label": label, "amount": amount, "before": before, "after": after})
        return changed

    class Meta:
        verbose_name = _("card event")
        verbose_name_plural = _("card events")
        indexes = [models.Index(fields=["card", "-occurred_at"], name="cardevent_card_occurred_idx")]
        constraints = [
            choice_check("kind", CardEventKind, name="cardevent_kind_valid"),
            choice_check("channel", CARD_EVENT_CHANNELS, name="cardevent_channel_valid"),
            not_pan_like("reason", "cardevent"),
        ]
