"""Shared fixtures.

Two ways the suite runs (same tests):
- ``make test``: SQLite, Celery tasks eager in-process;
- ``make test-services``: PostgreSQL and a real Celery worker process consuming from Redis. The
  worker is started once per session against the test database and stopped before it is dropped.

Tests whose effect goes through a task take the ``celery_worker`` fixture and the
``transactional_db`` fixture (a worker process only sees committed rows), and wait on the task's
result with ``.get(timeout=...)``, which works in both modes.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.signals import after_task_publish
from django.conf import settings
from kombu.exceptions import ChannelError

ROOT = Path(__file__).resolve().parent.parent

requires_services = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL
    or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL) and a Celery broker (CELERY_BROKER_URL): `make test-services`",
)


# The local NBP server of the liability tests (tests/liability/nbp_server.py) listens on a port fixed
# for the whole session, so that the Celery worker, started once, reaches it too: the worker gets
# NBP_API_URL and these quick timeouts and retries in its environment; the test process gets the same
# values through the `settings` fixture (tests/liability/conftest.py).
NBP_TEST_SETTINGS = {
    "NBP_TIMEOUT_SECONDS": 2.0,
    "NBP_RETRIES": 1,
    "NBP_RETRY_BACKOFF_SECONDS": 0.01,
    "NBP_FETCH_RETRY_BASE_SECONDS": 0.2,
    "NBP_FETCH_RETRY_MAX_SECONDS": 1.0,
    "NBP_FETCH_EAGER_RETRIES": 30,
}


@pytest.fixture(scope="session")
def nbp_api_url() -> str:
    """The base URL of the local NBP server, on a free loopback port reserved for the session."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def _worker_database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


# The queues the session's worker consumes: every queue the tasks are routed to
# (kartosfera/settings/celery.py).
WORKER_QUEUES = (settings.CELERY_TASK_DEFAULT_QUEUE, settings.KARTOSFERA_LETTERS_QUEUE)

# Whether the session's worker process is up, and whether the current test published a task to it.
_worker = {"running": False, "published": False}


def _note_publish(**_kwargs) -> None:
    _worker["published"] = True


def queue_length(queue: str) -> int:
    """How many messages wait in ``queue`` on the broker (0 when it was never declared)."""
    from kartosfera.celery import app

    with app.connection_for_write() as connection:
        try:
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # the queue was never declared: nothing is waiting in it
            return 0


def _wait_until_the_worker_is_idle(timeout: float = 60.0) -> None:
    """Let the worker finish what the test sent it (e.g. letters queued on commit by a sweep).

    A task still running when the test's database is flushed holds row locks the TRUNCATE waits
    on (or deadlocks with), and one finishing after the flush writes rows into the next test.
    """
    from kartosfera.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = sum(queue_length(queue) for queue in WORKER_QUEUES)
        inspect = app.control.inspect(timeout=0.5)
        busy = [
            task
            for replies in (inspect.active(), inspect.reserved(), inspect.scheduled())
            for tasks in (replies or {}).values()
            for task in tasks
        ]
        if not waiting and not busy:
            return
        time.sleep(0.1)
    app.control.purge()
    raise RuntimeError(f"the Celery worker was still busy {timeout:.0f} s after the test ended")


# Whether a test was set up rather than skipped: a skipped test (a `requires_services` mark without
# the services) never had a database, and its teardown must not reach for one.
_SET_UP = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "setup":
        item.stash[_SET_UP] = not report.skipped
    return report


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Runs before the test's fixtures are torn down, so before its database is flushed."""
    if _worker["running"] and _worker["published"]:
        _wait_until_the_worker_is_idle()
    _worker["published"] = False
    _empty_the_audit_log_before_the_flush(item)
    yield


def _empty_the_audit_log_before_the_flush(item) -> None:
    """On PostgreSQL the audit tables refuse TRUNCATE while they hold entries (audit/migrations/0004),
    and the flush after a transactional test truncates every table: empty them first, triggers off
    (the test database's superuser, as a DBA could)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    if not item.stash.get(_SET_UP, False):
        return
    marker = item.get_closest_marker("django_db")
    transactional = "transactional_db" in item.fixturenames or "live_server" in item.fixturenames
    if not transactional and not (marker and marker.kwargs.get("transaction")):
        return
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditentry")


@pytest.fixture(autouse=True)
def audit_sealing_in_tests(settings, tmp_path):
    """Seal a test's audit entries in its own transaction (the test's transaction never commits, so
    nothing after a commit would run), and keep each test's signed anchors in a directory of its own.
    Tests of the other sealing modes set ``KARTOSFERA_AUDIT_SEALING`` themselves (tests/audit)."""
    settings.KARTOSFERA_AUDIT_SEALING = "IN_TRANSACTION"
    settings.KARTOSFERA_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


@pytest.fixture(autouse=True)
def no_language_left_active():
    """Each test starts in the site's default language: a page requested in English activates English
    for the thread (LocaleMiddleware) and nothing switches it back, so a later test reading a lazy
    message outside its own ``translation.override`` read it in English only when run after it."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def export_files_in_tests(settings, tmp_path):
    """Keep the export files a test makes (the demo's seeding makes one) in a directory of its own:
    in the project's ``var/exports`` they replaced the running demo's files, whose recorded SHA-256
    then no longer matched. tests/reports sets its own (a worker process shares it)."""
    settings.KARTOSFERA_EXPORT_DIR = tmp_path / "exports"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, nbp_api_url):
    """A real Celery worker process on the configured broker, or nothing when tasks run eagerly."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    from kartosfera.celery import app

    app.control.purge()
    after_task_publish.connect(_note_publish, weak=False)
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "PYTHONUNBUFFERED": "1",
        "NBP_API_URL": nbp_api_url,
        **{name: str(value) for name, value in NBP_TEST_SETTINGS.items()},
        # As in the test process (audit_sealing_in_tests): a task's entries are sealed when it ends.
        "KARTOSFERA_AUDIT_SEALING": "IN_TRANSACTION",
        "KARTOSFERA_AUDIT_ANCHOR_DIR": str(ROOT / "var" / "test-audit-anchors"),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "test-celery-worker.log", "w")  # noqa: SIM115 (kept open for the session)
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.celery_worker",  # the project's app; content types re-read after each flush
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            ",".join(WORKER_QUEUES),
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Celery worker exited with {process.returncode}; see var/test-celery-worker.log"
            )
        if app.control.ping(timeout=1):
            break
    else:
        process.terminate()
        raise RuntimeError("Celery worker did not answer a ping within 60 s")
    _worker["running"] = True
    yield process
    _worker["running"] = False
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    with django_db_blocker.unblock():
        _wait_for_the_workers_database_sessions_to_end()


def _wait_for_the_workers_database_sessions_to_end(timeout: float = 10.0) -> None:
    """PostgreSQL ends a backend shortly after its client exits; dropping the test database before
    then fails with "being accessed by other users"."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


@pytest.fixture
def admin_client(admin_user):
    """pytest-django's admin client (a client of its own), signed in as the admin requires: password
    and TOTP second factor."""
    from django.test import Client

    from tests.staff import sign_in_staff

    return sign_in_staff(Client(), admin_user)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The fuzz test's closing note: how many requests it sent, how many answered 5xx."""
    note = getattr(config, "kartosfera_fuzz_note", None)
    if note:
        terminalreporter.write_sep("-", "fuzzing")
        terminalreporter.write_line(note)
