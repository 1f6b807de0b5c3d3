"""The guards of the case's transitions, judged at the instant of the act (``kartosfera.fsm``)."""

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import F, Q

from disputes.models._base import CaseState
from kartosfera.fsm import guard
from kartosfera.legaltime import warsaw_date

if TYPE_CHECKING:
    from disputes.models._case import Case

# --- Transition guards. Each is named in docs/WORKFLOW.md; its code names the service's refusal. ---


@guard("NO_TRANSACTIONS")
def has_transactions(case: "Case", now: datetime) -> bool:
    """The claim names at least one transaction."""
    return case.disputed.exists()


@guard("REFUND_NOT_OWED")
def refund_is_owed(case: "Case", now: datetime) -> bool:
    """At least one transaction was reported within its 13-month window (UUP-44-2), so D+1 applies."""
    return case.refund_owed


@guard("REFUND_ALREADY_MADE")
def refund_not_made(case: "Case", now: datetime) -> bool:
    """The D+1 refund has not been made yet."""
    return case.refunded_at is None


@guard("LAW_ENFORCEMENT_NOTICE_MISSING")
def has_law_enforcement_notice(case: "Case", now: datetime) -> bool:
    """The written notice to law enforcement is on the case (UUP-46-1-FRAUD)."""
    return case.evidence.filter(kind="LAW_ENFORCEMENT_NOTICE").exists()


@guard("REFUND_DEADLINE_PASSED")
def before_refund_deadline(case: "Case", now: datetime) -> bool:
    """The D+1 refund deadline has not ended yet."""
    return case.refund_due_at is not None and now < case.refund_due_at


@guard("REFUND_QUESTION_OPEN")
def refund_question_settled(case: "Case", now: datetime) -> bool:
    """The D+1 refund was made or withheld, or is not owed: the D+1 deadline waits for nobody."""
    return not case.refund_owed or case.refunded_at is not None or case.refund_withheld_at is not None


@guard("REPLY_ALREADY_EXTENDED")
def reply_not_extended(case: "Case", now: datetime) -> bool:
    """The reply deadline has not been extended already (REK-7 allows one extension)."""
    return not case.reply_extended


@guard("DELAY_NOTICE_TOO_LATE")
def before_reply_deadline(case: "Case", now: datetime) -> bool:
    """The current reply deadline has not ended yet."""
    return case.reply_due_at is not None and now < case.reply_due_at


@guard("REPLY_DEADLINE_NOT_PASSED")
def reply_deadline_passed(case: "Case", now: datetime) -> bool:
    """The reply deadline has ended (REK-8)."""
    return case.reply_due_at is not None and now >= case.reply_due_at


@guard("REPLY_DEADLINE_PASSED")
def reply_still_in_time(case: "Case", now: datetime) -> bool:
    """An act that counts as the reply is still in time (dispatch before the end of the due date)."""
    return case.reply_due_at is not None and now < case.reply_due_at


# No decision letter left before the end of the reply's due date (the queryset form of the guards below).
REPLY_NOT_IN_TIME = Q(reply_dispatched_at__isnull=True) | Q(reply_dispatched_at__gte=F("reply_due_at"))


@guard("REPLY_ALREADY_DISPATCHED")
def reply_not_dispatched(case: "Case", now: datetime) -> bool:
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
def reply_not_dispatched_in_time(case: "Case", now: datetime) -> bool:
    """No decision letter left in time: a letter posted after the deadline is a late reply (REK-8)."""
    return not dispatched_in_time(case)


@guard("REPLY_NOT_DISPATCHED")
def reply_dispatched(case: "Case", now: datetime) -> bool:
    """The decision letter (the reply) left in time: the customer knows the amount and why."""
    return dispatched_in_time(case)


@guard("RECOVERY_BEFORE_DAY_AFTER_DISPATCH")
def day_after_reply_dispatch(case: "Case", now: datetime) -> bool:
    """It is a Warsaw date later than the reply's dispatch date (FULL_THEN_RECOVER: not on that day)."""
    return case.reply_dispatched_at is not None and warsaw_date(now) > warsaw_date(case.reply_dispatched_at)


@guard("REPLY_NOT_DISPATCHED")
def reply_dispatched_or_deemed(case: "Case", now: datetime) -> bool:
    """The reply was dispatched in time, or the claim was deemed accepted (REK-8) and needs none."""
    return dispatched_in_time(case) or case.state == CaseState.DEEMED_ACCEPTED


@guard("ASSESSMENT_MISSING")
def has_analyst_assessment(case: "Case", now: datetime) -> bool:
    """A liability assessment with the analyst's findings is stored on the case."""
    return case.assessments.filter(kind="ANALYST").exists()


@guard("NOTHING_TO_RECOVER")
def recovery_outstanding(case: "Case", now: datetime) -> bool:
    """Part of the customer's share refunded provisionally is still to be recovered."""
    return any(move.kind == "RECOVERY" for move in case.settlement_moves())


@guard("MONEY_NOT_SETTLED")
def money_settled(case: "Case", now: datetime) -> bool:
    """Every transaction is refunded or recovered to what the decision says."""
    return not case.settlement_moves()


@guard("CHARGEBACKS_PENDING")
def chargebacks_finished(case: "Case", now: datetime) -> bool:
    """No chargeback of the case is still being drafted or disputed with the acquirer."""
    return not case.chargebacks.filter(
        state__in=["DRAFT", "FILED", "REPRESENTED", "PRE_ARBITRATION", "ARBITRATION"]
    ).exists()
