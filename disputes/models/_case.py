"""The dispute case: a customer's claim about unauthorised card transactions, and its workflow."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from cards.models import Card, Transaction
from customers.models import Customer, user_link
from deadlines.rules import Regime
from disputes.models._base import (
    CASE_CHANNELS,
    OPEN_STATES,
    REPLY_DELIVERY_CHOICES,
    TEXT_LIMIT,
    CaseState,
    Channel,
    DeliveryChannel,
    EstimateStatus,
)
from disputes.models._case_meta import case_constraints, case_indexes
from disputes.models._case_workflow import CaseWorkflow
from disputes.rules import (
    MoneyMove,
    Outcome,
    RefundPolicy,
    net_to_customer,
    provisional_refunds,
    settlement_moves,
)
from kartosfera.models import optional_link, pln_amount, unique_when_set
from kartosfera.money import ZERO
from kartosfera.vocabulary import subset_choices
from liability.rules import Cause


class Case(ConcurrentTransitionMixin, CaseWorkflow, models.Model):
    """A claim about unauthorised card transactions and the complaint case that answers it.

    The state only changes through the transition methods below, which only the services call
    (inside ``transaction.atomic()`` after ``select_for_update()``), each writing a ``CaseTransition``.
    Deadlines are stored with their rule ids and explanations in indexed columns the sweeps read.
    """

    State = CaseState
    Outcome = Outcome
    Channel = Channel
    Cause = Cause
    ReplyRegime = Regime
    EstimateStatus = EstimateStatus

    number = unique_when_set(_("case number"), max_length=20, help_text=_("Given on submission."))
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    card = models.ForeignKey(Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="cases")
    transactions = models.ManyToManyField(
        Transaction, through="CaseTransaction", related_name="cases", verbose_name=_("disputed transactions")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=subset_choices(CASE_CHANNELS))
    cause = models.CharField(_("cause"), max_length=16, choices=Cause.choices)
    category = models.CharField(
        _("complaint category"),
        max_length=40,
        default="UNAUTHORISED_TRANSACTION",
        help_text=_("Chooses the reply regime (policy REPLY_REGIME_BY_CATEGORY)."),
    )
    state = FSMField(
        _("state"), max_length=32, choices=CaseState.choices, default=CaseState.DRAFT, protected=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    # The customer's account of the circumstances.
    loss_noticed_at = models.DateTimeField(_("loss noticed at"), null=True, blank=True)
    card_whereabouts = models.TextField(_("where the card was"), blank=True, max_length=TEXT_LIMIT)
    access_to_card_and_phone = models.TextField(
        _("who had access to the card and the phone"), blank=True, max_length=TEXT_LIMIT
    )
    card_in_mobile_wallet = models.BooleanField(_("card was in a mobile wallet"), null=True, blank=True)
    police_notified = models.BooleanField(_("police notified"), default=False)
    police_reference = models.CharField(_("police reference"), max_length=64, blank=True)
    customer_account = models.TextField(_("customer's account"), blank=True, max_length=TEXT_LIMIT)

    created_at = models.DateTimeField(_("created at"))
    created_by = user_link(_("created by"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    reported_at = models.DateTimeField(
        _("loss or theft reported at"),
        null=True,
        blank=True,
        help_text=_(
            "The report time liability runs from, e.g. when the card was cancelled as lost or stolen."
        ),
    )
    found_at = models.DateTimeField(
        _("found by the bank at"),
        null=True,
        blank=True,
        help_text=_("When the bank found the transactions itself."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    assignee = user_link(_("assignee"), related_name="assigned_cases")

    # Deadlines: indexed, with the rule that gave them; explanations (pl/en steps) as JSON.
    reply_regime = models.CharField(_("reply regime"), max_length=20, choices=Regime.choices, blank=True)
    refund_owed = models.BooleanField(_("D+1 refund owed"), default=False)
    refund_due_at = models.DateTimeField(_("refund due before"), null=True, blank=True)
    refund_due_on = models.DateField(_("refund due on"), null=True, blank=True, db_index=True)
    refund_rule = models.CharField(_("refund rule"), max_length=20, blank=True)
    reply_due_at = models.DateTimeField(_("reply due before"), null=True, blank=True)
    reply_due_on = models.DateField(_("reply due on"), null=True, blank=True, db_index=True)
    reply_rule = models.CharField(_("reply rule"), max_length=20, blank=True)
    # Complaints Act art. 5: the reply goes on paper by post unless the customer asked for e-mail.
    reply_delivery = models.CharField(
        _("reply sent by"), max_length=8, choices=REPLY_DELIVERY_CHOICES, default=DeliveryChannel.POST
    )
    window_end_on = models.DateField(
        _("reporting window ends on"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The earliest of the transactions' UUP-44-2 windows."),
    )
    out_of_window = models.BooleanField(
        _("reported out of time"),
        default=False,
        help_text=_("A transaction was reported after its 13-month window (UUP-44-2)."),
    )
    deadline_explanations = models.JSONField(_("deadline explanations"), default=dict, blank=True)

    disputed_amount = pln_amount(_("disputed amount (PLN)"), default=Decimal("0.00"))
    estimate_status = models.CharField(
        _("liability estimate"),
        max_length=20,
        choices=EstimateStatus.choices,
        default=EstimateStatus.NOT_STARTED,
    )

    refunded_at = models.DateTimeField(_("provisionally refunded at"), null=True, blank=True)
    # When the core banking system confirmed the last positive provisional refund credit of the case:
    # the D+1 refund is *made* then (docs/WORKFLOW.md). Set with that confirmation, or with the refund
    # itself when it has no positive credit to confirm.
    refund_confirmed_at = models.DateTimeField(_("refund confirmed at"), null=True, blank=True)
    refund_withheld_at = models.DateTimeField(_("refund withheld at"), null=True, blank=True)
    refund_withheld_grounds = models.TextField(
        _("grounds for withholding the refund"), blank=True, max_length=TEXT_LIMIT
    )
    refund_escalated_at = models.DateTimeField(_("refund escalated at"), null=True, blank=True)

    resume_state = models.CharField(
        _("state to resume"),
        max_length=32,
        choices=CaseState.choices,
        blank=True,
        help_text=_("Where the customer's answer returns the case."),
    )
    information_requested_at = models.DateTimeField(_("information requested at"), null=True, blank=True)

    reply_extended = models.BooleanField(_("reply deadline extended"), default=False)
    delay_notice_at = models.DateTimeField(_("delay notice issued at"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the delay"), blank=True, max_length=TEXT_LIMIT)
    extension_outstanding = models.TextField(
        _("what remains to be established"), blank=True, max_length=TEXT_LIMIT
    )
    expected_reply_on = models.DateField(_("expected reply date"), null=True, blank=True)
    reply_reminded_days = models.PositiveSmallIntegerField(
        _("last reply reminder (days before)"), null=True, blank=True
    )

    decision_assessment = optional_link("LiabilityAssessment", _("assessment decided on"), related_name="+")
    customer_share = pln_amount(_("customer's share (PLN)"), null=True, blank=True)
    bank_share = pln_amount(_("bank's share (PLN)"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The nearest deadline among the case's chargebacks whose clock runs (a DRAFT's filing window,
    # CB-MC-2P after a second presentment), kept by the chargeback services for the queues.
    chargeback_due_at = models.DateTimeField(_("chargeback deadline"), null=True, blank=True)
    chargeback_due_on = models.DateField(_("chargeback due on"), null=True, blank=True)
    reply_dispatched_at = models.DateTimeField(_("reply dispatched at"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("customer's share recovered at"), null=True, blank=True)
    deemed_accepted_at = models.DateTimeField(_("deemed accepted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("handle_case", _("Can handle dispute cases")),
            ("approve_decision", _("Can approve dispute decisions and withhold refunds")),
            ("supervise_case", _("Can supervise dispute cases")),
        ]
        indexes = case_indexes()
        constraints = case_constraints()

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @property
    def is_open(self) -> bool:
        """Submitted and not finished: its transactions cannot be claimed in another case."""
        return self.state in OPEN_STATES

    def refund_owed_total(self) -> Decimal:
        """What the D+1 refund of this case comes to: every transaction reported in time."""
        return sum((link.amount for link in self.disputed.all() if not link.out_of_window), ZERO)

    def provisional_refund_total(self, policy: str) -> Decimal:
        """What the D+1 refund under ``policy`` credits in all: the amount leaving the bank, which the
        four-eyes limit weighs (``NET_OF_CAP`` credits only the bank's share). While ``NET_OF_CAP``
        waits for its estimate, everything owed: the most the refund can credit.
        """
        refunds = self.provisional_refunds_due(policy)
        if refunds is None:
            return self.refund_owed_total()
        return sum(refunds.values(), ZERO)

    def provisional_refunds_due(self, policy: str) -> dict[int, Decimal] | None:
        """What the D+1 refund credits to each transaction under ``policy`` (``REFUND_POLICY``), by the
        rule ``provisional_refunds``: the one computation the refund service makes and the customer's
        page promises. ``NET_OF_CAP`` takes the bank's share from the latest estimate; None while
        there is none, unless nothing is owed (every transaction reported after its window): then
        nothing, under either policy, estimate or not.
        """
        links = list(self.disputed.all())
        owed = [link.transaction_id for link in links if not link.out_of_window]
        if not owed:
            return {}
        bank_shares = None
        if policy == RefundPolicy.NET_OF_CAP:
            estimate = (
                self.assessments.filter(kind=self.assessments.model.Kind.ESTIMATE)
                .order_by("-created_at", "-pk")
                .first()
            )
            if estimate is None:
                return None
            bank_shares = {
                int(line["transaction_id"]): Decimal(line["bank"]) for line in estimate.result["lines"]
            }
        return provisional_refunds(
            policy=policy,
            amounts={link.transaction_id: link.amount for link in links},
            owed=owed,
            bank_shares=bank_shares,
        )

    def settlement_moves(self) -> list[MoneyMove[int]]:
        """The refunds and recoveries still needed to bring every transaction to the decided amount.

        Nothing before a decision. After DECIDED the customer ends with the bank's share of the
        decision's assessment; after DEEMED_ACCEPTED (REK-8) with everything disputed.
        """
        if self.state not in ("DECIDED", "DEEMED_ACCEPTED", "CLOSED"):
            return []
        if self.deemed_accepted_at is not None:
            amounts = {link.transaction_id: link.amount for link in self.disputed.all()}
            net = net_to_customer(self.ledger_entries.values_list("transaction_id", "kind", "amount"))
            return settlement_moves(amounts=amounts, targets=dict(amounts), net=net)
        return self.settlement_moves_on(self.decision_assessment)

    def settlement_moves_on(self, assessment) -> list[MoneyMove[int]]:
        """The refunds and recoveries a decision on ``assessment`` needs, given the money moved so far.

        What a proposed decision would do (its letter's preview), and what the decided one does.
        """
        amounts = {link.transaction_id: link.amount for link in self.disputed.all()}
        lines = assessment.result["lines"] if assessment is not None else []
        targets = {int(line["transaction_id"]): Decimal(line["bank"]) for line in lines}
        net = net_to_customer(self.ledger_entries.values_list("transaction_id", "kind", "amount"))
        return settlement_moves(amounts=amounts, targets=targets, net=net)
