"""A client's rate limit is counted in the shared cache: two web processes share one counter."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from tests.api.conftest import make_caller
from tests.conftest import ROOT, requires_services

# A second web process as gunicorn runs it: its own interpreter and its own cache connection.
OTHER_PROCESS = """
import sys
from datetime import datetime
import django
django.setup()
from api.auth import rate_limit_count
print(rate_limit_count(client_id=sys.argv[1], now=datetime.fromisoformat(sys.argv[2])))
"""


def count_in_another_process(*, redis_url: str, client_id: str, at: datetime) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kartosfera.settings", "REDIS_CACHE_URL": redis_url}
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", OTHER_PROCESS, client_id, at.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


@requires_services
def test_two_processes_share_a_clients_rate_limit_through_redis(db, settings):
    redis_url = settings.CELERY_BROKER_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "kartosfera",
        }
    }
    # One instant for both processes, so both count in the same minute.
    at = datetime.now(UTC).replace(second=5, microsecond=0)
    with time_machine.travel(at, tick=False):
        caller = make_caller(f"branch-crm-{uuid.uuid4().hex[:6]}", ["claims:read"], rate_limit=3)
        first = [caller.get("/api/v1/claims").status_code for _ in range(2)]

        counted_there = count_in_another_process(redis_url=redis_url, client_id=caller.client_id, at=at)
        last = caller.get("/api/v1/claims")

    assert first == [200, 200]
    assert counted_there == 3
    assert last.status_code == 429
    assert last.json()["code"] == "RATE_LIMITED"


def test_the_demo_and_tests_count_in_local_memory_without_a_redis_cache(settings):
    if os.environ.get("REDIS_CACHE_URL"):
        pytest.skip("REDIS_CACHE_URL is set in this environment")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
