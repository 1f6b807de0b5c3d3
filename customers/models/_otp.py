"""One-time passwords and the counters that throttle them."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models._people import Customer
from kartosfera.models import choice_check


class OtpPurpose(models.TextChoices):
    """What a one-time password confirms; the text message names it (the customer sees what they sign)."""

    REGISTRATION = "REGISTRATION", _("first sign-in to the portal")
    PASSWORD_RESET = "PASSWORD_RESET", _("setting a new portal password")
    PHONE_CHANGE_OLD = "PHONE_CHANGE_OLD", _("changing your mobile number (current number)")
    PHONE_CHANGE_NEW = "PHONE_CHANGE_NEW", _("changing your mobile number (new number)")
    EMAIL_CHANGE = "EMAIL_CHANGE", _("changing your e-mail address")
    ADDRESS_CHANGE = "ADDRESS_CHANGE", _("changing your postal address")
    CARD_ACTIVATE = "CARD_ACTIVATE", _("activating a card")
    WALLET_PROVISION = "WALLET_PROVISION", _("adding a card to a phone or watch")
    CARD_PIN_CHANGE = "CARD_PIN_CHANGE", _("changing a card's PIN")
    CARD_UNBLOCK = "CARD_UNBLOCK", _("unblocking a card")
    CARD_CANCEL = "CARD_CANCEL", _("cancelling a card for good")
    CARD_LIMITS_INCREASE = "CARD_LIMITS_INCREASE", _("raising a card's daily limits")


class OtpChallenge(models.Model):
    """A one-time password sent by text message, bound to a customer, a purpose and the operation.

    The code itself is never stored: only an HMAC-SHA256 of it keyed with ``SECRET_KEY`` and a random
    salt. ``operation`` holds what the code confirms (e.g. the card and the new limits), so the
    confirmation carries out exactly what the text message named, never anything posted later.
    """

    Purpose = OtpPurpose

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="otp_challenges"
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    subject = models.CharField(
        _("subject"), max_length=64, blank=True, help_text=_("What the code is about, e.g. card:42.")
    )
    operation = models.JSONField(_("operation"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    phone = models.CharField(_("sent to"), max_length=16)
    code_salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"))
    last_sent_at = models.DateTimeField(_("last sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=1)
    # A text sent by a task (registration, password reset): the send (1 = first, 2 = first resend...)
    # whose text has left; a redelivered task finds its send done and texts nothing.
    delivered_send = models.PositiveSmallIntegerField(_("text delivered for send"), default=0)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    consumed_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time password")
        verbose_name_plural = _("one-time passwords")
        indexes = [models.Index(fields=["customer", "-created_at"], name="otp_customer_created_idx")]
        constraints = [
            choice_check("purpose", OtpPurpose, name="otp_purpose_valid"),
            models.CheckConstraint(
                condition=Q(code_hash__regex=r"^[0-9a-f]{64}$"), name="otp_code_is_a_hash"
            ),
            models.CheckConstraint(
                condition=Q(consumed_at__isnull=True) | Q(verified_at__isnull=False),
                name="otp_used_only_after_verified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.created_at:%Y-%m-%d %H:%M:%S})"


class ThrottleHit(models.Model):
    """One counted act of a rate limit (``customers.services._throttle``): a text message sent to a
    phone number, a registration or password-reset start from an address or from anywhere.

    ``key`` is an HMAC of the number or address (keyed with ``SECRET_KEY``), so this table holds no
    phone number or IP address in clear; hits older than a day are deleted as new ones come.
    """

    scope = models.CharField(_("scope"), max_length=32)
    key = models.CharField(_("key"), max_length=64)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        verbose_name = _("rate limit hit")
        verbose_name_plural = _("rate limit hits")
        indexes = [
            models.Index(fields=["scope", "key", "occurred_at"], name="throttlehit_lookup_idx"),
            models.Index(fields=["occurred_at"], name="throttlehit_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} ({self.occurred_at:%Y-%m-%d %H:%M:%S})"
