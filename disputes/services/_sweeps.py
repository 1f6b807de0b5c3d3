"""The beat sweeps: escalations, reminders, REK-8 and chargeback alerts, in bounded batches.

Each sweep reads one of the indexed deadline columns through a partial index, takes at most
``batch_size`` rows (locked with SKIP LOCKED on PostgreSQL, so two sweeps running at once share the
work instead of waiting), and is idempotent: a flag on the row and a unique once-only key on the
history row mean a second run, or a concurrent one, does nothing more.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from chargebacks.models import Chargeback
from disputes.models import Case, CaseEvent, present
from disputes.selectors import (
    cases_refund_escalation_due,
    cases_reply_overdue,
    cases_reply_reminder_due,
    cases_waiting_for_rate,
    chargebacks_filing_alert_rows,
    chargebacks_filing_missed_rows,
)
from disputes.services._audit import CaseAudit, case_atomic
from disputes.services._endings import deem_accepted_locked
from disputes.services._estimates import estimate_complete_or_missing, request_rate_fetch
from disputes.services._history import add_events
from kartosfera.locking import locked_batch
from liability.services import DateRange, RateUnavailable

logger = logging.getLogger(__name__)


# A sweep's event about one case: its kind, its once-only key and its data.
SweepEvent = tuple[str, str, dict[str, Any]]


def _flag_due_cases(
    due_cases: QuerySet[Case],
    *,
    limit: int,
    field: str,
    value: object,
    event: Callable[[Case], SweepEvent],
    now: datetime,
    audit: CaseAudit,
) -> int:
    """Lock (SKIP LOCKED) the first ``limit`` of ``due_cases``, set the sweep's flag ``field`` to
    ``value`` on each and record one once-only event each, audited with the flag before and after;
    return how many."""
    cases = list(locked_batch(due_cases, size=limit))
    Case.objects.filter(pk__in=[case.pk for case in cases]).update(**{field: value, "updated_at": now})
    rows = []
    for case in cases:
        kind, key, data = event(case)
        row = CaseEvent(case=case, kind=kind, key=key, data=data, occurred_at=now)
        rows.append((row, case, {field: getattr(case, field)}, {field: value}))
    add_events(rows, ignore_conflicts=True, audit=audit)
    return len(cases)


def cases_escalate_refunds(*, now: datetime, within: timedelta, batch_size: int) -> int:
    """Flag D+1 refunds due within ``within`` and still not made to the supervisors, once; return how many."""
    with case_atomic() as audit:
        return _flag_due_cases(
            cases_refund_escalation_due(now=now, within=within),
            limit=batch_size,
            field="refund_escalated_at",
            value=now,
            event=lambda case: (
                CaseEvent.Kind.REFUND_ESCALATED,
                f"refund-escalation:{present(case.refund_due_on, 'refund_due_on').isoformat()}",
                {
                    "refund_due_at": present(case.refund_due_at, "refund_due_at").isoformat(),
                    "assignee": case.assignee_id,
                    "queue": "SUPERVISORS",
                },
            ),
            now=now,
            audit=audit,
        )


def cases_remind_reply_due(*, now: datetime, thresholds: Iterable[int], batch_size: int) -> int:
    """Remind the assignee of replies due within each threshold (days), once per case per threshold.

    Thresholds are taken smallest first, so a case first found 2 days before its deadline gets the
    2-day reminder, not also the 7-day one. Returns the number of reminders recorded.
    """
    sent = 0
    for days in sorted(set(thresholds)):

        def reminder(case: Case, days: int = days) -> SweepEvent:
            return (
                CaseEvent.Kind.REPLY_REMINDER,
                f"reply-reminder:{present(case.reply_due_on, 'reply_due_on').isoformat()}:{days}",
                {
                    "days": days,
                    "reply_due_at": present(case.reply_due_at, "reply_due_at").isoformat(),
                    # Nobody assigned: the reminder goes to the supervisors' queue.
                    "recipient": case.assignee_id or "SUPERVISORS",
                },
            )

        with case_atomic() as audit:
            sent += _flag_due_cases(
                cases_reply_reminder_due(now=now, days=days),
                limit=batch_size - sent,
                field="reply_reminded_days",
                value=days,
                event=reminder,
                now=now,
                audit=audit,
            )
        if sent >= batch_size:
            break
    return sent


def cases_deem_accepted_overdue(*, now: datetime, batch_size: int) -> int:
    """Deem accepted (REK-8) the cases whose reply deadline ended without a dispatched reply.

    One transaction per run: the batch is locked with SKIP LOCKED (a case being worked on by someone
    else is left for the next run) and goes through the same code as ``case_deem_accepted``, so the
    acceptance path (the refund of whatever is not refunded) runs for each. Returns how many.
    """
    with case_atomic() as audit:
        cases = list(locked_batch(cases_reply_overdue(now=now), size=batch_size))
        return len(deem_accepted_locked(cases, actor=None, now=now, audit=audit))


def _flag_chargebacks(
    rows: QuerySet[Chargeback, Mapping[str, Any]],
    *,
    limit: int,
    field: str,
    kind: str,
    key: str,
    data: Callable[[Mapping[str, Any]], dict[str, Any]],
    now: datetime,
) -> int:
    """Lock (SKIP LOCKED) the first ``limit`` chargebacks of ``rows``, set the sweep's flag ``field`` to
    ``now`` on each and record one once-only event ``kind`` each (``key`` with the chargeback's id),
    addressed to the case's assignee (nobody assigned: the supervisors), audited with the flag before
    and after; return how many."""
    with case_atomic() as audit:
        chargebacks = list(locked_batch(rows, size=limit))
        Chargeback.objects.filter(pk__in=[cb["pk"] for cb in chargebacks]).update(**{field: now})
        events = []
        for cb in chargebacks:
            # The case is not locked (nor read) here: only its id and number name it in the audit log.
            case = Case(pk=cb["case_id"], number=cb["case__number"])
            event = CaseEvent(
                case=case,
                chargeback_id=cb["pk"],
                kind=kind,
                key=f"{key}:{cb['pk']}",
                data={
                    **data(cb),
                    # The assignee sees it among their alerts; nobody assigned: the supervisors do.
                    "recipient": cb["case__assignee_id"] or "SUPERVISORS",
                },
                occurred_at=now,
            )
            events.append((event, case, {field: cb[field]}, {field: now}))
        add_events(events, ignore_conflicts=True, audit=audit)
    return len(chargebacks)


def chargebacks_alert_filing_due(*, now: datetime, within: timedelta, batch_size: int) -> int:
    """Alert once on drafted chargebacks whose 120-day filing window ends within ``within``: the flag
    shows on the chargeback queue and the case, and the alert is addressed to the case's assignee."""
    return _flag_chargebacks(
        chargebacks_filing_alert_rows(now=now, within=within),
        limit=batch_size,
        field="alerted_at",
        kind=CaseEvent.Kind.CHARGEBACK_ALERT,
        key="chargeback-alert",
        data=lambda cb: {"filing_due_at": cb["filing_due_at"].isoformat(), "rule": cb["filing_rule"]},
        now=now,
    )


def chargebacks_alert_filing_missed(*, now: datetime, batch_size: int) -> int:
    """Raise once, for each drafted chargeback whose filing window has ended unfiled, the event that it
    was missed (``CHARGEBACK_FILING_MISSED``), addressed to the case's assignee or the supervisors; the
    chargeback's ``missed_alerted_at`` is set. Run again, it raises nothing more; return how many."""
    return _flag_chargebacks(
        chargebacks_filing_missed_rows(now=now),
        limit=batch_size,
        field="missed_alerted_at",
        kind=CaseEvent.Kind.CHARGEBACK_FILING_MISSED,
        key="chargeback-filing-missed",
        data=lambda cb: {
            "filing_due_on": cb["filing_due_on"].isoformat(),
            "filing_due_at": cb["filing_due_at"].isoformat(),
            "rule": cb["filing_rule"],
        },
        now=now,
    )


def cases_complete_waiting_estimates(*, now: datetime, batch_size: int) -> int:
    """Complete first estimates that waited for an NBP rate, now that it may be stored; return how many.

    From stored rates only. For the cases still lacking rates (their fetch failed, or the broker lost
    it), the fetch is asked for again after commit, once per distinct set of ranges, chained with
    their estimates (not counted here: they complete when the rates arrive).
    """
    done = 0
    still_missing: dict[tuple[str, tuple[DateRange, ...]], tuple[RateUnavailable, list[int]]] = {}
    for case_id in cases_waiting_for_rate().order_by("pk").values_list("pk", flat=True)[:batch_size]:
        missing = estimate_complete_or_missing(case_id=case_id, now=now)
        if missing is None:
            done += 1
        else:
            key = (missing.currency, missing.fetch_ranges)
            still_missing.setdefault(key, (missing, []))[1].append(case_id)
    for error, case_ids in still_missing.values():
        request_rate_fetch(error, now=now, case_ids=case_ids)
    return done


__all__ = [
    "cases_complete_waiting_estimates",
    "cases_deem_accepted_overdue",
    "cases_escalate_refunds",
    "cases_remind_reply_due",
    "chargebacks_alert_filing_due",
    "chargebacks_alert_filing_missed",
]
