"""The dispute case: a customer's claim about unauthorised card transactions, and its workflow."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from cards.models import Card, Transaction
from customers.models import Customer
from deadlines.rules import Regime
from disputes.models._base import (
    CASE_CHANNELS,
    LETTER_BY_OUTCOME,
    MONEY_DIGITS,
    OPEN_STATES,
    REFUND_PENDING_STATES,
    REPLY_CLOCK_STATES,
    REPLY_DELIVERY_CHOICES,
    RESUMABLE_STATES,
    TEXT_LIMIT,
    CaseState,
    Channel,
    DeliveryChannel,
    EstimateStatus,
    choice_values,
    guard,
    text_limits,
    the_customer_or_staff,
)
from disputes.models._clocks import next_running_due
from disputes.rules import LetterType, MoneyMove, Outcome, net_to_customer, settlement_moves
from kartosfera.authz import APPROVE_DECISION, HANDLE_CASE, SUPERVISE_CASE
from kartosfera.legaltime import warsaw_date
from kartosfera.vocabulary import subset_choices
from liability.rules import Cause

# --- Transition guards. Each is named in docs/WORKFLOW.md; its code names the service's refusal. ---


@guard("NO_TRANSACTIONS")
def has_transactions(case: "Case") -> bool:
    """The claim names at least one transaction."""
    return case.disputed.exists()


@guard("REFUND_NOT_OWED")
def refund_is_owed(case: "Case") -> bool:
    """At least one transaction was reported within its 13-month window (UUP-44-2), so D+1 applies."""
    return case.refund_owed


@guard("REFUND_ALREADY_MADE")
def refund_not_made(case: "Case") -> bool:
    """The D+1 refund has not been made yet."""
    return case.refunded_at is None


@guard("LAW_ENFORCEMENT_NOTICE_MISSING")
def has_law_enforcement_notice(case: "Case") -> bool:
    """The written notice to law enforcement is on the case (UUP-46-1-FRAUD)."""
    return case.evidence.filter(kind="LAW_ENFORCEMENT_NOTICE").exists()


@guard("REFUND_DEADLINE_PASSED")
def before_refund_deadline(case: "Case") -> bool:
    """The D+1 refund deadline has not ended yet."""
    return case.as_of is not None and case.refund_due_at is not None and case.as_of < case.refund_due_at


@guard("REFUND_QUESTION_OPEN")
def refund_question_settled(case: "Case") -> bool:
    """The D+1 refund was made or withheld, or is not owed: the D+1 deadline waits for nobody."""
    return not case.refund_owed or case.refunded_at is not None or case.refund_withheld_at is not None


@guard("REPLY_ALREADY_EXTENDED")
def reply_not_extended(case: "Case") -> bool:
    """The reply deadline has not been extended already (REK-7 allows one extension)."""
    return not case.reply_extended


@guard("DELAY_NOTICE_TOO_LATE")
def before_reply_deadline(case: "Case") -> bool:
    """The current reply deadline has not ended yet."""
    return case.as_of is not None and case.reply_due_at is not None and case.as_of < case.reply_due_at


@guard("REPLY_DEADLINE_NOT_PASSED")
def reply_deadline_passed(case: "Case") -> bool:
    """The reply deadline has ended (REK-8)."""
    return case.as_of is not None and case.reply_due_at is not None and case.as_of >= case.reply_due_at


@guard("REPLY_DEADLINE_PASSED")
def reply_still_in_time(case: "Case") -> bool:
    """An act that counts as the reply is still in time (dispatch before the end of the due date)."""
    return case.as_of is not None and case.reply_due_at is not None and case.as_of < case.reply_due_at


# No decision letter left before the end of the reply's due date (the queryset form of the guards below).
REPLY_NOT_IN_TIME = Q(reply_dispatched_at__isnull=True) | Q(reply_dispatched_at__gte=F("reply_due_at"))


@guard("REPLY_ALREADY_DISPATCHED")
def reply_not_dispatched(case: "Case") -> bool:
    """The reply has not been dispatched."""
    return case.reply_dispatched_at is None


def dispatched_in_time(case: "Case") -> bool:
    """The decision letter left before the end of the reply's due date (REK-6, Complaints Act art. 6)."""
    return (
        case.reply_dispatched_at is not None
        and case.reply_due_at is not None
        and case.reply_dispatched_at < case.reply_due_at
    )


@guard("REPLY_ALREADY_DISPATCHED")
def reply_not_dispatched_in_time(case: "Case") -> bool:
    """No decision letter left in time: a letter posted after the deadline is a late reply (REK-8)."""
    return not dispatched_in_time(case)


@guard("REPLY_NOT_DISPATCHED")
def reply_dispatched(case: "Case") -> bool:
    """The decision letter (the reply) left in time: the customer knows the amount and why."""
    return dispatched_in_time(case)


@guard("RECOVERY_BEFORE_DAY_AFTER_DISPATCH")
def day_after_reply_dispatch(case: "Case") -> bool:
    """It is a Warsaw date later than the reply's dispatch date (FULL_THEN_RECOVER: not on that day)."""
    return (
        case.as_of is not None
        and case.reply_dispatched_at is not None
        and warsaw_date(case.as_of) > warsaw_date(case.reply_dispatched_at)
    )


@guard("REPLY_NOT_DISPATCHED")
def reply_dispatched_or_deemed(case: "Case") -> bool:
    """The reply was dispatched in time, or the claim was deemed accepted (REK-8) and needs none."""
    return dispatched_in_time(case) or case.state == CaseState.DEEMED_ACCEPTED


@guard("ASSESSMENT_MISSING")
def has_analyst_assessment(case: "Case") -> bool:
    """A liability assessment with the analyst's findings is stored on the case."""
    return case.assessments.filter(kind="ANALYST").exists()


@guard("NOTHING_TO_RECOVER")
def recovery_outstanding(case: "Case") -> bool:
    """Part of the customer's share refunded provisionally is still to be recovered."""
    return any(move.kind == "RECOVERY" for move in case.settlement_moves())


@guard("MONEY_NOT_SETTLED")
def money_settled(case: "Case") -> bool:
    """Every transaction is refunded or recovered to what the decision says."""
    return not case.settlement_moves()


@guard("CHARGEBACKS_PENDING")
def chargebacks_finished(case: "Case") -> bool:
    """No chargeback of the case is still being drafted or disputed with the acquirer."""
    return not case.chargebacks.filter(
        state__in=["DRAFT", "FILED", "REPRESENTED", "PRE_ARBITRATION", "ARBITRATION"]
    ).exists()


class Case(ConcurrentTransitionMixin, models.Model):
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

    number = models.CharField(
        _("case number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Given on submission."),
    )
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
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
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )

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

    disputed_amount = models.DecimalField(
        _("disputed amount (PLN)"), max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00")
    )
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

    decision_assessment = models.ForeignKey(
        "LiabilityAssessment",
        verbose_name=_("assessment decided on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    customer_share = models.DecimalField(
        _("customer's share (PLN)"), max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True
    )
    bank_share = models.DecimalField(
        _("bank's share (PLN)"), max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True
    )
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

    # The instant the services evaluate time guards at (set before a transition; never stored).
    as_of: datetime | None = None

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("handle_case", _("Can handle dispute cases")),
            ("approve_decision", _("Can approve dispute decisions and withhold refunds")),
            ("supervise_case", _("Can supervise dispute cases")),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="case_customer_idx"),
            models.Index(fields=["assignee", "state"], name="case_assignee_state_idx"),
            # The sweeps: partial indexes hold only the cases each sweep can find.
            models.Index(
                fields=["refund_due_at"],
                name="case_refund_sweep_idx",
                condition=Q(
                    state__in=REFUND_PENDING_STATES, refund_owed=True, refund_escalated_at__isnull=True
                ),
            ),
            models.Index(
                fields=["reply_due_at"],
                name="case_reply_clock_idx",
                # A reply not dispatched, or dispatched late (REK-8 still applies to it).
                condition=Q(state__in=REPLY_CLOCK_STATES) & REPLY_NOT_IN_TIME,
            ),
            models.Index(
                fields=["chargeback_due_at"],
                name="case_chargeback_clock_idx",
                condition=Q(chargeback_due_at__isnull=False),
            ),
            # The back office's queues: open cases by their nearest running clock, exactly the
            # expression they order by, so a page reads its rows in index order (no sort of every
            # open case).
            models.Index(
                next_running_due(),
                "id",
                name="case_queue_running_due_idx",
                condition=Q(state__in=OPEN_STATES),
            ),
            models.Index(
                fields=["id"],
                name="case_waiting_estimate_idx",
                condition=Q(estimate_status="WAITING_FOR_RATE"),
            ),
        ]
        constraints = [
            *text_limits(
                "case",
                {
                    field: TEXT_LIMIT
                    for field in (
                        "card_whereabouts",
                        "access_to_card_and_phone",
                        "customer_account",
                        "refund_withheld_grounds",
                        "extension_reason",
                        "extension_outstanding",
                    )
                },
            ),
            models.CheckConstraint(condition=Q(state__in=choice_values(CaseState)), name="case_state_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=choice_values(CASE_CHANNELS)), name="case_channel_valid"
            ),
            models.CheckConstraint(condition=Q(cause__in=choice_values(Cause)), name="case_cause_valid"),
            models.CheckConstraint(
                condition=Q(
                    outcome__in=choice_values(Outcome), state__in=["DECIDED", "DEEMED_ACCEPTED", "CLOSED"]
                )
                | Q(
                    outcome="",
                    state__in=[
                        s
                        for s in choice_values(CaseState)
                        if s not in ("DECIDED", "DEEMED_ACCEPTED", "CLOSED")
                    ],
                ),
                name="case_outcome_iff_decided",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True, number__isnull=True)
                | Q(
                    submitted_at__isnull=False,
                    number__isnull=False,
                    received_at__isnull=False,
                    reported_at__isnull=False,
                    refund_due_at__isnull=False,
                    refund_due_on__isnull=False,
                    reply_due_at__isnull=False,
                    reply_due_on__isnull=False,
                    window_end_on__isnull=False,
                )
                & ~Q(reply_regime="")
                & ~Q(refund_rule="")
                & ~Q(reply_rule=""),
                name="case_submitted_has_number_and_deadlines",
            ),
            models.CheckConstraint(
                condition=~Q(state="DRAFT") | Q(submitted_at__isnull=True), name="case_draft_not_submitted"
            ),
            models.CheckConstraint(
                condition=Q(state="AWAITING_CUSTOMER", resume_state__in=[str(s) for s in RESUMABLE_STATES])
                | (~Q(state="AWAITING_CUSTOMER") & Q(resume_state="")),
                name="case_resume_state_iff_awaiting",
            ),
            models.CheckConstraint(
                condition=Q(reply_extended=False)
                | Q(delay_notice_at__isnull=False, expected_reply_on__isnull=False)
                & ~Q(extension_reason="")
                & ~Q(extension_outstanding=""),
                name="case_extension_has_delay_notice",
            ),
            models.CheckConstraint(
                condition=Q(refund_withheld_at__isnull=True) | ~Q(refund_withheld_grounds=""),
                name="case_withheld_refund_has_grounds",
            ),
            models.CheckConstraint(
                condition=Q(disputed_amount__gte=0), name="case_disputed_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(customer_share__isnull=True, bank_share__isnull=True)
                | Q(
                    customer_share__gte=0,
                    bank_share__gte=0,
                    customer_share__lte=models.F("disputed_amount"),
                    bank_share__lte=models.F("disputed_amount"),
                ),
                name="case_shares_within_disputed_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @property
    def is_open(self) -> bool:
        """Submitted and not finished: its transactions cannot be claimed in another case."""
        return self.state in OPEN_STATES

    def settlement_moves(self) -> list[MoneyMove]:
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

    def settlement_moves_on(self, assessment) -> list[MoneyMove]:
        """The refunds and recoveries a decision on ``assessment`` needs, given the money moved so far.

        What a proposed decision would do (its letter's preview), and what the decided one does.
        """
        amounts = {link.transaction_id: link.amount for link in self.disputed.all()}
        lines = assessment.result["lines"] if assessment is not None else []
        targets = {int(line["transaction_id"]): Decimal(line["bank"]) for line in lines}
        net = net_to_customer(self.ledger_entries.values_list("transaction_id", "kind", "amount"))
        return settlement_moves(amounts=amounts, targets=targets, net=net)

    # --- Transitions: called only by disputes.services, which check permission and guards first. ---

    @transition(
        field=state,
        source=CaseState.DRAFT,
        target=CaseState.SUBMITTED,
        conditions=[has_transactions],
        permission=the_customer_or_staff,
        custom={"letter": LetterType.CLAIM_ACKNOWLEDGEMENT},
    )
    def submit(self, *, at: datetime) -> None:
        """The claim is received: number, deadlines and the first estimate are set by the service."""
        self.submitted_at = at

    @transition(
        field=state, source=CaseState.SUBMITTED, target=CaseState.UNDER_REVIEW, permission=HANDLE_CASE
    )
    def start_review(self, *, at: datetime) -> None:
        """An analyst starts working on the case."""

    @transition(
        field=state,
        source=[CaseState.SUBMITTED, CaseState.UNDER_REVIEW, CaseState.REFUND_WITHHELD],
        target=CaseState.PROVISIONALLY_REFUNDED,
        conditions=[refund_is_owed, refund_not_made],
        permission=HANDLE_CASE,
        custom={"letter": LetterType.PROVISIONAL_REFUND},
    )
    def refund_provisionally(self, *, at: datetime) -> None:
        """The D+1 refund (UUP-46-1); from REFUND_WITHHELD when the suspicion of fraud is dropped."""
        self.refunded_at = at

    @transition(
        field=state,
        source=[CaseState.SUBMITTED, CaseState.UNDER_REVIEW],
        target=CaseState.REFUND_WITHHELD,
        conditions=[refund_is_owed, refund_not_made, has_law_enforcement_notice, before_refund_deadline],
        permission=APPROVE_DECISION,
        custom={"letter": LetterType.REFUND_WITHHELD},
    )
    def withhold_refund(self, *, at: datetime, grounds: str) -> None:
        """The fraud exception (UUP-46-1-FRAUD): documented grounds and the notice to law enforcement."""
        self.refund_withheld_at = at
        self.refund_withheld_grounds = grounds

    @transition(
        field=state,
        source=list(RESUMABLE_STATES),
        target=CaseState.AWAITING_CUSTOMER,
        conditions=[refund_question_settled],
        permission=HANDLE_CASE,
        custom={"letter": LetterType.INFORMATION_REQUEST},
    )
    def request_information(self, *, at: datetime) -> None:
        """Ask the customer; the reply clock keeps running."""
        self.resume_state = self.state
        self.information_requested_at = at

    @transition(
        field=state,
        source=CaseState.AWAITING_CUSTOMER,
        target=RETURN_VALUE(*RESUMABLE_STATES),
        permission=the_customer_or_staff,
    )
    def customer_responded(self, *, at: datetime) -> str:
        """The customer answered: back to the state the request was made in."""
        resume, self.resume_state = self.resume_state, ""
        return resume

    @transition(
        field=state,
        source=[CaseState.SUBMITTED, *RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER],
        target=None,
        conditions=[reply_not_extended, before_reply_deadline],
        permission=HANDLE_CASE,
        custom={"letter": LetterType.DELAY_NOTICE},
    )
    def extend_reply(self, *, at: datetime) -> None:
        """REK-7: the delay notice goes out before the original deadline, which moves to 60 (35) days."""
        self.reply_extended = True
        self.delay_notice_at = at

    @transition(
        field=state,
        source=[*RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER],
        target=CaseState.DECIDED,
        conditions=[refund_question_settled, has_analyst_assessment, reply_still_in_time],
        permission=APPROVE_DECISION,
        custom={"letter": LETTER_BY_OUTCOME},
    )
    def decide(self, *, at: datetime, outcome: str) -> None:
        """The decision on the stored assessment; acceptance refunds what is still owed at once."""
        self.outcome = outcome
        self.decided_at = at
        self.resume_state = ""

    @transition(
        field=state,
        source=[CaseState.DECIDED, CaseState.DEEMED_ACCEPTED],
        target=None,
        conditions=[reply_not_dispatched],
        permission=HANDLE_CASE,
        custom={"system": True},
    )
    def dispatch_reply(self, *, at: datetime) -> None:
        """The decision letter left the bank, as its channel recorded: what counts for REK-6.

        A letter that left after the deadline is recorded as it happened; the reply is late and the
        case is deemed accepted (REK-8) all the same.
        """
        self.reply_dispatched_at = at

    @transition(
        field=state,
        source=CaseState.DECIDED,
        target=None,
        conditions=[reply_dispatched, recovery_outstanding, day_after_reply_dispatch],
        permission=HANDLE_CASE,
    )
    def recover_customer_share(self, *, at: datetime) -> None:
        """REFUND_POLICY FULL_THEN_RECOVER: take back the customer's share the day after the reply left."""
        self.recovered_at = at

    @transition(
        field=state,
        source=list(REPLY_CLOCK_STATES),
        target=CaseState.DEEMED_ACCEPTED,
        conditions=[reply_not_dispatched_in_time, reply_deadline_passed],
        permission=SUPERVISE_CASE,
        custom={"letter": LetterType.DECISION_ACCEPTED, "system": True},
    )
    def deem_accepted(self, *, at: datetime) -> None:
        """REK-8: no reply dispatched in time, the claim is resolved in the customer's favour."""
        self.outcome = Outcome.ACCEPTED
        self.deemed_accepted_at = at
        self.resume_state = ""

    @transition(
        field=state,
        source=[CaseState.DRAFT, CaseState.SUBMITTED, *RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER],
        target=CaseState.WITHDRAWN,
        permission=the_customer_or_staff,
    )
    def withdraw(self, *, at: datetime) -> None:
        """The customer withdraws the claim; a refund already made is reversed."""
        self.withdrawn_at = at
        self.resume_state = ""

    @transition(
        field=state,
        source=[CaseState.DECIDED, CaseState.DEEMED_ACCEPTED],
        target=CaseState.CLOSED,
        conditions=[reply_dispatched_or_deemed, money_settled, chargebacks_finished],
        permission=HANDLE_CASE,
        custom={"system": True},
    )
    def close(self, *, at: datetime) -> None:
        """The money is settled and nothing is pending with the acquirer."""
        self.closed_at = at


class CaseTransaction(models.Model):
    """One disputed transaction of a case, with its reporting window (UUP-44-2).

    ``is_open`` mirrors whether the case holds the transaction (submitted, not withdrawn or closed);
    the services keep it in step, and a partial unique index lets a transaction be in one open case.
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="disputed")
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="dispute_links"
    )
    amount = models.DecimalField(_("disputed amount (PLN)"), max_digits=MONEY_DIGITS, decimal_places=2)
    is_open = models.BooleanField(_("in an open case"), default=False)
    window_end_on = models.DateField(_("reporting window ends on"), null=True, blank=True)
    window_rule = models.CharField(_("window rule"), max_length=20, blank=True)
    out_of_window = models.BooleanField(_("reported out of time"), default=False)

    class Meta:
        verbose_name = _("disputed transaction")
        verbose_name_plural = _("disputed transactions")
        ordering = ["transaction__executed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "transaction"], name="case_transaction_once_per_case"),
            models.UniqueConstraint(
                fields=["transaction"], condition=Q(is_open=True), name="case_transaction_one_open_case"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="case_transaction_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.transaction_id}"


class CaseNumberSequence(models.Model):
    """The last case number given in a year (RK/<year>/<number>), taken under a row lock."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
