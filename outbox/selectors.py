"""The outbox's reads."""

from datetime import datetime, timedelta

from django.db.models import Q

from kartosfera.backlog import Backlog, backlog_of
from outbox.models import OutboxMessage


def outbox_messages_due(
    *, now: datetime, pending_for: timedelta, published_for: timedelta, limit: int
) -> list[int]:
    """Ids of the unfinished rows to publish again, oldest first: never published for ``pending_for``
    (the publication after commit failed), or published ``published_for`` ago and not finished."""
    return list(
        OutboxMessage.objects.filter(finished_at__isnull=True)
        .filter(
            Q(published_at__isnull=True, created_at__lte=now - pending_for)
            | Q(published_at__lte=now - published_for)
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_pending_count() -> int:
    """How many rows wait for a publication (health)."""
    return OutboxMessage.objects.filter(finished_at__isnull=True, published_at__isnull=True).count()


def outbox_backlog(*, now: datetime) -> Backlog:
    """The unfinished rows (pending or published): how many, and how long the oldest has waited (health)."""
    return backlog_of(OutboxMessage.objects.filter(finished_at__isnull=True), since="created_at", now=now)


def outbox_messages_finished_before(*, moment: datetime, limit: int) -> list[int]:
    """Ids of up to ``limit`` rows a worker finished (done or failed) before ``moment``, oldest first."""
    return list(
        OutboxMessage.objects.filter(finished_at__lt=moment)
        .order_by("finished_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
