"""Benchmark: what the request stack costs a light back-office page, with the session written on every
request (``KARTOSFERA_SESSION_REFRESH_SECONDS=0``, as Django's ``SESSION_SAVE_EVERY_REQUEST`` does) and
once a minute (the default), in one run.

    .venv/bin/python bench/request_stack_bench.py [--database-url URL] [--runs 200] [--rounds 3]

A scratch PostgreSQL database (default ``kartosfera_bench_stack``) is created, migrated and filled with
the demo data (``manage.py seed_demo``), then dropped. The demo supervisor, signed in with a verified
second factor, fetches the approvals page (no proposals: the page is little more than the request
stack: session, user, TOTP device, permissions, audit context, security headers, template) through
Django's test client in this process; the two settings alternate round by round. Printed: the median
wall and CPU time of a request and its queries, per setting, and their ratio.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchdb import scratch_audit_anchors

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench_stack"
PAGE = "/back-office/approvals/"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database-url", default=DEFAULT_URL)
parser.add_argument("--runs", type=int, default=200)
parser.add_argument("--rounds", type=int, default=3)
ARGS = parser.parse_args()


def _psql(sql: str) -> None:
    admin = urlunsplit(urlsplit(ARGS.database_url)._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-q", "-c", sql], check=True)  # noqa: S603, S607


def _measure(client, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(PAGE)  # warm up
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(PAGE)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as captured:
        client.get(PAGE)
    return statistics.median(wall), statistics.median(cpu), len(captured.captured_queries)


def main() -> int:
    name = urlsplit(ARGS.database_url).path.lstrip("/")
    try:
        _psql(f'DROP DATABASE IF EXISTS "{name}"')
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"skipped: PostgreSQL does not answer ({error})")
        return 0
    _psql(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = ARGS.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartosfera.settings")
    os.environ["KARTOSFERA_SMS_ECHO"] = "0"
    scratch_audit_anchors()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from customers.middleware import SIGNED_IN_AT
    from customers.models import User
    from disputes.backoffice.services import staff_totp_device_ensure
    from kartosfera import clock

    try:
        call_command("migrate", verbosity=0, interactive=False)
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        settings.ALLOWED_HOSTS = ["testserver"]
        settings.DEBUG = False
        supervisor = User.objects.get(username="supervisor")
        client = Client()
        client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = staff_totp_device_ensure(user=supervisor).persistent_id
        session[SIGNED_IN_AT] = clock.now().isoformat()
        session.save()
        print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"load before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")  # noqa: S607
        variants = {"session written every request": 0, "session written once a minute": 60}
        figures: dict[str, list[tuple[float, float, int]]] = {label: [] for label in variants}
        for number in range(1, ARGS.rounds + 1):
            for label, seconds in variants.items():
                settings.KARTOSFERA_SESSION_REFRESH_SECONDS = seconds
                wall, cpu, queries = _measure(client, ARGS.runs)
                figures[label].append((wall, cpu, queries))
                print(
                    f"round {number}: {label:<32} wall {wall:6.2f} ms, CPU {cpu:6.2f} ms, {queries} queries"
                )
    finally:
        from django.db import connections

        connections.close_all()
        _psql(f'DROP DATABASE IF EXISTS "{name}"')
    print(f"GET {PAGE}, median of {ARGS.rounds} rounds of {ARGS.runs} requests:")
    medians = {
        label: (statistics.median(f[0] for f in rows), statistics.median(f[1] for f in rows), rows[-1][2])
        for label, rows in figures.items()
    }
    for label, (wall, cpu, queries) in medians.items():
        print(f"  {label:<32} wall {wall:6.2f} ms, CPU {cpu:6.2f} ms, {queries} queries")
    (every_wall, every_cpu, _), (minute_wall, minute_cpu, _) = medians.values()
    print(
        f"  every request / once a minute: wall {every_wall / minute_wall:.2f}x,"
        f" CPU {every_cpu / minute_cpu:.2f}x"
    )
    print(f"load after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")  # noqa: S607
    return 0


if __name__ == "__main__":
    sys.exit(main())
