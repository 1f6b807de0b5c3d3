"""A worker killed outright in the middle of a task: Redis gives the message to another worker once
the visibility timeout has passed (settings: CELERY_VISIBILITY_TIMEOUT_SECONDS, 2 s here instead of
300 s), and the idempotent task completes, once (``make test-services`` only: a real worker on Redis).
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from kartosfera.celery import app
from liability.models import ExchangeRate
from liability.tasks import fetch_rates
from tests.conftest import ROOT, _worker_database_url, requires_services
from tests.disputes.test_no_nbp_call_in_requests import a_month_ago
from tests.liability.nbp_server import publication_day_rates

pytestmark = [requires_services, pytest.mark.django_db(transaction=True)]

QUEUE = "redelivery-test"


def _start_worker(name: str, nbp_api_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "NBP_API_URL": nbp_api_url,
        "NBP_TIMEOUT_SECONDS": "60",  # the first worker is killed while it waits for the NBP
        "NBP_RETRIES": "0",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "2",
    }
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "celery", "-A", "kartosfera", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", QUEUE, "-n", f"{name}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(name in node for reply in app.control.ping(timeout=1) or [] for node in reply):
            return process
    process.kill()
    raise RuntimeError(f"worker {name} did not answer a ping within 60 s")


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.fixture
def _own_queue():
    """Publishing to this queue declares it on the app; later tests see the app's queues unchanged."""
    yield
    app.amqp.queues.pop(QUEUE, None)


def test_a_task_whose_worker_was_killed_is_redelivered_and_completes_once(
    nbp_server, nbp_api_url, celery_worker, _own_queue
):
    day = a_month_ago().date()
    nbp_server.rates["EUR"] = publication_day_rates(day - timedelta(days=7), day)
    nbp_server.hang = True
    first = _start_worker("doomed", nbp_api_url)
    try:
        fetch_rates.apply_async(
            kwargs={"currency": "EUR", "start": day.isoformat(), "end": day.isoformat()},
            queue=QUEUE,
            ignore_result=True,
        )
        assert _wait_for(lambda: nbp_server.request_count >= 1, timeout=30)  # the task is mid-way
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    nbp_server.answer()
    assert not ExchangeRate.objects.filter(effective_date=day).exists()

    second = _start_worker("heir", nbp_api_url)
    try:
        assert _wait_for(lambda: ExchangeRate.objects.filter(effective_date=day).exists(), timeout=90)
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert ExchangeRate.objects.filter(currency="EUR", effective_date=day).count() == 1
