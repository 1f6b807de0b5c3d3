"""The workflow of a case: the django-fsm transitions of ``Case.state``, with their guards and letters."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser, PermissionsMixin
from django.db.models import Model
from django_fsm import RETURN_VALUE, transition

from disputes.models import _case_guards as guards
from disputes.models._base import (
    LETTER_BY_OUTCOME,
    REPLY_CLOCK_STATES,
    RESUMABLE_STATES,
    CaseState,
    the_customer_or_staff,
)
from disputes.models._proposals import ProposalKind, ProposalStatus
from disputes.rules import LetterType, Outcome, may_make_refund
from kartosfera.authz import APPROVE_DECISION, HANDLE_CASE, SUPERVISE_CASE, may
from kartosfera.policies import current_policies

if TYPE_CHECKING:
    from disputes.models._case import Case


def refund_four_eyes_limit() -> Decimal:
    """The provisional refund above which a second person must approve (setting, PLN)."""
    return Decimal(settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE)


def may_refund(instance: Model, user: AbstractUser | AnonymousUser | PermissionsMixin) -> bool:
    """`disputes.handle_case`; above the four-eyes limit, `disputes.approve_decision` and not the proposer.

    The rule is ``disputes.rules.may_make_refund``: above the limit, the refund runs only as a second
    person's approval of someone else's proposal (``proposal_approve``), which the services check too.
    The limit weighs what the refund credits under ``REFUND_POLICY`` (``Case.provisional_refund_total``).
    """
    case = cast("Case", instance)  # django-fsm types a permission's instance as any model
    holds_handling = may(user, HANDLE_CASE)
    # The proposal this user approved, in the transaction that runs the refund (``proposal_approve``);
    # not looked for when the user may not handle cases at all (a customer on their claim's page).
    approval = (
        case.proposals.filter(
            kind=ProposalKind.REFUND, status=ProposalStatus.APPROVED, decided_by_id=user.pk
        ).first()
        if holds_handling
        else None
    )
    return may_make_refund(
        amount=case.provisional_refund_total(current_policies().refund_policy),
        limit=refund_four_eyes_limit(),
        holds_handling=holds_handling,
        actor_id=user.pk,
        proposer_id=approval.proposed_by_id if approval is not None else None,
        holds_approval=may(user, APPROVE_DECISION),
    )


class CaseWorkflow:
    """The transitions of ``Case``, whose ``state`` field they change (the model inherits them)."""

    if TYPE_CHECKING:
        # The fields of ``Case`` (declared there) that the transitions read and set.
        state: str
        resume_state: str
        outcome: str
        reply_extended: bool
        refund_withheld_grounds: str
        submitted_at: datetime | None
        refunded_at: datetime | None
        refund_withheld_at: datetime | None
        information_requested_at: datetime | None
        delay_notice_at: datetime | None
        decided_at: datetime | None
        reply_dispatched_at: datetime | None
        recovered_at: datetime | None
        deemed_accepted_at: datetime | None
        withdrawn_at: datetime | None
        closed_at: datetime | None

    # --- Transitions: called only by disputes.services, which check permission and guards first. ---

    @transition(
        field="state",
        source=CaseState.DRAFT,
        target=CaseState.SUBMITTED,
        conditions=[guards.has_transactions],
        permission=the_customer_or_staff,
        custom={"letter": LetterType.CLAIM_ACKNOWLEDGEMENT},
    )
    def submit(self, *, at: datetime) -> None:
        """The claim is received: number, deadlines and the first estimate are set by the service."""
        self.submitted_at = at

    @transition(
        field="state", source=CaseState.SUBMITTED, target=CaseState.UNDER_REVIEW, permission=HANDLE_CASE
    )
    def start_review(self, *, at: datetime) -> None:
        """An analyst starts working on the case."""

    @transition(
        field="state",
        source=[CaseState.SUBMITTED, CaseState.UNDER_REVIEW, CaseState.REFUND_WITHHELD],
        target=CaseState.PROVISIONALLY_REFUNDED,
        conditions=[guards.refund_is_owed, guards.refund_not_made],
        permission=may_refund,
        custom={"letter": LetterType.PROVISIONAL_REFUND},
    )
    def refund_provisionally(self, *, at: datetime) -> None:
        """The D+1 refund (UUP-46-1); from REFUND_WITHHELD when the suspicion of fraud is dropped."""
        self.refunded_at = at

    @transition(
        field="state",
        source=[CaseState.SUBMITTED, CaseState.UNDER_REVIEW],
        target=CaseState.REFUND_WITHHELD,
        conditions=[
            guards.refund_is_owed,
            guards.refund_not_made,
            guards.has_law_enforcement_notice,
            guards.before_refund_deadline,
        ],
        permission=APPROVE_DECISION,
        custom={"letter": LetterType.REFUND_WITHHELD},
    )
    def withhold_refund(self, *, at: datetime, grounds: str) -> None:
        """The fraud exception (UUP-46-1-FRAUD): documented grounds and the notice to law enforcement."""
        self.refund_withheld_at = at
        self.refund_withheld_grounds = grounds

    @transition(
        field="state",
        source=list(RESUMABLE_STATES),
        target=CaseState.AWAITING_CUSTOMER,
        conditions=[guards.refund_question_settled],
        permission=HANDLE_CASE,
        custom={"letter": LetterType.INFORMATION_REQUEST},
    )
    def request_information(self, *, at: datetime) -> None:
        """Ask the customer; the reply clock keeps running."""
        self.resume_state = self.state
        self.information_requested_at = at

    @transition(
        field="state",
        source=CaseState.AWAITING_CUSTOMER,
        target=RETURN_VALUE(*RESUMABLE_STATES),
        permission=the_customer_or_staff,
    )
    def customer_responded(self, *, at: datetime) -> str:
        """The customer answered: back to the state the request was made in."""
        resume, self.resume_state = self.resume_state, ""
        return resume

    @transition(
        field="state",
        source=[CaseState.SUBMITTED, *RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER],
        target=None,
        conditions=[guards.reply_not_extended, guards.before_reply_deadline],
        permission=HANDLE_CASE,
        custom={"letter": LetterType.DELAY_NOTICE},
    )
    def extend_reply(self, *, at: datetime) -> None:
        """REK-7: the delay notice goes out before the original deadline, which moves to 60 (35) days."""
        self.reply_extended = True
        self.delay_notice_at = at

    @transition(
        field="state",
        source=[*RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER],
        target=CaseState.DECIDED,
        conditions=[
            guards.refund_question_settled,
            guards.has_analyst_assessment,
            guards.reply_still_in_time,
        ],
        permission=APPROVE_DECISION,
        custom={"letter": LETTER_BY_OUTCOME},
    )
    def decide(self, *, at: datetime, outcome: str) -> None:
        """The decision on the stored assessment; acceptance refunds what is still owed at once."""
        self.outcome = outcome
        self.decided_at = at
        self.resume_state = ""

    @transition(
        field="state",
        source=[CaseState.DECIDED, CaseState.DEEMED_ACCEPTED],
        target=None,
        conditions=[guards.reply_not_dispatched],
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
        field="state",
        source=CaseState.DECIDED,
        target=None,
        conditions=[guards.reply_dispatched, guards.recovery_outstanding, guards.day_after_reply_dispatch],
        permission=HANDLE_CASE,
    )
    def recover_customer_share(self, *, at: datetime) -> None:
        """REFUND_POLICY FULL_THEN_RECOVER: take back the customer's share the day after the reply left."""
        self.recovered_at = at

    @transition(
        field="state",
        source=list(REPLY_CLOCK_STATES),
        target=CaseState.DEEMED_ACCEPTED,
        conditions=[guards.reply_not_dispatched_in_time, guards.reply_deadline_passed],
        permission=SUPERVISE_CASE,
        custom={"letter": LetterType.DECISION_ACCEPTED, "system": True},
    )
    def deem_accepted(self, *, at: datetime) -> None:
        """REK-8: no reply dispatched in time, the claim is resolved in the customer's favour."""
        self.outcome = Outcome.ACCEPTED
        self.deemed_accepted_at = at
        self.resume_state = ""

    @transition(
        field="state",
        source=[CaseState.DRAFT, CaseState.SUBMITTED, *RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER],
        target=CaseState.WITHDRAWN,
        permission=the_customer_or_staff,
    )
    def withdraw(self, *, at: datetime) -> None:
        """The customer withdraws the claim; a refund already made is reversed."""
        self.withdrawn_at = at
        self.resume_state = ""

    @transition(
        field="state",
        source=[CaseState.DECIDED, CaseState.DEEMED_ACCEPTED],
        target=CaseState.CLOSED,
        conditions=[guards.reply_dispatched_or_deemed, guards.money_settled, guards.chargebacks_finished],
        permission=HANDLE_CASE,
        custom={"system": True},
    )
    def close(self, *, at: datetime) -> None:
        """The money is settled and nothing is pending with the acquirer."""
        self.closed_at = at
