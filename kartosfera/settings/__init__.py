"""Settings read from the environment.

Defaults give a development machine: SQLite in ``var/``, Celery tasks run eagerly in-process.
Production sets ``DEBUG=0``, ``SECRET_KEY``, ``DATABASE_URL`` (PostgreSQL), ``CELERY_BROKER_URL``
(Redis) and ``ALLOWED_HOSTS``.

Every environment variable is declared once, typed, with its default, in ``env.py``: a bad value stops
start-up with one error naming the variable. The settings are split by subject: ``core`` (Django),
``domain`` (Kartosfera's apps and policies), ``celery`` (tasks, the outbox, the beat schedule).
"""

# Django reads the upper-case names of this module: each part's names are gathered here.
from kartosfera.settings.celery import *  # noqa: F403
from kartosfera.settings.core import *  # noqa: F403
from kartosfera.settings.domain import *  # noqa: F403
