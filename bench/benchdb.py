"""What the benchmarks share: their own PostgreSQL database, created when missing, timings, servers."""

import atexit
import http.client
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from argparse import ArgumentParser, Namespace
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit


def ensure_database(url: str) -> bool:
    """Create the benchmark database if it does not exist; False when PostgreSQL cannot be reached."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"SKIPPED: PostgreSQL at {parts.hostname}:{parts.port} cannot be reached: {error}")
        return False
    return True


def scratch_audit_anchors() -> None:
    """Send the audit anchors to a temporary directory, removed when the benchmark exits.

    A benchmark's scratch database must not anchor its audit log in the checkout's var/audit-anchors (the
    default). Call before Django is set up; the processes the benchmark starts inherit the directory.
    """
    anchors = tempfile.mkdtemp(prefix="kartosfera-bench-anchors-")
    atexit.register(shutil.rmtree, anchors, ignore_errors=True)
    os.environ["KARTOSFERA_AUDIT_ANCHOR_DIR"] = anchors


def django_setup(url: str) -> None:
    """Point Django at the benchmark database ``url`` (created when missing) and set it up.

    Exits the benchmark (status 0, "SKIPPED") when PostgreSQL cannot be reached. Celery runs eager
    unless the caller set ``CELERY_BROKER_URL``: the benchmarks queue nothing unless they say so. The
    audit anchors go to a temporary directory (``scratch_audit_anchors``).
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CELERY_BROKER_URL", "")
    scratch_audit_anchors()
    if not ensure_database(url):
        sys.exit(0)
    import django

    django.setup()


def add_caseload_arguments(parser: ArgumentParser, *, cases: int, url_variable: str, url: str) -> None:
    """The arguments of a benchmark over the loaded cases (``caseload``): how many, where, reload."""
    parser.add_argument("--cases", type=int, default=cases)
    parser.add_argument("--database-url", default=os.environ.get(url_variable, url))
    parser.add_argument(
        "--reload", action="store_true", help="load the cases again even if the count matches"
    )


def caseload_benchmark_setup(description: str, *, url_variable: str, url: str, runs: int) -> Namespace:
    """Parse a caseload benchmark's arguments (cases, database, reload, ``--runs``), then set Django up."""
    parser = ArgumentParser(description=description)
    add_caseload_arguments(parser, cases=1_000_000, url_variable=url_variable, url=url)
    parser.add_argument("--runs", type=int, default=runs)
    args = parser.parse_args()
    django_setup(args.database_url)
    return args


class Timing(NamedTuple):
    """Of ``runs`` calls: median and max wall time, median CPU time of this process (ms), queries a call."""

    median_ms: float
    max_ms: float
    cpu_ms: float
    queries: int


def time_call(call: Callable[[], object], runs: int) -> Timing:
    """Call once to warm up (caches, plans), then time ``runs`` calls.

    The CPU time leaves out waiting for the database and for other processes on a shared machine.
    """
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call()
    wall, cpu = [], []
    queries = 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries = len(captured.captured_queries)
    return Timing(statistics.median(wall), max(wall), statistics.median(cpu), queries)


def wait_for_healthz(
    port: int,
    *,
    timeout: float,
    headers: dict[str, str] | None = None,
    server: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    """Wait until gunicorn on ``port`` answers /healthz with 200.

    RuntimeError when ``timeout`` seconds pass, or when the ``server`` process exits first (``log``
    says why).
    """
    see = f"; see {log}" if log else ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited{see}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz", headers=headers or {})
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn on port {port} did not answer /healthz within {timeout:g} s{see}")
