"""Celery tasks of the API: webhook events collected and sent (every minute), old idempotency keys purged."""

from celery import shared_task

from api.idempotency import idempotency_records_purge
from api.webhooks import webhook_deliveries_send, webhook_events_collect
from kartosfera.clock import now


@shared_task(acks_late=True)
def send_webhooks() -> dict[str, int]:
    """Make the events written since the last run, then send the due deliveries; safe to run twice."""
    made = webhook_events_collect(now=now())
    return {"events": made, **webhook_deliveries_send(now=now())}


@shared_task(acks_late=True)
def purge_idempotency_keys() -> int:
    return idempotency_records_purge(now=now())
