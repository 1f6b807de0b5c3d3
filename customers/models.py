"""People who sign in, and the bank's customers who hold cards."""

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from customers.rules import RuleError, normalise_mobile, parse_bank_id, parse_pesel
from customers.sms import masked_phone
from kartosfera import clock


def new_security_stamp() -> str:
    """A fresh random security stamp (32 hex digits)."""
    return secrets.token_hex(16)


class User(AbstractUser):
    """A sign-in identity. Customers are linked to one through ``Customer.user``; staff use it alone.

    A project-owned user model from the first migration, so that sign-in by PESEL or bank id and
    staff second factors can be added without migrating ``auth.User``.
    """

    # Part of the session hash: a new stamp signs every other session out (after a password or phone
    # change, see customers.services). Django checks the hash on every request.
    security_stamp = models.CharField(
        _("security stamp"), max_length=32, default=new_security_stamp, editable=False
    )

    class Meta:
        db_table = "customers_user"

    def rotate_security_stamp(self) -> None:
        """Invalidate every session of this user (the caller keeps its own with update_session_auth_hash)."""
        self.security_stamp = new_security_stamp()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        return salted_hmac(
            "customers.models.User.get_session_auth_hash",
            f"{self.password}\x00{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


def rule_error_to_validation_error(error: RuleError) -> ValidationError:
    """A pure rule's error as a Django ValidationError with its code and translated message."""
    return ValidationError(_(error.message), code=error.code, params=error.params or None)


class Customer(models.Model):
    """A holder of the bank's cards, identified by PESEL or, without one, by a bank-assigned number."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "INDIVIDUAL", _("Individual")
        BUSINESS = "BUSINESS", _("Business")

    class Language(models.TextChoices):
        POLISH = "pl", _("Polish")
        ENGLISH = "en", _("English")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    # NULL, not "", when absent: unique columns allow many NULLs but only one empty string.
    pesel = models.CharField(
        _("PESEL"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        help_text=_("11 digits. Leave empty for a customer without a PESEL (non-resident)."),
    )
    bank_id = models.CharField(
        _("bank identification number"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        help_text=_("8 digits assigned by the bank to a customer without a PESEL."),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    company_name = models.CharField(
        _("company name"), max_length=200, blank=True, help_text=_("Required for business customers.")
    )
    birth_date = models.DateField(
        _("date of birth"), blank=True, help_text=_("Taken from the PESEL when left empty.")
    )
    mobile_phone = models.CharField(
        _("mobile phone"),
        max_length=16,
        help_text=_("The number the bank holds for text-message codes, e.g. +48 601 234 567."),
    )
    email = models.EmailField(_("email address"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.POLISH
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        help_text=_("Set when the customer registers for the portal."),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pesel__isnull=False) | Q(bank_id__isnull=False),
                name="customer_has_pesel_or_bank_id",
                violation_error_message=_("A customer needs a PESEL or a bank identification number."),
            ),
            models.CheckConstraint(
                condition=Q(pesel__isnull=True) | Q(pesel__regex=r"^[0-9]{11}$"),
                name="customer_pesel_is_11_digits",
            ),
            models.CheckConstraint(
                condition=Q(bank_id__isnull=True) | Q(bank_id__regex=r"^[0-9]{8}$"),
                name="customer_bank_id_is_8_digits",
            ),
            models.CheckConstraint(
                condition=Q(mobile_phone__regex=r"^\+[1-9][0-9]{7,14}$"),
                name="customer_mobile_phone_is_e164",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["INDIVIDUAL", "BUSINESS"]), name="customer_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="BUSINESS") | ~Q(company_name=""),
                name="customer_business_has_company_name",
                violation_error_message=_("A business customer needs a company name."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_individual(self) -> bool:
        """Whether card limits are the customer's to set (RULES.md section 6: individuals only)."""
        return self.kind == self.Kind.INDIVIDUAL

    def clean(self) -> None:
        """Validate identity and contact details with the pure rules (forms and admin call this)."""
        self.validate_identity(today=clock.today_warsaw())

    def validate_identity(self, *, today: date) -> None:
        """Check PESEL, bank id, date of birth and mobile number; normalise them in place.

        :raises ValidationError: per field, with the rule's code and a translated message.
        """
        errors: dict[str, ValidationError] = {}
        if self.pesel:
            try:
                pesel = parse_pesel(self.pesel, today=today)
            except RuleError as error:
                errors["pesel"] = rule_error_to_validation_error(error)
            else:
                self.pesel = pesel.number
                if self.birth_date is None:
                    self.birth_date = pesel.birth_date
                elif self.birth_date != pesel.birth_date:
                    errors["birth_date"] = ValidationError(
                        _("The date of birth differs from the one in the PESEL (%(pesel_birth_date)s)."),
                        code="birth_date_differs_from_pesel",
                        params={"pesel_birth_date": pesel.birth_date.isoformat()},
                    )
        else:
            self.pesel = None
        if self.bank_id:
            try:
                self.bank_id = parse_bank_id(self.bank_id)
            except RuleError as error:
                errors["bank_id"] = rule_error_to_validation_error(error)
        else:
            self.bank_id = None
        if not self.pesel and not self.bank_id and "pesel" not in errors and "bank_id" not in errors:
            errors["bank_id"] = ValidationError(
                _("A customer without a PESEL needs a bank identification number."),
                code="identifier_required",
            )
        if self.birth_date is None and "birth_date" not in errors and "pesel" not in errors:
            errors["birth_date"] = ValidationError(_("Enter the date of birth."), code="required")
        elif self.birth_date is not None and self.birth_date > today:
            errors["birth_date"] = ValidationError(
                _("The date of birth cannot be in the future."), code="birth_date_future"
            )
        if self.mobile_phone:
            try:
                self.mobile_phone = normalise_mobile(self.mobile_phone)
            except RuleError as error:
                errors["mobile_phone"] = rule_error_to_validation_error(error)
        if self.kind == self.Kind.BUSINESS and not self.company_name.strip():
            errors["company_name"] = ValidationError(
                _("A business customer needs a company name."), code="company_name_required"
            )
        if errors:
            raise ValidationError(errors)


class CustomerEventKind(models.TextChoices):
    REGISTERED = "REGISTERED", _("Registered for the portal")
    PASSWORD_RESET = "PASSWORD_RESET", _("Password set with a text-message code")
    PASSWORD_CHANGED = "PASSWORD_CHANGED", _("Password changed")
    PHONE_CHANGED = "PHONE_CHANGED", _("Mobile phone number changed")
    EMAIL_CHANGED = "EMAIL_CHANGED", _("E-mail address changed")
    ADDRESS_CHANGED = "ADDRESS_CHANGED", _("Postal address changed")


class CustomerEvent(models.Model):
    """One entry of a customer's portal history (registration, password and phone changes)."""

    Kind = CustomerEventKind

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="customerevent_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[str(value) for value in CustomerEventKind.values]),
                name="customerevent_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d %H:%M:%S})"


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
            models.CheckConstraint(
                condition=Q(purpose__in=[str(value) for value in OtpPurpose.values]), name="otp_purpose_valid"
            ),
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


class NotificationKind(models.TextChoices):
    """What the bank writes to a customer about (``customers.services.notification_send``)."""

    CLAIM_RECEIVED = "CLAIM_RECEIVED", _("Claim received")
    REFUND_MADE = "REFUND_MADE", _("Provisional refund made")
    INFORMATION_REQUESTED = "INFORMATION_REQUESTED", _("Information requested")
    REPLY_EXTENDED = "REPLY_EXTENDED", _("Reply deadline extended")
    DECISION_ISSUED = "DECISION_ISSUED", _("Decision issued")
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
            models.Index(
                fields=["created_at"], name="notification_unsent_idx", condition=Q(sent_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[str(value) for value in NotificationKind.values]),
                name="notification_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[str(value) for value in NotificationChannel.values]),
                name="notification_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        channel = self.get_channel_display()
        return f"{self.get_kind_display()} ({channel}, {self.created_at:%Y-%m-%d %H:%M:%S})"

    @property
    def recipient_shown(self) -> str:
        """Whom it went to, as the portal shows it: a phone number masked, an e-mail address whole."""
        return masked_phone(self.recipient) if self.channel == NotificationChannel.SMS else self.recipient
