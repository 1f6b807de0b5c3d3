"""Chargebacks: the bank's claim against the acquirer for one disputed transaction, a sub-process of its case.

The tables keep the names they had in the disputes app (``disputes_chargeback``,
``disputes_chargebackdocument``): the models moved, the data did not.
"""

from datetime import date, datetime
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cards.models import Scheme, Transaction
from kartosfera.authz import HANDLE_CASE
from kartosfera.fsm import guard
from kartosfera.models import choice_check, pending_index, pln_amount


class ChargebackState(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    FILED = "FILED", _("Filed")
    REPRESENTED = "REPRESENTED", _("Second presentment received")
    PRE_ARBITRATION = "PRE_ARBITRATION", _("Pre-arbitration")
    ARBITRATION = "ARBITRATION", _("Arbitration")
    WON = "WON", _("Won")
    LOST = "LOST", pgettext_lazy("chargeback", "Lost")
    NOT_FILED = "NOT_FILED", _("Not filed")


ACTIVE_CHARGEBACK_STATES = (
    ChargebackState.DRAFT,
    ChargebackState.FILED,
    ChargebackState.REPRESENTED,
    ChargebackState.PRE_ARBITRATION,
    ChargebackState.ARBITRATION,
)
DISPUTED_CHARGEBACK_STATES = ACTIVE_CHARGEBACK_STATES[1:]
FINISHED_CHARGEBACK_STATES = (ChargebackState.WON, ChargebackState.LOST, ChargebackState.NOT_FILED)


class RunningDeadline(NamedTuple):
    """A chargeback deadline the bank must meet: which window, its end, its due date and its rule."""

    window: str  # "filing" or "response": the key of its explanation in ``deadline_explanations``
    due_at: datetime
    due_on: date
    rule: str


@guard("CHARGEBACK_WINDOW_CLOSED")
def before_filing_deadline(chargeback: "Chargeback", now: datetime) -> bool:
    """The scheme's filing window (CB-VISA-10.4 / CB-MC-4837, 120 days) has not ended."""
    return now < chargeback.filing_due_at


@guard("CHARGEBACK_RESPONSE_WINDOW_CLOSED")
def before_response_deadline(chargeback: "Chargeback", now: datetime) -> bool:
    """The response window after a second presentment (CB-MC-2P, Mastercard) has not ended."""
    if chargeback.response_due_at is None:  # Visa: RULES.md tracks no window for this stage
        return True
    return now < chargeback.response_due_at


class Chargeback(ConcurrentTransitionMixin, models.Model):
    """A fraud chargeback of one disputed transaction, with its scheme windows in indexed columns."""

    State = ChargebackState

    case = models.ForeignKey(
        "disputes.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="chargebacks"
    )
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="chargebacks"
    )
    scheme = models.CharField(_("scheme"), max_length=16, choices=Scheme.choices)
    reason_code = models.CharField(_("reason code"), max_length=8)
    amount = pln_amount(_("amount (PLN)"))
    state = FSMField(
        _("state"),
        max_length=20,
        choices=ChargebackState.choices,
        default=ChargebackState.DRAFT,
        protected=True,
    )
    filing_due_at = models.DateTimeField(_("file before"))
    filing_due_on = models.DateField(_("filing due on"), db_index=True)
    filing_rule = models.CharField(_("filing rule"), max_length=20)
    response_due_at = models.DateTimeField(_("respond before"), null=True, blank=True)
    response_due_on = models.DateField(_("response due on"), null=True, blank=True, db_index=True)
    response_rule = models.CharField(_("response rule"), max_length=20, blank=True)
    deadline_explanations = models.JSONField(_("deadline explanations"), default=dict, blank=True)
    acquirer_reference = models.CharField(_("acquirer reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("opened at"))
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    represented_at = models.DateTimeField(_("second presentment received at"), null=True, blank=True)
    pre_arbitration_at = models.DateTimeField(_("pre-arbitration at"), null=True, blank=True)
    arbitration_at = models.DateTimeField(_("arbitration at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("filing alert sent at"), null=True, blank=True)
    # Set by the sweep once the filing window has ended with the chargeback still drafted: the
    # missed-window event was raised (once) to the assignee or the supervisors.
    missed_alerted_at = models.DateTimeField(_("missed filing window alert sent at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        db_table = "disputes_chargeback"
        verbose_name = _("chargeback")
        verbose_name_plural = _("chargebacks")
        ordering = ["created_at", "id"]
        indexes = [
            pending_index(
                "filing_due_at",
                until="alerted_at",
                where={"state": "DRAFT"},
                name="chargeback_filing_alert_idx",
            ),
            pending_index(
                "filing_due_at",
                until="missed_alerted_at",
                where={"state": "DRAFT"},
                name="chargeback_filing_missed_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "transaction"], name="chargeback_once_per_case_transaction"
            ),
            choice_check("state", ChargebackState, name="chargeback_state_valid"),
            choice_check("scheme", Scheme, name="chargeback_scheme_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="chargeback_amount_positive"),
            models.CheckConstraint(
                condition=Q(state="DRAFT") | Q(state="NOT_FILED") | Q(filed_at__isnull=False),
                name="chargeback_filed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.scheme} {self.reason_code} {self.amount} PLN"

    @transition(
        field=state,
        source=ChargebackState.DRAFT,
        target=ChargebackState.FILED,
        conditions=[before_filing_deadline],
        permission=HANDLE_CASE,
    )
    def file(self, *, at: datetime, acquirer_reference: str) -> None:
        """File the chargeback with the scheme, within the 120-day window."""
        self.filed_at = at
        self.acquirer_reference = acquirer_reference

    def running_deadline(self) -> "RunningDeadline | None":
        """The bank's clock that runs now: the filing window of a DRAFT, the response window (CB-MC-2P)
        after a Mastercard second presentment; None while the acquirer or the scheme is to act."""
        if self.state == ChargebackState.DRAFT:
            return RunningDeadline("filing", self.filing_due_at, self.filing_due_on, self.filing_rule)
        # The response window's end and due date are stored together (chargeback_record_representment).
        if (
            self.state == ChargebackState.REPRESENTED
            and self.response_due_at is not None
            and self.response_due_on is not None
        ):
            return RunningDeadline("response", self.response_due_at, self.response_due_on, self.response_rule)
        return None

    @transition(
        field=state, source=ChargebackState.FILED, target=ChargebackState.REPRESENTED, permission=HANDLE_CASE
    )
    def record_representment(self, *, at: datetime) -> None:
        """The acquirer answered with a second presentment; the response window starts (CB-MC-2P)."""
        self.represented_at = at

    @transition(
        field=state,
        source=ChargebackState.REPRESENTED,
        target=ChargebackState.PRE_ARBITRATION,
        conditions=[before_response_deadline],
        permission=HANDLE_CASE,
    )
    def escalate_to_pre_arbitration(self, *, at: datetime) -> None:
        """The bank disputes the second presentment."""
        self.pre_arbitration_at = at

    @transition(
        field=state,
        source=ChargebackState.PRE_ARBITRATION,
        target=ChargebackState.ARBITRATION,
        permission=HANDLE_CASE,
    )
    def escalate_to_arbitration(self, *, at: datetime) -> None:
        """The scheme is asked to rule."""
        self.arbitration_at = at

    @transition(
        field=state,
        source=list(DISPUTED_CHARGEBACK_STATES),
        target=ChargebackState.WON,
        permission=HANDLE_CASE,
    )
    def win(self, *, at: datetime) -> None:
        """The acquirer accepted (or the scheme ruled for the bank): a CHARGEBACK_CREDIT follows."""
        self.resolved_at = at

    @transition(
        field=state,
        source=list(DISPUTED_CHARGEBACK_STATES),
        target=ChargebackState.LOST,
        permission=HANDLE_CASE,
    )
    def lose(self, *, at: datetime) -> None:
        """The bank accepted the second presentment or the scheme ruled for the acquirer."""
        self.resolved_at = at

    @transition(
        field=state, source=ChargebackState.DRAFT, target=ChargebackState.NOT_FILED, permission=HANDLE_CASE
    )
    def abandon(self, *, at: datetime) -> None:
        """The bank decided not to file (e.g. a PIN-verified ATM withdrawal, or the claim was withdrawn)."""
        self.resolved_at = at


class ChargebackDocument(models.Model):
    """A document of a chargeback: evidence of the case sent to the scheme, or the acquirer's own."""

    class Direction(models.TextChoices):
        SENT = "SENT", _("Sent to the scheme")
        RECEIVED = "RECEIVED", _("Received from the acquirer")

    chargeback = models.ForeignKey(
        Chargeback, verbose_name=_("chargeback"), on_delete=models.PROTECT, related_name="documents"
    )
    evidence = models.ForeignKey(
        "disputes.Evidence",
        verbose_name=_("evidence"),
        on_delete=models.PROTECT,
        related_name="chargeback_documents",
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=ChargebackState.choices)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        db_table = "disputes_chargebackdocument"
        verbose_name = _("chargeback document")
        verbose_name_plural = _("chargeback documents")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chargeback", "evidence", "stage"], name="chargeback_document_once_per_stage"
            ),
            choice_check("direction", ["SENT", "RECEIVED"], name="chargeback_document_direction_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.chargeback_id} {self.direction} {self.evidence_id}"
