"""Benchmark: individually audited acts per second with 1 and N writer processes on PostgreSQL, beside
the raw-SQL floors, the sealer's own rate and the verification's.

    .venv/bin/python bench/audit_bench.py [--acts 4000] [--processes 1,8] [--rounds 1] [--pg-url URL]

A scratch PostgreSQL database (dropped and recreated here) is migrated once. Each figure is measured
with fresh writer *processes* (not threads: no shared interpreter lock), released together, each
audited figure right after the floor with as many processes (a busy machine's load changes by the
minute; ``--rounds`` repeats both):

- ``plain INSERT``: the floor, each process inserting rows of a JSON payload into a table of its own
  kind with psycopg, a transaction (and commit) per row, no shared row, no Django;
- ``audited act``: ``audit.services.audit_record`` with a realistic entry (a staff actor whose role is
  looked up in their groups, an object, changed fields, data), a transaction and commit per act, as a
  service's. Writers insert the entries unchained (``KARTOSFERA_AUDIT_SEALING=PERIODIC``) while one
  sealer process (``manage.py seal_audit --follow``'s loop, its default interval) chains them
  meanwhile, as in production; the figure is the writers' rate, and the sealer's lag when the writers
  finish is printed with it.

With each figure, the CPU an act: the writers' processes (``time.process_time``), their PostgreSQL
backends (``utime + stime`` from ``/proc/<pid>/stat``) and, for an audited act, the sealer process and
its backend over the whole figure (idle polls included) divided by the acts. Two cores divided by that
total is what the act could reach on this machine alone, whatever the other sessions' load; it leaves
out PostgreSQL's own background processes (WAL writer, autovacuum, checkpointer).

Then the sealer's own rate (entries chained a second, everything pending at once) and
``verify_audit``'s. The chain must verify at the end, or the benchmark fails.
"""

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

from benchdb import scratch_audit_anchors

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_audit_bench"
# The sealer's pause between runs: `manage.py seal_audit --follow`'s default --interval.
SEAL_INTERVAL = 0.2


def _django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["KARTOSFERA_AUDIT_SEALING"] = "PERIODIC"
    # As production runs: DEBUG off (Django then neither records nor logs each query).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "audit-bench-scratch-key-not-a-deployment-secret")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


def _backend_cpu(execute) -> float:
    """CPU seconds (user + system) spent so far by the PostgreSQL backend serving this connection."""
    pid = execute("SELECT pg_backend_pid()")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _plain_writer(database_url: str, count: int, start, done) -> None:
    import psycopg

    payload = json.dumps({"daily_cash_limit": "500.00", "reason": "customer request by phone", "n": 0})
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=False) as db:

        def execute(query):
            value = db.execute(query).fetchone()[0]
            db.commit()
            return value

        start.wait()
        began, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu(execute)
        for _ in range(count):
            db.execute("INSERT INTO bench_plain (recorded_at, payload) VALUES (now(), %s)", [payload])
            db.commit()
        elapsed = time.perf_counter() - began
        done.put((elapsed, time.process_time() - cpu, _backend_cpu(execute) - backend))


def _audit_writer(database_url: str, count: int, start, done) -> None:
    _django(database_url)
    from decimal import Decimal

    from django.db import transaction

    from audit.services import audit_record
    from customers.models import User
    from kartosfera import clock

    actor = User.objects.get(username="ewa.analyst")
    audit_record(action="bench.warm_up", actor=actor, obj=actor, now=clock.now())
    start.wait()
    began, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu(_django_value)
    for number in range(count):
        with transaction.atomic():
            audit_record(
                action="card.limits_changed",
                actor=actor,
                obj=actor,
                before={"daily_cash_limit": Decimal("2000.00"), "daily_pos_limit": Decimal("5000.00")},
                after={"daily_cash_limit": Decimal("500.00"), "daily_pos_limit": Decimal("5000.00")},
                data={"number": number, "reason": "customer request by phone", "card": "4111111111111111"},
                channel="PHONE",
                now=clock.now(),
            )
    elapsed = time.perf_counter() - began
    done.put((elapsed, time.process_time() - cpu, _backend_cpu(_django_value) - backend))


def _django_value(query: str):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _sealer(database_url: str, stop, result) -> None:
    _django(database_url)
    from audit.services import audit_seal
    from kartosfera import clock

    sealed = audit_seal(now=clock.now()).sealed  # warm: its first call imports and connects
    cpu, backend = time.process_time(), _backend_cpu(_django_value)
    while not stop.is_set():
        sealed += audit_seal(now=clock.now()).sealed
        time.sleep(SEAL_INTERVAL)
    sealed += audit_seal(now=clock.now()).sealed
    result.put((sealed, time.process_time() - cpu, _backend_cpu(_django_value) - backend))


def _measure(target, database_url: str, processes: int, acts: int) -> tuple[float, float, float]:
    """Acts a second of ``processes`` writer processes doing ``acts`` in all, released together, and
    the CPU milliseconds an act of the writers' processes and of their PostgreSQL backends."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    done = context.Queue()
    per_process = acts // processes
    workers = [
        context.Process(target=target, args=(database_url, per_process, start, done))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    cpu = [done.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - began
    for worker in workers:
        worker.join()
        if worker.exitcode:
            raise RuntimeError(f"a writer process failed (exit {worker.exitcode})")
    total = per_process * processes
    return (
        total / elapsed,
        1000 * sum(writer for _, writer, _ in cpu) / total,
        1000 * sum(backend for _, _, backend in cpu) / total,
    )


def _prepare(database_url: str) -> None:
    _django(database_url)
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from customers.models import User

    call_command("migrate", verbosity=0)
    actor = User.objects.create_user(username="ewa.analyst", is_staff=True)
    actor.groups.add(Group.objects.get_or_create(name="analysts")[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain "
            "(id bigserial PRIMARY KEY, recorded_at timestamptz NOT NULL, payload jsonb)"
        )


def _seal_and_verify(database_url: str, result) -> None:
    _django(database_url)
    from audit.models import AuditEntry
    from audit.selectors import audit_chain_verify, audit_sealing_lag
    from audit.services import audit_seal
    from kartosfera import clock

    figures = {"pending_before": audit_sealing_lag(now=clock.now()).waiting}
    began = time.perf_counter()
    sealed = audit_seal(now=clock.now()).sealed
    figures["seal_per_second"] = sealed / (time.perf_counter() - began) if sealed else None
    began = time.perf_counter()
    report = audit_chain_verify()
    figures["verify_per_second"] = report.entries_checked / (time.perf_counter() - began)
    figures["entries"] = report.entries_checked
    figures["ok"] = report.ok and report.unsealed_entries == 0
    figures["first_problems"] = report.to_dict()["problems"][:3]
    figures["total"] = AuditEntry.objects.count()
    result.put(figures)


def _lag(database_url: str, result) -> None:
    _django(database_url)
    from audit.selectors import audit_sealing_lag
    from kartosfera import clock

    lag = audit_sealing_lag(now=clock.now())
    result.put((lag.waiting, lag.oldest_age_seconds))


def _in_process(target, *args):
    context = multiprocessing.get_context("spawn")
    result = context.Queue()
    process = context.Process(target=target, args=(*args, result))
    process.start()
    value = result.get(timeout=900)
    process.join()
    return value


def _database(pg_url: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    base, _, name = pg_url.rpartition("/")
    with psycopg.connect(
        f"{base}/postgres".replace("postgres://", "postgresql://", 1), autocommit=True
    ) as db:
        db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--acts", type=int, default=4000, help="acts (or rows) per figure, over all processes"
    )
    parser.add_argument("--processes", default="1,8", help="writer processes to try")
    parser.add_argument("--rounds", type=int, default=1, help="times to measure every figure")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="scratch database (dropped and recreated)")
    args = parser.parse_args()
    counts = [int(count) for count in args.processes.split(",") if count]

    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{value:.1f}' for value in os.getloadavg())}, {args.acts} acts per figure"
    )
    scratch_audit_anchors()
    _database(args.pg_url, create=True)
    try:
        context = multiprocessing.get_context("spawn")
        prepare = context.Process(target=_prepare, args=(args.pg_url,))
        prepare.start()
        prepare.join()
        rows, cpu_rows = [], []
        floors, audited = {}, {}
        # Each audited figure right after its floor, so that both meet the same load of the machine.
        for round_number in range(1, args.rounds + 1):
            suffix = f", round {round_number}" if args.rounds > 1 else ""
            for processes in counts:
                rate, writer, backend = _measure(_plain_writer, args.pg_url, processes, args.acts)
                floors.setdefault(processes, []).append(rate)
                rows.append((f"plain INSERT, {processes} process(es){suffix}", rate, ""))
                cpu_rows.append((f"plain INSERT, {processes} process(es){suffix}", writer, backend, 0.0))
                stop, sealed = context.Event(), context.Queue()
                sealer = context.Process(target=_sealer, args=(args.pg_url, stop, sealed))
                sealer.start()
                rate, writer, backend = _measure(_audit_writer, args.pg_url, processes, args.acts)
                audited.setdefault(processes, []).append(rate)
                unsealed, oldest = _in_process(_lag, args.pg_url)
                stop.set()
                _count, sealer_python, sealer_backend = sealed.get(timeout=600)
                sealer.join()
                lag = f"sealer behind by {unsealed} entries ({oldest or 0:.1f} s) at the end"
                rows.append((f"audited act, {processes} process(es){suffix}", rate, lag))
                # The sealer's whole CPU while the writers ran (its idle polls too), shared over the acts.
                sealing = 1000 * (sealer_python + sealer_backend) / (args.acts // processes * processes)
                cpu_rows.append((f"audited act, {processes} process(es){suffix}", writer, backend, sealing))
        # The sealer alone: everything the writers left, plus a fresh backlog.
        _measure(_audit_writer, args.pg_url, 2, args.acts)
        figures = _in_process(_seal_and_verify, args.pg_url)
    finally:
        _database(args.pg_url, create=False)

    if not figures["ok"]:
        raise SystemExit(f"the benchmark's own chain does not verify: {figures['first_problems']}")
    rows.append((f"sealer, {figures['pending_before']} entries pending", figures["seal_per_second"], ""))
    rows.append((f"verify_audit ({figures['entries']} entries)", figures["verify_per_second"], ""))
    print(f"{'path':<48} {'per second':>10}")
    for path, rate, note in rows:
        print(f"{path:<48} {rate:>10,.0f}  {note}".rstrip())
    heading = f"{'writer':>7} {'backend':>8} {'sealer':>7} {'total':>7}  2 CPUs / total"
    print(f"\nCPU an act, ms: {'path':<38} {heading}")
    for path, writer, backend, sealing in cpu_rows:
        total = writer + backend + sealing
        print(
            f"{'':<16}{path:<38} {writer:>7.3f} {backend:>8.3f} {sealing:>7.3f} {total:>7.3f}  "
            f"{2000 / total:>7,.0f}/s"
        )
    for processes in counts:
        ratios = ", ".join(
            f"{audit / floor:.2f}" for audit, floor in zip(audited[processes], floors[processes], strict=True)
        )
        print(f"audited/floor with {processes} process(es): {ratios}")
    if len(counts) > 1:
        fewest, most = min(counts), max(counts)
        pairs = list(zip(audited[most], audited[fewest], strict=True))
        verdict = "yes" if all(many >= one for many, one in pairs) else "NO"
        figures = ", ".join(f"{many:,.0f}/s against {one:,.0f}/s" for many, one in pairs)
        print(f"more writers never slower than one: {verdict} ({most} processes against {fewest}: {figures})")
    print(f"load average at the end {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
