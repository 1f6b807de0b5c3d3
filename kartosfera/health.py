"""Readiness checks for /healthz: the database always, the Celery broker when one is configured, how
far the audit sealer lags (degraded beyond ``KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS``) and how old the
outbox's oldest unfinished task is (degraded beyond ``OUTBOX_BACKLOG_LIMIT_SECONDS``)."""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections

from kartosfera import clock

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


def _audit_sealing() -> tuple[str, dict[str, Any]]:
    """The sealer's lag: ``lagging`` when the oldest entry waiting is older than the limit."""
    from audit.selectors import audit_sealing_lag

    try:
        lag = audit_sealing_lag(now=clock.now())
    except Exception:  # the database check reports the cause
        logger.warning("health check: audit sealing lag unreadable", exc_info=True)
        return "unavailable", {}
    limit = settings.KARTOSFERA_AUDIT_SEAL_LAG_LIMIT_SECONDS
    figures = {
        "unsealed_entries": lag.unsealed,
        "oldest_unsealed_age_seconds": None
        if lag.oldest_age_seconds is None
        else round(lag.oldest_age_seconds, 1),
        "lag_limit_seconds": limit,
    }
    lagging = lag.oldest_age_seconds is not None and lag.oldest_age_seconds > limit
    return ("lagging" if lagging else "ok"), figures


def _outbox() -> tuple[str, dict[str, Any]]:
    """The outbox's backlog: ``lagging`` when the oldest unfinished row is older than the limit."""
    from outbox.selectors import outbox_backlog

    try:
        backlog = outbox_backlog(now=clock.now())
    except Exception:  # the database check reports the cause
        logger.warning("health check: outbox backlog unreadable", exc_info=True)
        return "unavailable", {}
    limit = settings.OUTBOX_BACKLOG_LIMIT_SECONDS
    figures = {
        "unfinished_messages": backlog.unfinished,
        "oldest_unfinished_age_seconds": None
        if backlog.oldest_age_seconds is None
        else round(backlog.oldest_age_seconds, 1),
        "backlog_limit_seconds": limit,
    }
    lagging = backlog.oldest_age_seconds is not None and backlog.oldest_age_seconds > limit
    return ("lagging" if lagging else "ok"), figures


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
