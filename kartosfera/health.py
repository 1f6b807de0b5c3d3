"""Readiness checks for /healthz: the database always, the Celery broker when one is configured."""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthReport:
    """Each component's state (``ok``, ``unavailable`` or ``not configured``)."""

    components: dict[str, str] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return all(state != "unavailable" for state in self.components.values())


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


def health_check() -> HealthReport:
    """Ask the database and, when configured, the broker whether they answer."""
    components = {"database": "ok" if _database_ok() else "unavailable"}
    if settings.CELERY_BROKER_URL:
        components["broker"] = "ok" if _broker_ok() else "unavailable"
    else:
        components["broker"] = "not configured"
    return HealthReport(components=components)
