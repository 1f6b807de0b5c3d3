"""Celery tasks: fetch NBP table A rates, retrying with capped exponential backoff while the NBP is down."""

import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from kartosfera.clock import now, today_warsaw
from liability.nbp import NbpUnreachable
from liability.services import RateFetchResult, rates_fetch_range


def _backoff(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: base × 2**retries, capped."""
    return min(settings.NBP_FETCH_RETRY_MAX_SECONDS, settings.NBP_FETCH_RETRY_BASE_SECONDS * 2**retries)


def _fetch_with_retries(task: Task, fetch: Callable[[], RateFetchResult]) -> dict[str, Any]:
    """Run ``fetch``; while the NBP is unreachable, retry it with capped exponential backoff.

    In a worker the retry goes back to the queue (``task.retry``), without limit. Eager mode has no
    queue, and Celery would hand the Retry straight to the caller (or, without propagation, re-run
    it at once, recursively): there the task waits and tries again itself, at most
    ``NBP_FETCH_EAGER_RETRIES`` times, then re-raises ``NbpUnreachable``.
    """
    eager_retries = 0
    while True:
        retries = task.request.retries + eager_retries
        try:
            return _summary(fetch(), attempt=retries + 1)
        except NbpUnreachable as exc:
            if not task.request.is_eager:
                raise task.retry(exc=exc, countdown=_backoff(retries)) from exc
            if eager_retries >= settings.NBP_FETCH_EAGER_RETRIES:
                raise
            time.sleep(_backoff(retries))
            eager_retries += 1


def _summary(result: RateFetchResult, *, attempt: int) -> dict[str, Any]:
    return {
        "currency": result.currency,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "created": [rate.effective_date.isoformat() for rate in result.created],
        "updated": [rate.effective_date.isoformat() for rate in result.updated],
        "unchanged": result.unchanged,
        "covered_through": result.covered_through.isoformat() if result.covered_through else None,
        "requests": result.requests,
        "attempt": attempt,
    }


@shared_task(bind=True, max_retries=None, acks_late=True)
def fetch_rates(self: Task, *, currency: str = "EUR", start: str, end: str) -> dict[str, Any]:
    """Fetch and store the NBP table A rates of ``start..end`` (ISO dates); retry until the NBP answers."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return _fetch_with_retries(
        self, lambda: rates_fetch_range(currency=currency, start=first, end=last, now=now())
    )


@shared_task(bind=True, max_retries=None, acks_late=True)
def fetch_recent_rates(self: Task, *, currency: str = "EUR", days: int = 7) -> dict[str, Any]:
    """Fetch the last ``days`` days of table A up to today (Celery beat, after publication)."""
    today = today_warsaw()
    return _fetch_with_retries(
        self,
        lambda: rates_fetch_range(
            currency=currency, start=today - timedelta(days=days), end=today, now=now()
        ),
    )
