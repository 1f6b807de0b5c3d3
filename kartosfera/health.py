"""Readiness checks for /healthz: the database always, the Celery broker when one is configured, how
far the audit sealer lags (degraded beyond ``KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS``) and how old the
outbox's oldest unfinished task is (degraded beyond ``OUTBOX_BACKLOG_LIMIT_SECONDS``)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections

from kartosfera import clock
from kartosfera.backlog import Backlog

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthReport:
    """Each component's state (``ok``, ``unavailable``, ``not configured`` or ``lagging``), and the
    audit sealer's and the outbox's figures."""

    components: dict[str, str] = field(default_factory=dict)
    audit_sealing: dict[str, Any] = field(default_factory=dict)
    outbox: dict[str, Any] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(state != "unavailable" for state in self.components.values())

    @property
    def status(self) -> str:
        """``unavailable`` (503), ``degraded`` (a component lags: still serving) or ``ok``."""
        if not self.healthy:
            return "unavailable"
        return "degraded" if "lagging" in self.components.values() else "ok"


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means the database does not answer
        logger.warning("health check: database does not answer", exc_info=True)
        return False


def _broker_ok() -> bool:
    from kartosfera.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # kombu raises transport-specific errors
        logger.warning("health check: broker does not answer", exc_info=True)
        return False


def _backlog(
    what: str,
    read: Callable[[], Backlog],
    *,
    limit: float,
    names: tuple[str, str, str],
) -> tuple[str, dict[str, Any]]:
    """A backlog's state: ``lagging`` when its oldest item is older than ``limit`` seconds.

    ``read`` gives how many items wait and the age of the oldest (None: none waits); ``names`` are the
    figures' keys for those two and the limit.
    """
    try:
        backlog = read()
    except Exception:  # the database check reports the cause
        logger.warning("health check: %s unreadable", what, exc_info=True)
        return "unavailable", {}
    count_name, age_name, limit_name = names
    oldest_age = backlog.oldest_age_seconds
    figures = {
        count_name: backlog.waiting,
        age_name: None if oldest_age is None else round(oldest_age, 1),
        limit_name: limit,
    }
    lagging = oldest_age is not None and oldest_age > limit
    return ("lagging" if lagging else "ok"), figures


def _unsealed() -> Backlog:
    from audit.selectors import audit_sealing_lag

    return audit_sealing_lag(now=clock.now())


def _unfinished() -> Backlog:
    from outbox.selectors import outbox_backlog

    return outbox_backlog(now=clock.now())


def _audit_sealing() -> tuple[str, dict[str, Any]]:
    """The sealer's lag: ``lagging`` when the oldest entry waiting is older than the limit."""
    names = ("unsealed_entries", "oldest_unsealed_age_seconds", "lag_limit_seconds")
    limit = settings.KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS
    return _backlog("audit sealing lag", _unsealed, limit=limit, names=names)


def _outbox() -> tuple[str, dict[str, Any]]:
    """The outbox's backlog: ``lagging`` when the oldest unfinished row is older than the limit."""
    names = ("unfinished_messages", "oldest_unfinished_age_seconds", "backlog_limit_seconds")
    return _backlog("outbox backlog", _unfinished, limit=settings.OUTBOX_BACKLOG_LIMIT_SECONDS, names=names)


def health_check() -> HealthReport:
    """Ask the database and, when configured, the broker whether they answer; measure the sealer's lag
    and the outbox's backlog."""
    components = {"database": "ok" if _database_ok() else "unavailable"}
    if settings.CELERY_BROKER_URL:
        components["broker"] = "ok" if _broker_ok() else "unavailable"
    else:
        components["broker"] = "not configured"
    sealing: dict[str, Any] = {}
    outbox: dict[str, Any] = {}
    if components["database"] == "ok":
        components["audit_sealing"], sealing = _audit_sealing()
        components["outbox"], outbox = _outbox()
    return HealthReport(components=components, audit_sealing=sealing, outbox=outbox)
