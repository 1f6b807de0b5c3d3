"""Celery tasks of the dispute workflow: the beat sweeps, the D+1 refund, the estimate, the calendar hook.

Each task takes ids as keyword arguments, reads the clock here (the services take ``now``), calls one
service and is safe to run twice.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from celery import chain, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from disputes import services
from kartosfera.clock import now
from liability.tasks import fetch_rates
from outbox.services import outbox_enqueue


def _actor(actor_id: int | None):
    return None if actor_id is None else get_user_model().objects.get(pk=actor_id)


@shared_task(acks_late=True)
def refund_provisionally(*, case_id: int, actor_id: int) -> dict[str, Any]:
    """Make the D+1 refund approved by ``actor_id``; a redelivered or retried message refunds nothing more.

    A refund above the four-eyes limit is refused here (``FourEyesRequired``): it runs only when a
    supervisor approves its proposal (``proposal_approve``).
    """
    result = services.case_refund_provisionally(case_id=case_id, actor=_actor(actor_id), now=now())
    return {
        "case_id": case_id,
        "created": result.created,
        "entries": [
            {"id": e.pk, "transaction": e.transaction_id, "amount": str(e.amount)} for e in result.entries
        ],
    }


@shared_task(acks_late=True)
def record_reply_dispatched(
    *,
    case_id: int,
    letter_id: int,
    channel: str,
    dispatched_at: str,
    actor_id: int | None,
    letter_type: str = "",
) -> dict[str, Any]:
    """Record that the case's decision letter ``letter_id`` left the bank at ``dispatched_at`` (ISO) by
    ``channel``, as the letters app reported through the outbox. Run again, it changes nothing; a case
    closed meanwhile keeps the letter's own record only."""
    try:
        services.case_dispatch_reply(
            case_id=case_id,
            letter_id=letter_id,
            letter_type=letter_type,
            channel=channel,
            dispatched_at=datetime.fromisoformat(dispatched_at),
            actor=_actor(actor_id),
            now=now(),
        )
    except (services.ReplyAlreadyDispatched, services.InvalidCaseState, services.ReplyLetterStale):
        return {"case_id": case_id, "recorded": False}
    return {"case_id": case_id, "recorded": True}


@shared_task(acks_late=True)
def complete_estimate(*, case_id: int) -> dict[str, Any]:
    """Complete a first liability estimate that waited for an NBP rate (chained after the rate fetch)."""
    return {"case_id": case_id, "estimated": services.case_complete_estimate(case_id=case_id, now=now())}


@shared_task(acks_late=True)
def fetch_rates_then_estimate(*, currency: str, ranges: list[list[str]], case_ids: list[int]) -> int:
    """Fetch the NBP rates of ``ranges`` ([start, end] ISO dates), then complete the cases' estimates.

    The one task a transaction asks for (through the outbox); here it becomes a chain of a fetch per
    range and an estimate per case, each its own task. Safe to run again: fetches skip stored days
    and an estimate already complete is left alone. Returns how many steps it chained.
    """
    steps = [fetch_rates.si(currency=currency, start=start, end=end) for start, end in ranges]
    steps += [complete_estimate.si(case_id=case_id) for case_id in case_ids]
    chain(*steps).delay()
    return len(steps)


def _sweep_task(
    name: str,
    sweep: str,
    doc: str,
    *,
    result: str,
    batch_size_setting: str = "DISPUTES_SWEEP_BATCH_SIZE",
    arguments: Callable[[], dict[str, Any]] = dict,
) -> Any:
    """The beat task ``disputes.tasks.<name>``: run one batch of the sweep service ``services.<sweep>``
    now and return ``{result: how many it handled}``. The service is looked up at each run, as a task
    written out by hand would, so a replaced service (a test's, a hot fix's) is the one that runs.

    A sweep takes one batch a run, so that each run stays short (docs/PERFORMANCE.md); a full batch
    means more may be waiting, so the sweep queues itself again at once instead of leaving the rest
    to the next beat (chargeback alerts run once a day). Each run is its own transaction, and a run
    that finds less than a batch ends the chain. The batch size and the sweep's ``arguments`` are
    read from the settings at each run."""

    def run(self: Any, *, batch_size: int | None = None) -> dict[str, int]:
        batch_size = batch_size or getattr(settings, batch_size_setting)
        done = getattr(services, sweep)(now=now(), batch_size=batch_size, **arguments())
        if done >= batch_size:
            self.apply_async(kwargs={"batch_size": batch_size})
        return {result: done}

    run.__name__ = run.__qualname__ = name
    run.__doc__ = doc
    return shared_task(bind=True, acks_late=True, name=f"disputes.tasks.{name}")(run)


sweep_refund_escalations = _sweep_task(
    "sweep_refund_escalations",
    "cases_escalate_refunds",
    "Beat: escalate D+1 refunds due within DISPUTES_REFUND_ESCALATION_HOURS and not made.",
    result="escalated",
    arguments=lambda: {"within": timedelta(hours=settings.DISPUTES_REFUND_ESCALATION_HOURS)},
)
sweep_reply_reminders = _sweep_task(
    "sweep_reply_reminders",
    "cases_remind_reply_due",
    "Beat: remind assignees of replies due within each of DISPUTES_REPLY_REMINDER_DAYS.",
    result="reminded",
    arguments=lambda: {"thresholds": settings.DISPUTES_REPLY_REMINDER_DAYS},
)
sweep_deemed_accepted = _sweep_task(
    "sweep_deemed_accepted",
    "cases_deem_accepted_overdue",
    "Beat: REK-8, deem accepted the cases whose reply deadline passed without a dispatched reply.",
    result="deemed_accepted",
    batch_size_setting="DISPUTES_DEEM_BATCH_SIZE",
)
sweep_chargeback_alerts = _sweep_task(
    "sweep_chargeback_alerts",
    "chargebacks_alert_filing_due",
    "Beat: alert on drafted chargebacks whose filing window ends within DISPUTES_CHARGEBACK_ALERT_DAYS.",
    result="alerted",
    arguments=lambda: {"within": timedelta(days=settings.DISPUTES_CHARGEBACK_ALERT_DAYS)},
)
sweep_chargeback_missed = _sweep_task(
    "sweep_chargeback_missed",
    "chargebacks_alert_filing_missed",
    "Beat: raise once the event that a drafted chargeback's filing window ended without the filing.",
    result="missed",
)


@shared_task(acks_late=True)
def sweep_waiting_estimates() -> dict[str, int]:
    """Beat: complete first estimates still waiting for an NBP rate (after the rate fetches)."""
    completed = services.cases_complete_waiting_estimates(
        now=now(), batch_size=settings.DISPUTES_ESTIMATE_BATCH_SIZE
    )
    return {"completed": completed}


@shared_task(acks_late=True)
def recompute_deadlines(*, day: str) -> dict[str, Any]:
    """Recompute the deadlines of open cases after the bank's calendar changed on ``day`` (ISO date)."""
    changed = services.cases_recompute_deadlines(
        changed_on=date.fromisoformat(day), now=now(), batch_size=settings.DISPUTES_SWEEP_BATCH_SIZE
    )
    return {"day": day, "changed": changed}


def calendar_changed(*, day: date) -> None:
    """The deadlines app's calendar-change hook (KARTOSFERA_CALENDAR_CHANGE_HOOKS): ask for the recompute.

    Called after the change committed; the outbox row publishes it, and the sweep if the broker is down.
    """
    with transaction.atomic():
        outbox_enqueue(task="disputes.tasks.recompute_deadlines", kwargs={"day": day.isoformat()}, now=now())
