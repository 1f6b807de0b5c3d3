"""Four-eyes: a step proposed by one person that takes effect only when a second one approves it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from customers.models import user_link
from disputes.models._base import TEXT_LIMIT, text_limits
from kartosfera.models import optional_link


class ProposalKind(models.TextChoices):
    """The steps that need a second person: the decision, the recovery, a refund above the limit, and
    a chargeback's result (the credit from the acquirer, or the loss the bank keeps)."""

    DECISION = "DECISION", _("Decision")
    RECOVERY = "RECOVERY", _("Recovery of the customer's share")
    REFUND = "REFUND", _("Provisional refund above the four-eyes limit")
    CHARGEBACK_RESULT = "CHARGEBACK", _("Result of a chargeback")


class ProposalStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting for approval")
    APPROVED = "APPROVED", _("Approved")
    REJECTED = "REJECTED", _("Returned by the supervisor")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")


class DecisionProposal(models.Model):
    """A proposed step (decision, recovery, large refund) and the second person's verdict on it."""

    case = models.ForeignKey(
        "disputes.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ProposalKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    chargeback = optional_link("chargebacks.Chargeback", _("chargeback"), related_name="proposals")
    reason = models.TextField(_("reason"), blank=True, max_length=TEXT_LIMIT)
    # What the proposer saw: the outcome and shares of the assessment, or the amount to move.
    data = models.JSONField(_("data"), default=dict, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = user_link(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("supervisor's note"), blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = _("four-eyes proposal")
        verbose_name_plural = _("four-eyes proposals")
        constraints = [
            *text_limits("proposal", {"reason": TEXT_LIMIT, "decision_note": TEXT_LIMIT}),
            # The database is the last word on four-eyes: nobody approves their own proposal.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="proposal_second_person",
            ),
            models.CheckConstraint(
                condition=Q(status="PENDING", decided_at__isnull=True)
                | Q(status="WITHDRAWN", decided_at__isnull=False)
                | Q(
                    ~Q(status__in=["PENDING", "WITHDRAWN"]),
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                ),
                name="proposal_decided_has_who_and_when",
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status="PENDING", chargeback__isnull=True),
                name="proposal_one_pending_per_kind",
            ),
            models.UniqueConstraint(
                fields=["chargeback"],
                condition=Q(status="PENDING", chargeback__isnull=False),
                name="proposal_one_pending_per_chargeback",
            ),
            models.CheckConstraint(
                condition=Q(kind="CHARGEBACK", chargeback__isnull=False)
                | (~Q(kind="CHARGEBACK") & Q(chargeback__isnull=True)),
                name="proposal_chargeback_iff_chargeback_kind",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="proposal_status_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}:{self.status}"
