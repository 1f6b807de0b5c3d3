"""The running clocks: one definition for the queues, the traffic lights, the reports and the index.

A deadline counts while its clock runs: the D+1 refund until it is made or withheld, the reply until
it is dispatched, a chargeback window while the bank must act (``Case.chargeback_due_at``: a DRAFT's
filing window, CB-MC-2P after a Mastercard second presentment). A met deadline never counts again.
A running deadline is *breached* once its end (``*_due_at``, the midnight after the due date) has
come: ``due_at <= now``, the same instant at which the traffic light turns red.

They live with the models because ``Case.Meta`` indexes the queue's order, ``next_running_due()``,
by this very expression (``case_queue_running_due_idx``); ``disputes.selectors`` re-exports them.
"""

from datetime import UTC, datetime

from django.db.models import Case as When_
from django.db.models import DateTimeField, F, Q, Value, When
from django.db.models.functions import Least

from disputes.models._base import OPEN_STATES, REFUND_PENDING_STATES, REPLY_CLOCK_STATES

# The D+1 refund is *made* when the core banking system has confirmed every provisional refund credit
# of the case (``Case.refund_confirmed_at``), not when our ledger recorded it (``Case.refunded_at``):
# docs/WORKFLOW.md, "When the D+1 refund is made". So its clock runs while the refund is owed and not
# withheld, either not recorded yet, or recorded and not yet confirmed (whatever the open state). Pure
# columns of the case, so the queue's index can hold it.
REFUND_RUNNING = Q(refund_owed=True, refund_withheld_at__isnull=True) & (
    Q(state__in=REFUND_PENDING_STATES, refunded_at__isnull=True)
    | Q(state__in=OPEN_STATES, refunded_at__isnull=False, refund_confirmed_at__isnull=True)
)
REPLY_RUNNING = Q(state__in=REPLY_CLOCK_STATES, reply_dispatched_at__isnull=True)
CHARGEBACK_RUNNING = Q(state__in=OPEN_STATES, chargeback_due_at__isnull=False)
RUNNING_CLOCKS = (
    (REFUND_RUNNING, "refund_due_at", "refund_due_on"),
    (REPLY_RUNNING, "reply_due_at", "reply_due_on"),
    (CHARGEBACK_RUNNING, "chargeback_due_at", "chargeback_due_on"),
)
# Stands for "no running clock" in the nearest-deadline sort (Least() of a NULL is NULL on SQLite).
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


def next_running_due() -> Least:
    """The end of the case's nearest running clock; ``NO_DEADLINE`` when none runs."""
    return Least(
        *(
            When_(When(running, then=F(due_at)), default=Value(NO_DEADLINE), output_field=DateTimeField())
            for running, due_at, _due_on in RUNNING_CLOCKS
        )
    )
