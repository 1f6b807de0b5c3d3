"""The indexes and constraints of ``Case``: the sweeps' and queues' partial indexes and the invariants."""

from django.db import models
from django.db.models import Q

from disputes.models._base import (
    CASE_CHANNELS,
    OPEN_STATES,
    REPLY_CLOCK_STATES,
    RESUMABLE_STATES,
    TEXT_LIMIT,
    CaseState,
    choice_values,
    text_limits,
)
from disputes.models._case_guards import REPLY_NOT_IN_TIME
from disputes.models._clocks import REFUND_RUNNING, next_running_due
from disputes.rules import Outcome
from kartosfera.models import choice_check
from liability.rules import Cause


def case_indexes() -> list[models.Index]:
    """The indexes of ``Case.Meta``."""
    return [
        models.Index(fields=["customer", "-created_at"], name="case_customer_idx"),
        models.Index(fields=["assignee", "state"], name="case_assignee_state_idx"),
        # The sweeps: partial indexes hold only the cases each sweep can find.
        models.Index(
            fields=["refund_due_at"],
            name="case_refund_sweep_idx",
            # The escalation sweep's own condition: a refund running (pending, or made and awaiting the
            # core system's confirmation) and not escalated yet, so its batch is read in index order.
            condition=REFUND_RUNNING & Q(refund_escalated_at__isnull=True),
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


def case_constraints() -> list[models.BaseConstraint]:
    """The constraints of ``Case.Meta``."""
    return [
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
        choice_check("state", CaseState, name="case_state_valid"),
        choice_check("channel", CASE_CHANNELS, name="case_channel_valid"),
        # A draft started in the portal has no cause until the customer answers "what happened": a claim
        # never submitted (a draft, or a draft thrown away) may lack it, a received claim never does.
        models.CheckConstraint(
            condition=Q(cause__in=choice_values(Cause)) | Q(cause="", submitted_at__isnull=True),
            name="case_cause_valid",
        ),
        models.CheckConstraint(
            condition=Q(
                outcome__in=choice_values(Outcome), state__in=["DECIDED", "DEEMED_ACCEPTED", "CLOSED"]
            )
            | Q(
                outcome="",
                state__in=[
                    s for s in choice_values(CaseState) if s not in ("DECIDED", "DEEMED_ACCEPTED", "CLOSED")
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
        models.CheckConstraint(condition=Q(disputed_amount__gte=0), name="case_disputed_amount_not_negative"),
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
