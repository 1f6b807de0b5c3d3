"""The bank systems API: its clients, the idempotency keys of their writes, amendments of fed
transactions, and the webhooks (endpoints, events and their delivery log)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """One calling system of the bank (CRM, card management, the issuer-processor's feed, ...).

    Its OAuth 2.0 application issues tokens (client credentials); its ``user`` is the actor of every
    change it makes (audit trail, case history), so a system is named in the record like a person.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name=_("OAuth 2.0 application"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting user"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    scopes = models.JSONField(
        _("scopes"), default=list, help_text=_("The scopes this system may be granted.")
    )
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name


class IdempotencyRecord(models.Model):
    """The first response to a write carrying an ``Idempotency-Key``: a replay gets it back."""

    client = models.ForeignKey(ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE)
    key = models.CharField(_("idempotency key"), max_length=255)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    request_hash = models.CharField(_("SHA-256 of the request"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_once_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class TransactionAmendment(models.Model):
    """A correction of a transaction the feed sent earlier (same processor reference, other values)."""

    transaction = models.ForeignKey(
        "cards.Transaction",
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    changes = models.JSONField(_("changes"), help_text=_("Per field: the value before and after."))
    client = models.ForeignKey(ApiClient, verbose_name=_("API client"), on_delete=models.PROTECT)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("transaction amendment")
        verbose_name_plural = _("transaction amendments")

    def __str__(self) -> str:
        return f"{self.transaction_id} {sorted(self.changes)}"


class WebhookEventType(models.TextChoices):
    CLAIM_SUBMITTED = "claim.submitted", _("Claim submitted")
    CLAIM_REFUNDED = "claim.refunded", _("Claim refunded")
    CLAIM_INFORMATION_REQUESTED = "claim.information_requested", _("Information requested")
    CLAIM_DECIDED = "claim.decided", _("Claim decided")
    LETTER_ISSUED = "letter.issued", _("Letter issued")
    CHARGEBACK_UPDATED = "chargeback.updated", _("Chargeback updated")


class WebhookEndpoint(models.Model):
    """Where a calling system wants events sent, signed with its secret (HMAC-SHA256)."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64)
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One event that happened (from the case history or a letter), once, with the payload sent."""

    event_type = models.CharField(_("event type"), max_length=40, choices=WebhookEventType.choices)
    source = models.CharField(
        _("source"),
        max_length=64,
        unique=True,
        help_text=_("The record the event comes from, e.g. transition:12."),
    )
    payload = models.JSONField(_("payload"))
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.source}"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting")
    DELIVERED = "DELIVERED", _("Delivered")
    FAILED = "FAILED", _("Given up")


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempts with backoff and the last answer; staff can replay it."""

    Status = DeliveryStatus
    MAX_ATTEMPTS = 8

    event = models.ForeignKey(
        WebhookEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=~Q(status="DELIVERED") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"


class WebhookCursor(models.Model):
    """How far the event collector has read each source (case transitions, letters)."""

    source = models.CharField(_("source"), max_length=32, primary_key=True)
    last_id = models.BigIntegerField(_("last id read"), default=0)

    class Meta:
        verbose_name = _("webhook cursor")
        verbose_name_plural = _("webhook cursors")

    def __str__(self) -> str:
        return f"{self.source}: {self.last_id}"
