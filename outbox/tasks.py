"""Celery tasks of the outbox: the fan-out of a transaction's rows, and the beat sweep."""

from collections.abc import Sequence

from celery import shared_task
from django.conf import settings

from kartosfera.clock import now
from outbox.services import outbox_deliver, outbox_purge, outbox_sweep


@shared_task(name="outbox.tasks.deliver", acks_late=True)
def deliver(*, message_ids: list[int], tasks: Sequence[str] = ()) -> int:
    """Send each row one transaction wrote as its own task, and the tasks it nudged; run again, it
    sends the unfinished ones again."""
    return outbox_deliver(message_ids=message_ids, tasks=tasks)


@shared_task(name="outbox.tasks.sweep", acks_late=True)
def sweep(*, batch_size: int | None = None) -> int:
    """Beat: publish again the rows whose publication failed or whose message never finished."""
    return outbox_sweep(now=now(), batch_size=batch_size or settings.OUTBOX_SWEEP_BATCH_SIZE)


@shared_task(name="outbox.tasks.purge", acks_late=True)
def purge(*, batch_size: int | None = None) -> int:
    """Beat: delete a batch of the rows finished longer than ``OUTBOX_PURGE_AFTER_SECONDS`` ago."""
    return outbox_purge(now=now(), batch_size=batch_size)
