"""How far a queue of rows lags: how many wait, and how long the oldest has waited (for health checks)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Min, QuerySet


@dataclass(frozen=True, slots=True)
class Backlog:
    """The rows waiting: how many, and the age of the oldest in seconds (None when none waits)."""

    waiting: int
    oldest_age_seconds: float | None


def backlog_of(rows: QuerySet[Any], *, since: str, now: datetime) -> Backlog:
    """Count ``rows`` and measure the oldest by its ``since`` field (a moment) against ``now``."""
    figures = rows.aggregate(count=Count("pk"), oldest=Min(since))
    oldest = figures["oldest"]
    return Backlog(
        waiting=figures["count"],
        oldest_age_seconds=None if oldest is None else max(0.0, (now - oldest).total_seconds()),
    )
