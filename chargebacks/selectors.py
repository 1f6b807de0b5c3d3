"""Reads of chargebacks: what the sweeps look for (each matches a partial index of ``Chargeback.Meta``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from chargebacks.models import Chargeback, ChargebackState
from kartosfera.legaltime import day_start, warsaw_date


def filing_alert_notice() -> timedelta:
    """How long before its end a drafted filing window is closing (DISPUTES_CHARGEBACK_ALERT_DAYS)."""
    return timedelta(days=settings.DISPUTES_CHARGEBACK_ALERT_DAYS)


def filing_window_closing(*, now: datetime, within: timedelta | None = None) -> Q:
    """The one definition of a closing filing window, for the alert sweep and the back office alike: a
    drafted chargeback whose window has not ended at ``now`` and ends within ``within`` whole Warsaw days
    from the start of today (default ``filing_alert_notice``).

    Warsaw days, not instants: the window's end (``filing_due_at``) is the midnight after its due date
    (``kartosfera.legaltime.day_end``), so with 14 days' notice a window due on 20 December is closing
    from the start of 7 December, whatever the hour, and two windows due the same day are closing
    alike. Once its end has come (``deadlines.rules.deadline_breached``: ``filing_due_at <= now``) it
    is missed, never closing.
    """
    notice = filing_alert_notice() if within is None else within
    horizon = day_start(warsaw_date(now) + timedelta(days=notice.days))
    return Q(state=ChargebackState.DRAFT, filing_due_at__gt=now, filing_due_at__lte=horizon)


def chargebacks_filing_alert_due(*, now: datetime, within: timedelta) -> QuerySet[Chargeback]:
    """Drafted chargebacks whose filing window is closing (``filing_window_closing``), not alerted yet.

    A window already missed is not alerted as closing: the back office shows it as missed
    (``filing_missed_days``) with no alert needed."""
    return Chargeback.objects.filter(filing_window_closing(now=now, within=within), alerted_at__isnull=True)


def filing_window_missed(*, now: datetime) -> Q:
    """The one definition of a missed filing window: a drafted chargeback whose window has ended at
    ``now`` (``deadlines.rules.deadline_breached``: ``filing_due_at <= now``) without the filing."""
    return Q(state=ChargebackState.DRAFT, filing_due_at__lte=now)


def chargebacks_filing_missed_due(*, now: datetime) -> QuerySet[Chargeback]:
    """Drafted chargebacks whose filing window is missed (``filing_window_missed``), not alerted yet."""
    return Chargeback.objects.filter(filing_window_missed(now=now), missed_alerted_at__isnull=True)


__all__ = [
    "chargebacks_filing_alert_due",
    "chargebacks_filing_missed_due",
    "filing_alert_notice",
    "filing_window_closing",
    "filing_window_missed",
]
