"""What a case keeps: evidence, liability assessments, its history and letter requests.

Its money is the ``ledger`` app's (``ledger.models.LedgerEntry``).
"""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from customers.models import HistoryEntry, user_link
from disputes.models._base import (
    DESCRIPTION_LIMIT,
    TEXT_LIMIT,
    ActorKind,
    CaseState,
    EvidenceKind,
    text_limits,
)
from disputes.models._case import Case
from disputes.rules import LETTER_REQUEST_CHOICES
from kartosfera.models import choice_check, optional_link, pending_index, pln_amount


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Evidence lives under MEDIA_ROOT/evidence/<case id>/, named by its SHA-256 (never served as static)."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    suffix = "".join(ch for ch in suffix if ch.isalnum())[:8] or "bin"
    return f"evidence/{instance.case_id}/{instance.sha256}.{suffix}"


class Evidence(models.Model):
    """A document on a case, e.g. the notice to law enforcement that allows withholding the refund."""

    Kind = EvidenceKind

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=32, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=DESCRIPTION_LIMIT)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = user_link(_("uploaded by"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]
        constraints = [
            *text_limits("evidence", {"description": DESCRIPTION_LIMIT}),
            choice_check("kind", EvidenceKind, name="evidence_kind_valid"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"),
            models.UniqueConstraint(fields=["case", "sha256"], name="evidence_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class LiabilityAssessment(models.Model):
    """A stored liability result of a case: inputs, findings, lines, totals and rates, replayable.

    ``result`` is ``liability.engine.Assessment.to_dict()``: ``liability.engine.replay_assessment(result)``
    recomputes it from the rates and windows it cites, which is how an auditor checks it.
    """

    class Kind(models.TextChoices):
        ESTIMATE = "ESTIMATE", _("First estimate (no findings yet)")
        ANALYST = "ANALYST", _("Analyst's assessment")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="assessments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    findings = models.JSONField(_("findings"))
    inputs = models.JSONField(_("inputs"))
    result = models.JSONField(_("result"))
    disputed_amount = pln_amount(_("disputed amount (PLN)"))
    customer_total = pln_amount(_("customer's share (PLN)"))
    bank_total = pln_amount(_("bank's share (PLN)"))
    rate_tables = models.JSONField(_("NBP tables used"), default=list, blank=True)
    synthetic_rates_used = models.BooleanField(_("synthetic (demo) rates used"), default=False)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_LIMIT)
    actor = user_link(_("assessed by"))
    created_at = models.DateTimeField(_("assessed at"))

    class Meta:
        verbose_name = _("liability assessment")
        verbose_name_plural = _("liability assessments")
        ordering = ["created_at", "id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            *text_limits("assessment", {"note": TEXT_LIMIT}),
            choice_check("kind", ["ESTIMATE", "ANALYST"], name="assessment_kind_valid"),
            models.CheckConstraint(
                condition=Q(customer_total__gte=0, bank_total__gte=0), name="assessment_shares_not_negative"
            ),
            # Compared in grosze: SQLite does decimal arithmetic in floating point.
            models.CheckConstraint(
                condition=Exact(
                    Round((F("customer_total") + F("bank_total") - F("disputed_amount")) * 100), 0
                ),
                name="assessment_shares_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.customer_total}/{self.bank_total} PLN"


class CaseTransition(HistoryEntry):
    """One state change (or a guarded action that keeps the state) of a case or of its chargeback."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="transitions"
    )
    chargeback = optional_link("chargebacks.Chargeback", _("chargeback"), related_name="transitions")
    name = models.CharField(_("transition"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32)
    to_state = models.CharField(_("to"), max_length=32)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=TEXT_LIMIT)
    data = models.JSONField(_("data"), default=dict, blank=True)
    letter_required = models.CharField(
        _("letter required"), max_length=32, choices=LETTER_REQUEST_CHOICES, blank=True
    )

    class Meta:
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_transition_case_idx")]
        constraints = [
            *text_limits("case_transition", {"reason": TEXT_LIMIT}),
            choice_check("actor_kind", ActorKind, name="case_transition_actor_kind_valid"),
            models.CheckConstraint(
                condition=Q(actor__isnull=True, actor_kind="SYSTEM")
                | Q(actor__isnull=False) & ~Q(actor_kind="SYSTEM"),
                name="case_transition_actor_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.name}: {self.from_state} → {self.to_state}"


class CaseEvent(HistoryEntry):
    """Case history that is not a state change: deadlines recomputed, reminders, escalations, notes."""

    class Kind(models.TextChoices):
        ASSIGNED = "ASSIGNED", _("Assigned")
        NOTE = "NOTE", _("Note")
        EVIDENCE_ADDED = "EVIDENCE_ADDED", _("Evidence added")
        ESTIMATE_WAITING = "ESTIMATE_WAITING", _("Estimate waits for the NBP rate")
        ESTIMATE_COMPLETED = "ESTIMATE_COMPLETED", _("Estimate completed")
        LIABILITY_ASSESSED = "LIABILITY_ASSESSED", _("Liability assessed")
        DEADLINES_RECOMPUTED = "DEADLINES_RECOMPUTED", _("Deadlines recomputed")
        REFUND_ESCALATED = "REFUND_ESCALATED", _("D+1 refund escalated to supervisors")
        REPLY_REMINDER = "REPLY_REMINDER", _("Reply deadline reminder")
        CHARGEBACK_ALERT = "CHARGEBACK_ALERT", _("Chargeback filing window closing")
        CHARGEBACK_FILING_MISSED = "CHARGEBACK_FILING_MISSED", _("Chargeback filing window missed")
        CHARGEBACK_OPENED = "CHARGEBACK_OPENED", _("Chargeback opened")
        REPLY_DELIVERY_CHANGED = "REPLY_DELIVERY_CHANGED", _("Delivery of letters changed")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    chargeback = optional_link("chargebacks.Chargeback", _("chargeback"), related_name="events")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # Set for events that must happen once (a reminder per threshold, an escalation): unique per case.
    key = models.CharField(_("once-only key"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_event_case_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "key"], condition=~Q(key=""), name="case_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class CaseLetterRequest(models.Model):
    """A letter a transition calls for (outbox): the letters app writes, sends and marks it fulfilled."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="letter_requests"
    )
    letter_type = models.CharField(_("letter"), max_length=32, choices=LETTER_REQUEST_CHOICES)
    transition = optional_link(CaseTransition, _("transition"), related_name="letter_requests")
    context = models.JSONField(_("context"), default=dict, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter request")
        verbose_name_plural = _("letter requests")
        ordering = ["requested_at", "id"]
        indexes = [pending_index("requested_at", until="fulfilled_at", name="letter_request_pending_idx")]
        constraints = [
            choice_check(
                "letter_type",
                [code for code, _label in LETTER_REQUEST_CHOICES],
                name="letter_request_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.letter_type}"


__all__ = [
    "CaseEvent",
    "CaseLetterRequest",
    "CaseState",
    "CaseTransition",
    "Evidence",
    "LiabilityAssessment",
]
