"""Celery tasks of the core banking postings: the dispatcher (every minute) and the daily reconciliation."""

from datetime import date, timedelta

from celery import shared_task

from corebanking import services
from corebanking.gateway import get_core_banking_gateway
from kartosfera.clock import now
from kartosfera.legaltime import warsaw_date


@shared_task(acks_late=True)
def dispatch_postings(*, limit: int = 100) -> dict[str, int]:
    """Send the postings that are due; safe to run twice (each posting is locked while it is sent)."""
    return services.postings_dispatch_due(gateway=get_core_banking_gateway(), now=now(), limit=limit)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def reconcile_postings(*, business_date: str | None = None) -> dict[str, object]:
    """Reconcile a Warsaw business day (yesterday by default) with the core system's statement."""
    moment = now()
    day = date.fromisoformat(business_date) if business_date else warsaw_date(moment) - timedelta(days=1)
    differences = services.reconciliation_run(
        business_date=day, gateway=get_core_banking_gateway(), now=moment
    )
    return {"business_date": day.isoformat(), "differences": [d.pk for d in differences]}
