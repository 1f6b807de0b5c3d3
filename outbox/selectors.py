"""The outbox's reads."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from kartosfera.backlog import backlog_of
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


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """The rows no worker has finished yet: how many, and the age of the oldest (None when none)."""

    unfinished: int
    oldest_age_seconds: float | None


def outbox_backlog(*, now: datetime) -> OutboxBacklog:
    """Count the unfinished rows (pending or published) and how long the oldest has waited (health)."""
    backlog = backlog_of(OutboxMessage.objects.filter(finished_at__isnull=True), since="created_at", now=now)
    return OutboxBacklog(unfinished=backlog.waiting, oldest_age_seconds=backlog.oldest_age_seconds)


def outbox_messages_finished_before(*, moment: datetime, limit: int) -> list[int]:
    """Ids of up to ``limit`` rows a worker finished (done or failed) before ``moment``, oldest first."""
    return list(
        OutboxMessage.objects.filter(finished_at__lt=moment)
        .order_by("finished_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
