"""Celery tasks: fetch NBP table A rates, retrying with capped exponential backoff while the NBP is down.

The only code that calls the NBP in the course of the workflow: requests read stored rates and ask
for these tasks (``liability.services.liability_assess`` never fetches).
"""

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from kartosfera.clock import now, today_warsaw
from liability.nbp import NbpBadAnswer, NbpBadRequest, NbpUnreachable
from liability.services import RateFetchResult, rates_fetch_range

logger = logging.getLogger(__name__)


def _backoff(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: base × 2**retries, capped."""
    return min(settings.NBP_FETCH_RETRY_MAX_SECONDS, settings.NBP_FETCH_RETRY_BASE_SECONDS * 2**retries)


def _fetch_with_retries(
    task: Task, fetch: Callable[[], RateFetchResult], *, malformed: int
) -> dict[str, Any]:
    """Run ``fetch``; retry with capped exponential backoff while the NBP fails.

    - unreachable (timeouts, connection errors, 429, 5xx): retried without limit in a worker;
    - a malformed answer (``NbpBadAnswer``): retried ``NBP_FETCH_MALFORMED_RETRIES`` times (counted in
      ``malformed``, passed on to the retry), then given up and logged as malformed;
    - a 400 (``NbpBadRequest``): our query is wrong; logged, never retried.

    In a worker the retry goes back to the queue (``task.retry``). Eager mode has no queue, and Celery
    would hand the Retry straight to the caller (or, without propagation, re-run it at once,
    recursively): there the task waits and tries again itself, at most ``NBP_FETCH_EAGER_RETRIES``
    times (and within the malformed bound), then re-raises.
    """
    eager_retries = 0
    while True:
        retries = task.request.retries + eager_retries
        try:
            return _summary(fetch(), attempt=retries + 1)
        except NbpBadRequest:
            logger.error("the NBP refused our query as malformed (400): not retried", exc_info=True)
            raise
        except NbpBadAnswer as exc:
            if malformed >= settings.NBP_FETCH_MALFORMED_RETRIES:
                logger.error("the NBP answered malformed %d times: given up (%s)", malformed + 1, exc)
                raise
            logger.warning("the NBP answer is malformed (attempt %d): %s", malformed + 1, exc)
            malformed += 1
            if not task.request.is_eager:
                raise task.retry(
                    exc=exc,
                    countdown=_backoff(retries),
                    kwargs={**task.request.kwargs, "malformed": malformed},
                ) from exc
            if eager_retries >= settings.NBP_FETCH_EAGER_RETRIES:
                raise
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
        "asked": [[first.isoformat(), last.isoformat()] for first, last in result.asked],
        "created": [rate.effective_date.isoformat() for rate in result.created],
        "updated": [rate.effective_date.isoformat() for rate in result.updated],
        "unchanged": result.unchanged,
        "lacking": [day.isoformat() for day in result.lacking],
        "covered_through": result.covered_through.isoformat() if result.covered_through else None,
        "requests": result.requests,
        "attempt": attempt,
    }


@shared_task(bind=True, max_retries=None, acks_late=True)
def fetch_rates(
    self: Task, *, currency: str = "EUR", start: str, end: str, malformed: int = 0
) -> dict[str, Any]:
    """Fetch and store the NBP table A rates of ``start..end`` (ISO dates) that are not stored yet.

    Idempotent: days already stored cost no request. Retries until the NBP answers (``malformed``:
    how many malformed answers came before, for the bounded retries of those).
    """
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return _fetch_with_retries(
        self,
        lambda: rates_fetch_range(currency=currency, start=first, end=last, now=now()),
        malformed=malformed,
    )


@shared_task(bind=True, max_retries=None, acks_late=True)
def fetch_recent_rates(
    self: Task, *, currency: str = "EUR", days: int = 7, malformed: int = 0
) -> dict[str, Any]:
    """Fetch the last ``days`` days of table A up to today that are not stored (Celery beat)."""
    today = today_warsaw()
    return _fetch_with_retries(
        self,
        lambda: rates_fetch_range(
            currency=currency, start=today - timedelta(days=days), end=today, now=now()
        ),
        malformed=malformed,
    )
