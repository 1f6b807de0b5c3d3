"""Benchmark: audit log appends per second on SQLite and PostgreSQL, and verification speed.

    .venv/bin/python bench/audit_bench.py [--appends N] [--threads 1,4,8] [--pg-url URL]

Each database is a fresh one (a temporary SQLite file; a scratch PostgreSQL database created and
dropped here, skipped when PostgreSQL does not answer), migrated, in its own process because the
database comes from the settings. An append is ``audit.services.audit_record`` with a realistic entry:
a staff actor (role looked up in their groups), an object, a few changed fields and some data, each
in its own transaction and committed (as a service's) unless stated. Concurrent writers are threads
with their own connections; they all queue on the chain-head lock, which is held until commit. The
bulk path appends ``BULK`` entries a transaction with ``audit_record_many``, as the sweeps do.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_audit_bench"
BULK = 100  # entries per audit_record_many, as a sweep's batch


def run_backend(database_url: str, appends: int, thread_counts: list[int]) -> dict:
    """Migrate the database at ``database_url`` and measure; return the figures."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction

    from audit.selectors import audit_chain_verify
    from audit.services import AuditEvent, audit_record, audit_record_many
    from customers.models import User
    from kartosfera import clock

    call_command("migrate", verbosity=0)
    actor = User.objects.create_user(username="ewa.analyst", is_staff=True)
    actor.groups.add(Group.objects.get_or_create(name="analysts")[0])
    now = clock.now()

    def event(number: int) -> AuditEvent:
        return AuditEvent(
            action="card.limits_changed",
            actor=actor,
            obj=actor,
            before={"daily_cash_limit": Decimal("2000.00"), "daily_pos_limit": Decimal("5000.00")},
            after={"daily_cash_limit": Decimal("500.00"), "daily_pos_limit": Decimal("5000.00")},
            data={"number": number, "reason": "customer request by phone", "card": "4111111111111111"},
            channel="PHONE",
            now=now,
        )

    def append(number: int) -> None:
        e = event(number)
        audit_record(
            action=e.action,
            actor=e.actor,
            obj=e.obj,
            before=e.before,
            after=e.after,
            data=e.data,
            channel=e.channel,
            now=e.now,
        )

    figures: dict = {"vendor": connection.vendor}
    append(0)  # warm-up: content types, first queries

    started = time.perf_counter()
    for number in range(appends):
        with transaction.atomic():
            append(number)
    figures["one_writer_commit_each"] = appends / (time.perf_counter() - started)

    started = time.perf_counter()
    with transaction.atomic():
        for number in range(appends):
            append(number)
    figures["one_writer_one_transaction"] = appends / (time.perf_counter() - started)

    # A sweep's way: BULK entries a transaction, appended with one lock and one INSERT.
    started = time.perf_counter()
    for first in range(0, appends, BULK):
        with transaction.atomic():
            audit_record_many([event(number) for number in range(first, min(first + BULK, appends))])
    figures["one_writer_bulk"] = appends / (time.perf_counter() - started)

    concurrent = {}
    for threads in thread_counts:
        if threads == 1 or connection.vendor != "postgresql":
            continue
        per_thread = max(1, appends // threads)
        barrier = threading.Barrier(threads + 1)
        errors: list[BaseException] = []

        def writer(per_thread: int = per_thread, barrier: threading.Barrier = barrier, errors=errors) -> None:
            try:
                barrier.wait()
                for number in range(per_thread):
                    with transaction.atomic():
                        append(number)
            except BaseException as error:  # reported below
                errors.append(error)
            finally:
                connection.close()

        workers = [threading.Thread(target=writer) for _ in range(threads)]
        for worker in workers:
            worker.start()
        barrier.wait()
        started = time.perf_counter()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise errors[0]
        concurrent[threads] = per_thread * threads / elapsed
    figures["concurrent_commit_each"] = concurrent

    started = time.perf_counter()
    report = audit_chain_verify()
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"the benchmark's own chain does not verify: {report.to_dict()['problems'][:3]}")
    figures["verified_entries"] = report.entries_checked
    figures["verify_entries_per_second"] = report.entries_checked / elapsed
    return figures


def _in_subprocess(database_url: str, appends: int, threads: list[int]) -> dict:
    result = subprocess.run(  # noqa: S603 (this script, fixed arguments)
        [
            sys.executable,
            __file__,
            "--run",
            database_url,
            "--appends",
            str(appends),
            "--threads",
            ",".join(map(str, threads)),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _postgresql_database(pg_url: str, *, create: bool) -> bool:
    """Create (or drop) the scratch database named in ``pg_url``; False when PostgreSQL does not answer."""
    import psycopg
    from psycopg import sql

    base, _, name = pg_url.rpartition("/")
    try:
        with psycopg.connect(
            f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True
        ) as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            if create:
                db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {error}".strip())
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=2000, help="appends per measurement")
    parser.add_argument("--threads", default="1,4,8", help="concurrent writers to try on PostgreSQL")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="scratch database (dropped and recreated)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    threads = [int(count) for count in args.threads.split(",") if count]

    if args.run:
        print(json.dumps(run_backend(args.run, args.appends, threads)))
        return 0

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {args.appends} appends per figure")
    results = []
    with tempfile.TemporaryDirectory() as directory:
        results.append(_in_subprocess(f"sqlite:///{directory}/bench.sqlite3", args.appends, threads))
    if _postgresql_database(args.pg_url, create=True):
        try:
            results.append(_in_subprocess(args.pg_url, args.appends, threads))
        finally:
            _postgresql_database(args.pg_url, create=False)

    print(f"{'database':<12} {'path':<46} {'per second':>10}")
    for figures in results:
        rows = [
            ("one writer, a transaction per append", figures["one_writer_commit_each"]),
            ("one writer, all in one transaction", figures["one_writer_one_transaction"]),
            (f"one writer, bulk appends of {BULK} a transaction", figures["one_writer_bulk"]),
            *(
                (f"{count} concurrent writers, a transaction each", rate)
                for count, rate in figures["concurrent_commit_each"].items()
            ),
            (
                f"verify_audit, entries ({figures['verified_entries']} in the log)",
                figures["verify_entries_per_second"],
            ),
        ]
        for path, rate in rows:
            print(f"{figures['vendor']:<12} {path:<46} {rate:>10,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
