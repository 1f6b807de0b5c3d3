"""Outbox fixtures: the broker taken down, to memory, and back; the roles and claim of other tests."""

import socket

import pytest

from kartosfera.celery import app
from tests.disputes.conftest import _media, analyst, nbp_server, staff  # noqa: F401 (fixtures)
from tests.disputes.test_no_nbp_call_in_requests import nbp, stolen  # noqa: F401 (fixtures)
from tests.reports.conftest import _export_dir, _export_files_removed  # noqa: F401 (fixtures)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _point_celery_at(broker_url: str, *, eager: bool) -> None:
    app.conf.broker_url = app.conf.broker_write_url = broker_url
    app.conf.task_always_eager = eager
    # The connection pools remember the old broker (Celery drops them the same way after a fork).
    app._pool = None
    app.amqp._producer_pool = None


class Broker:
    """Where this process publishes: ``down()`` (a closed port), ``memory()`` (kombu's in-memory
    transport, which no worker reads) or ``back()`` (the session's: a worker, or eager tasks)."""

    def __init__(self) -> None:
        self.saved = (app.conf.broker_write_url, app.conf.task_always_eager)

    def down(self) -> None:
        _point_celery_at(f"redis://127.0.0.1:{_closed_port()}/0", eager=False)

    def memory(self) -> None:
        _point_celery_at("memory://localhost/", eager=False)

    def back(self) -> None:
        if app.conf.broker_write_url.startswith("memory://"):
            app.control.purge()  # what no worker will read
        _point_celery_at(self.saved[0], eager=self.saved[1])


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """The broker is back before tests/conftest.py waits for the session's worker to be idle."""
    broker = getattr(item, "funcargs", {}).get("broker")
    if broker is not None:
        broker.back()
    yield


@pytest.fixture
def broker():
    broker = Broker()
    yield broker
    broker.back()
