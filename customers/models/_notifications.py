"""The text messages and e-mails the bank sends a customer."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models._people import Customer
from customers.sms import masked_phone
from kartosfera.models import choice_check, pending_index


class NotificationKind(models.TextChoices):
    """What the bank writes to a customer about (``customers.services.notification_send``)."""

    CLAIM_RECEIVED = "CLAIM_RECEIVED", _("Claim received")
    REFUND_MADE = "REFUND_MADE", _("Provisional refund made")
    INFORMATION_REQUESTED = "INFORMATION_REQUESTED", _("Information requested")
    REPLY_EXTENDED = "REPLY_EXTENDED", _("Reply deadline extended")
    DECISION_ISSUED = "DECISION_ISSUED", _("Decision issued")
    CLAIM_DEEMED_ACCEPTED = "CLAIM_DEEMED_ACCEPTED", _("Claim deemed accepted")
    MONEY_TAKEN_BACK = "MONEY_TAKEN_BACK", _("Amount taken back from your account")
    CARD_BLOCKED = "CARD_BLOCKED", _("Card blocked")
    CARD_UNBLOCKED = "CARD_UNBLOCKED", _("Card unblocked")
    CARD_CANCELLED = "CARD_CANCELLED", _("Card cancelled")
    PIN_CHANGED = "PIN_CHANGED", _("PIN changed")
    PASSWORD_CHANGED = "PASSWORD_CHANGED", _("Password changed")
    PHONE_CHANGED = "PHONE_CHANGED", _("Mobile number changed")
    EMAIL_CHANGED = "EMAIL_CHANGED", _("E-mail address changed")
    ADDRESS_CHANGED = "ADDRESS_CHANGED", _("Postal address changed")


class NotificationChannel(models.TextChoices):
    SMS = "SMS", _("Text message")
    EMAIL = "EMAIL", _("E-mail")


class Notification(models.Model):
    """One message the bank sends a customer, by text message or e-mail, recorded when it is decided.

    The row is written in the transaction of the act it reports and delivered after commit
    (``customers.tasks.deliver_notifications``); ``sent_at`` says when it left. Bodies never carry a
    secret (no code, no full card or phone number), so they are kept as sent.
    """

    Kind = NotificationKind
    Channel = NotificationChannel

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("sent to"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=Customer.Language.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    last_error = models.CharField(_("last delivery error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="notification_customer_idx"),
            pending_index("created_at", until="sent_at", name="notification_unsent_idx"),
        ]
        constraints = [
            choice_check("kind", NotificationKind, name="notification_kind_valid"),
            choice_check("channel", NotificationChannel, name="notification_channel_valid"),
        ]

    def __str__(self) -> str:
        channel = self.get_channel_display()
        return f"{self.get_kind_display()} ({channel}, {self.created_at:%Y-%m-%d %H:%M:%S})"

    @property
    def recipient_shown(self) -> str:
        """Whom it went to, as the portal shows it: a phone number masked, an e-mail address whole."""
        return masked_phone(self.recipient) if self.channel == NotificationChannel.SMS else self.recipient
