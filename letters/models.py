"""Stored letters: the issued PDF, its hash, template version and the snapshot it was rendered from.

A stored letter is evidence: once issued it is never changed or deleted. The only write allowed on an
issued row is recording its dispatch, once. A correction is a new version that supersedes the old.
"""

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, user_link
from disputes.models import Case, CaseLetterRequest, DeliveryChannel
from kartosfera.models import BulkWritesRefused, choice_check, optional_link, pending_index
from letters.rules import LetterType, address_line

# The fields set once at dispatch; every other field is frozen at issue.
DISPATCH_FIELDS = frozenset({"dispatched_at", "dispatch_channel"})
# A stale letter taken out of the queues (never deleted): recorded once, like a dispatch.
WITHDRAWAL_FIELDS = frozenset({"withdrawn_at", "withdrawal_reason"})


class LetterImmutable(Exception):
    """An issued letter may not be changed (but for recording its dispatch once) or deleted."""


# How a letter left the bank: one vocabulary with the case's choice of delivery for its reply.
DispatchChannel = DeliveryChannel


class LetterQuerySet(BulkWritesRefused):
    """Bulk updates and deletes would bypass the row checks of ``Letter.save``: refused."""

    refusal = LetterImmutable
    rows = "stored letters"


class CustomerAddress(models.Model):
    """Where the bank posts a customer's letters (the window of the envelope)."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="letter_address"
    )
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country (empty for Poland)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("postal address for letters")
        verbose_name_plural = _("postal addresses for letters")

    def __str__(self) -> str:
        return address_line(
            street=self.street, postal_code=self.postal_code, city=self.city, country=self.country
        )


class StaffProfile(models.Model):
    """A staff member's position, printed under their name when they sign a reply (Complaints Act)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="staff_profile",
    )
    position = models.CharField(_("position (Polish)"), max_length=200)
    position_en = models.CharField(_("position (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.position})"


def letter_upload_to(instance: "Letter", filename: str) -> str:
    """Letters live under MEDIA_ROOT/letters/<case id>/, never in static files."""
    return f"letters/{instance.case_id}/{filename}"


class Letter(models.Model):
    """One issued version of a letter the workflow asked for."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="letters")
    letter_request = models.ForeignKey(
        CaseLetterRequest, verbose_name=_("letter request"), on_delete=models.PROTECT, related_name="letters"
    )
    letter_type = models.CharField(_("letter type"), max_length=32, choices=LetterType.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    pdf = models.FileField(_("PDF"), upload_to=letter_upload_to, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    template_version = models.CharField(_("template version"), max_length=64)
    snapshot = models.JSONField(_("snapshot of the data used"))
    page_count = models.PositiveSmallIntegerField(_("pages"))
    language = models.CharField(_("language"), max_length=2)
    issued_at = models.DateTimeField(_("issued at"))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatch_channel = models.CharField(
        _("dispatch channel"), max_length=16, choices=DispatchChannel.choices, blank=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)
    supersedes = optional_link("self", _("supersedes"), related_name="superseded_by", one_to_one=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["case_id", "letter_request_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_request", "version"], name="letter_request_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="letter_version_positive"),
            # A re-issue says why; the first version supersedes nothing.
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True, correction_reason="")
                | (Q(version__gt=1, supersedes__isnull=False) & ~Q(correction_reason="")),
                name="letter_reissue_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(dispatched_at__isnull=True, dispatch_channel="")
                | (Q(dispatched_at__isnull=False) & ~Q(dispatch_channel="")),
                name="letter_dispatch_complete",
            ),
            # A withdrawn letter never leaves the bank, and says why it was withdrawn.
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawal_reason="")
                | (Q(withdrawn_at__isnull=False, dispatched_at__isnull=True) & ~Q(withdrawal_reason="")),
                name="letter_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_type} v{self.version} ({self.case_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; afterwards only the dispatch may be recorded, once."""
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        stored = cast("dict[str, Any] | None", type(self).objects.filter(pk=self.pk).values().first())
        if stored is None:
            raise LetterImmutable("a stored letter cannot be re-created")
        changed = {
            field.attname
            for field in self._meta.concrete_fields
            if stored[field.attname] != _plain(getattr(self, field.attname))
        }
        if changed - DISPATCH_FIELDS - WITHDRAWAL_FIELDS:
            raise LetterImmutable(
                f"an issued letter cannot be changed: {sorted(changed - DISPATCH_FIELDS - WITHDRAWAL_FIELDS)}"
            )
        if changed and stored["dispatched_at"] is not None:
            raise LetterImmutable("a letter's dispatch is recorded once")
        if changed and stored["withdrawn_at"] is not None:
            raise LetterImmutable("a withdrawn letter is not sent, and its withdrawal is recorded once")
        if not changed:
            return
        # QuerySet.update is refused for everyone else; this is the one allowed write.
        models.QuerySet.update(
            type(self).objects.filter(pk=self.pk), **{name: getattr(self, name) for name in changed}
        )

    def delete(self, *args, **kwargs):
        raise LetterImmutable("stored letters are never deleted")


def _plain(value):
    # A FieldFile compares with the stored name.
    return getattr(value, "name", value) if hasattr(value, "storage") else value


class LetterHoldReason(models.TextChoices):
    """Why a requested letter cannot be made until someone fixes the data (a lasting reason)."""

    NO_POSTAL_ADDRESS = "NO_POSTAL_ADDRESS", _("The customer has no postal address for letters")
    NO_SIGNATORY = "NO_SIGNATORY", _("The person replying has no position on file (staff profile)")
    CASE_DATA = "CASE_DATA", _("The case lacks data the letter must state")


class LetterRequestHold(models.Model):
    """A letter request the case cannot make: the reason, for staff to fix; released once it is issued.

    The request stays pending (nothing is ever dropped); the beat sweep tries it again now and then,
    and issuing it after the fix releases the hold. The rows stay as the history of the delay.
    """

    letter_request = models.OneToOneField(
        CaseLetterRequest,
        verbose_name=_("letter request"),
        on_delete=models.PROTECT,
        related_name="letter_hold",
    )
    reason = models.CharField(_("reason"), max_length=32, choices=LetterHoldReason.choices)
    detail = models.TextField(_("detail"))
    held_at = models.DateTimeField(_("held since"))
    last_attempt_at = models.DateTimeField(_("last attempt at"))
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter needing attention")
        verbose_name_plural = _("letters needing attention")
        ordering = ["held_at", "id"]
        indexes = [pending_index("last_attempt_at", until="released_at", name="letter_hold_open_idx")]
        constraints = [
            choice_check("reason", LetterHoldReason, name="letter_hold_reason_valid"),
            models.CheckConstraint(condition=Q(attempts__gte=1), name="letter_hold_attempted"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_request} ({self.reason})"


class PrintBatch(models.Model):
    """The paper letters staff print together: downloaded as one PDF, posted, then marked posted.

    Marking the batch posted records the dispatch of each letter in it at that time (the time that
    counts for the reply deadline, REK-6). A letter is printed in one batch. A letter issued again
    before its batch was marked printed is taken out of it; once marked, it stays and is posted with it.
    A mark made by mistake is undone until the batch is posted (``print_batch_undo_printed``), which
    takes out such a letter then.
    """

    created_at = models.DateTimeField(_("assembled at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assembled by"), on_delete=models.PROTECT, related_name="+"
    )
    # When staff marked it printed (``print_batch_mark_printed``; downloading the PDF changes nothing):
    # from then on its letters may be on paper, whatever happens next.
    printed_at = models.DateTimeField(_("first printed at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = user_link(_("posted by"))
    letters = models.ManyToManyField(Letter, through="PrintBatchLetter", related_name="print_batches")

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(posted_at__isnull=True, posted_by__isnull=True)
                | Q(posted_at__isnull=False, posted_by__isnull=False),
                name="print_batch_posted_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"print batch {self.pk} ({self.created_at:%Y-%m-%d})"


class PrintBatchLetter(models.Model):
    """One letter of a print batch, in print order."""

    batch = models.ForeignKey(PrintBatch, verbose_name=_("print batch"), on_delete=models.PROTECT)
    letter = models.OneToOneField(
        Letter, verbose_name=_("letter"), on_delete=models.PROTECT, related_name="print_batch_entry"
    )
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("letter in a print batch")
        verbose_name_plural = _("letters in a print batch")
        ordering = ["batch_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="print_batch_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.position}: letter {self.letter_id}"
