"""Production checks (``manage.py check --deploy``): what the README forbids in production.

They read the settings only; nothing here opens a database or broker connection.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, Tags.database, deploy=True)
def check_production_runtime(app_configs=None, **kwargs) -> list[Error]:
    """PostgreSQL, not SQLite; a Celery broker, not eager tasks; no ``*`` in ALLOWED_HOSTS."""
    errors = []
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            Error(
                "The database is SQLite: one writer at a time and a file on one machine.",
                hint="Set DATABASE_URL to the production PostgreSQL, e.g. postgres://user@host:5432/kartosfera.",
                id="kartosfera.E001",
            )
        )
    if not settings.CELERY_BROKER_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        errors.append(
            Error(
                "Celery has no broker: tasks (letters, refunds' sweeps, exports) would run inside the web "
                "request, and the beat schedule would never run.",
                hint="Set CELERY_BROKER_URL, e.g. redis://host:6379/0, and run the worker and beat processes "
                "(Procfile).",
                id="kartosfera.E002",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS contains '*': any Host header is accepted (poisoned links in e-mails, "
                "cache poisoning).",
                hint="List the portal's host names in ALLOWED_HOSTS.",
                id="kartosfera.E003",
            )
        )
    return errors


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[Warning]:
    """The API's rate limits are counted in a cache every web process shares (Redis), not per process."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is local to each process: an API client's rate limit would be counted per web "
                "process, so it could send the limit times the number of processes.",
                hint="Set REDIS_CACHE_URL, e.g. redis://host:6379/1.",
                id="kartosfera.W001",
            )
        ]
    return []
