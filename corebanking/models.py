"""Postings to the core banking system: the outbox of ledger entries, and the reconciliation's findings."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kartosfera.models import optional_link


class PostingDirection(models.TextChoices):
    CREDIT = "CREDIT", _("Credit")
    DEBIT = "DEBIT", _("Debit")


class PostingStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be sent")
    CONFIRMED = "CONFIRMED", _("Confirmed by the core system")


class Posting(models.Model):
    """One ledger entry as a posting to an account in the core banking system.

    Written in the same database transaction as its ledger entry (``postings_record``), so a ledger
    entry never exists without its posting. The dispatcher sends it with ``idempotency_key``, which
    the core system applies at most once, until the core system confirms it (``confirmed_at``).
    """

    Direction = PostingDirection
    Status = PostingStatus

    ledger_entry = models.OneToOneField(
        "ledger.LedgerEntry",
        verbose_name=_("ledger entry"),
        on_delete=models.PROTECT,
        related_name="posting",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    account = models.CharField(
        _("account"), max_length=64, help_text=_("The core system's reference of the account posted to.")
    )
    direction = models.CharField(_("direction"), max_length=8, choices=PostingDirection.choices)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    description = models.CharField(_("description"), max_length=140)
    status = models.CharField(
        _("status"), max_length=16, choices=PostingStatus.choices, default=PostingStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), help_text=_("When the ledger entry was written."))
    confirmed_at = models.DateTimeField(
        _("confirmed at"), null=True, blank=True, help_text=_("When the core system confirmed the posting.")
    )
    core_reference = models.CharField(_("core system reference"), max_length=64, blank=True)
    core_applied_at = models.DateTimeField(_("applied by the core system at"), null=True, blank=True)

    class Meta:
        verbose_name = _("core banking posting")
        verbose_name_plural = _("core banking postings")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="posting_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="posting_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="CONFIRMED", confirmed_at__isnull=False)
                | Q(status="PENDING", confirmed_at__isnull=True),
                name="posting_confirmed_iff_confirmed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.amount} {self.currency} {self.account} ({self.idempotency_key})"


class DifferenceKind(models.TextChoices):
    MISSING_AT_CORE = "MISSING_AT_CORE", _("Confirmed by us, absent from the core system's statement")
    UNKNOWN_AT_CORE = "UNKNOWN_AT_CORE", _("On the core system's statement, unknown to our ledger")
    AMOUNT_DIFFERS = "AMOUNT_DIFFERS", _("The amounts differ")
    APPLIED_TWICE = "APPLIED_TWICE", _("Applied more than once by the core system")
    UNCONFIRMED = "UNCONFIRMED", _("Not confirmed by the core system by the end of the day")
    REFUND_LATE = "REFUND_LATE", _("D+1 refund confirmed by the core system after its deadline")


class ReconciliationDifference(models.Model):
    """One difference between our ledger and the core system's statement of a day, for supervisors."""

    Kind = DifferenceKind

    business_date = models.DateField(_("business date"))
    kind = models.CharField(_("kind"), max_length=20, choices=DifferenceKind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    posting = optional_link(Posting, _("posting"), related_name="differences")
    ours = models.JSONField(_("our record"), default=dict, blank=True)
    theirs = models.JSONField(_("core system's record"), default=dict, blank=True)
    found_at = models.DateTimeField(_("found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        constraints = [
            models.UniqueConstraint(
                fields=["business_date", "kind", "idempotency_key"], name="reconciliation_difference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.kind} {self.idempotency_key}"
