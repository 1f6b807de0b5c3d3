"""Demo: the time-driven dispute sweeps run once, as of the seeding's ``now``, after the data is committed.

The demo's cases are made as of days and weeks ago; in production the beat sweeps (disputes/tasks.py,
CELERY_BEAT_SCHEDULE) would have acted on them since. Run once here, they leave the demo as production
would be at ``now``: a reply deadline passed unanswered is deemed accepted (REK-8), refunds about to be
late are escalated, replies coming due are reminded, chargeback filing windows closing are flagged
and those missed raised.
Idempotent, as the sweeps are: a second run finds nothing more to do.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings

from disputes.models import Case
from disputes.services import (
    cases_deem_accepted_overdue,
    cases_escalate_refunds,
    cases_remind_reply_due,
    chargebacks_alert_filing_due,
    chargebacks_alert_filing_missed,
)


def _all(sweep: Callable[..., int], *, batch_size: int, **arguments: object) -> int:
    """Run ``sweep`` batch after batch, as its task queues itself again after a full one; how many."""
    done = 0
    while True:
        handled = sweep(batch_size=batch_size, **arguments)
        done += handled
        if handled < batch_size:
            return done


def sweep(*, now: datetime) -> list[str]:
    """Run the dispute sweeps as of ``now`` (each its own transaction); the line that says what they did."""
    batch = settings.DISPUTES_SWEEP_BATCH_SIZE
    # Deemed acceptance first: a case it ends needs no reminder of its reply.
    deemed = _all(cases_deem_accepted_overdue, now=now, batch_size=settings.DISPUTES_DEEM_BATCH_SIZE)
    escalated = _all(
        cases_escalate_refunds,
        now=now,
        within=timedelta(hours=settings.DISPUTES_REFUND_ESCALATION_HOURS),
        batch_size=batch,
    )
    reminded = _all(
        cases_remind_reply_due, now=now, thresholds=settings.DISPUTES_REPLY_REMINDER_DAYS, batch_size=batch
    )
    alerted = _all(
        chargebacks_alert_filing_due,
        now=now,
        within=timedelta(days=settings.DISPUTES_CHARGEBACK_ALERT_DAYS),
        batch_size=batch,
    )
    missed = _all(chargebacks_alert_filing_missed, now=now, batch_size=batch)
    numbers = [
        str(number)
        for number in Case.objects.filter(deemed_accepted_at=now)
        .order_by("number")
        .values_list("number", flat=True)
    ]
    return [
        "Dispute sweeps, run once as of now as the beat would have run them (then `make demo` runs the "
        f"beat schedule: `manage.py run_beat`): {deemed} claim(s) deemed accepted, their reply deadline "
        f"passed unanswered (REK-8){': ' + ', '.join(numbers) if numbers else ''}; {escalated} D+1 "
        f"refund(s) escalated; {reminded} reply reminder(s); {alerted} more chargeback filing alert(s); "
        f"{missed} missed chargeback filing window(s) raised."
    ]
