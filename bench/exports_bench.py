"""Benchmark: export 1,000,000 cases to CSV and to XLSX through the real task, with peak memory.

    .venv/bin/python bench/exports_bench.py [--cases N] [--database-url URL] [--reload] [--formats CSV XLSX]

Uses the database and the loader of ``bench/disputes_sweep_bench.py`` (default
``postgres://postgres@127.0.0.1:5432/kartosfera_bench``, env ``BENCH_DATABASE_URL``): the cases are
loaded only when their count differs or with ``--reload``. Each format then runs in a fresh Python
process that calls the Celery task ``reports.tasks.export_run`` in-process on a new ``ExportJob``
covering every case, and reports the rows, the wall time, the file's size and the process's peak RSS
(``VmHWM`` from /proc/self/status, and ``ru_maxrss``) next to its RSS before the export started.
The files are written into a temporary directory and removed afterwards.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench"
FROM_DATE, TO_DATE = "2020-01-01", "2026-03-31"  # every case the loader makes (received 2023-2026)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--reload", action="store_true", help="load the cases again even if the count matches"
    )
    parser.add_argument("--formats", nargs="+", default=["CSV", "XLSX"], choices=["CSV", "XLSX"])
    parser.add_argument("--child", choices=["CSV", "XLSX"], help=argparse.SUPPRESS)
    return parser.parse_args()


def _memory_kib() -> dict[str, int]:
    status = Path("/proc/self/status").read_text()
    return {
        line.split(":")[0]: int(line.split()[1])
        for line in status.splitlines()
        if line.startswith(("VmHWM", "VmRSS"))
    }


def child(args: argparse.Namespace) -> int:
    """One export in this (fresh) process; prints one JSON line with the figures."""
    import resource
    from datetime import date

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from kartosfera.clock import now
    from reports.models import ExportJob
    from reports.tasks import export_run

    user, _ = get_user_model().objects.get_or_create(username="bench-auditor", defaults={"is_staff": True})
    job = ExportJob.objects.create(
        requested_by=user,
        kind="CASES",
        file_format=args.child,
        from_date=date.fromisoformat(FROM_DATE),
        to_date=date.fromisoformat(TO_DATE),
        requested_at=now(),
    )
    before = _memory_kib()
    started = time.perf_counter()
    result = export_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    after = _memory_kib()
    print(
        json.dumps(
            {
                "format": args.child,
                "state": result["state"],
                "error": job.error,
                "rows": job.rows_done,
                "seconds": seconds,
                "size": job.size,
                "rss_before_kib": before["VmRSS"],
                "hwm_before_kib": before["VmHWM"],
                "hwm_kib": after["VmHWM"],
                "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )
    return 0 if result["state"] == "DONE" else 1


def parent(args: argparse.Namespace) -> int:
    # The sweep benchmark's module parses its own arguments and sets Django up when imported.
    sys.argv = [sys.argv[0], "--cases", str(args.cases), "--database-url", args.database_url]
    sys.path.insert(0, str(ROOT / "bench"))
    import disputes_sweep_bench as loader
    from django.core.management import call_command
    from django.db import connection

    from disputes.models import Case

    call_command("migrate", verbosity=0, interactive=False)
    if args.reload or Case.objects.count() != args.cases:
        loader._load(args.cases)
    cases = Case.objects.count()
    load = os.getloadavg()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    print(
        f"{cases:,} cases; PostgreSQL {connection.pg_version}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs ({cpu}); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    connection.close()
    print("\n| format | rows | wall time | rows/s | file size | peak RSS (VmHWM) | RSS before the export |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="kartosfera-exports-bench-") as directory:
        for file_format in args.formats:
            env = {**os.environ, "KARTOSFERA_EXPORT_DIR": directory}
            command = [sys.executable, __file__, "--child", file_format, "--database-url", args.database_url]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            if done.returncode != 0 or not lines:
                print(f"| {file_format} | failed: {done.stderr[-2000:] or done.stdout[-2000:]} |")
                failed += 1
                continue
            figures = json.loads(lines[-1])
            print(
                f"| {file_format} | {figures['rows']:,} | {figures['seconds']:.1f} s "
                f"| {figures['rows'] / figures['seconds']:,.0f} | {figures['size'] / 1e6:.1f} MB "
                f"| {figures['hwm_kib'] / 1024:.0f} MB | {figures['rss_before_kib'] / 1024:.0f} MB |",
                flush=True,
            )
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    ARGS = _parse()
    sys.exit(child(ARGS) if ARGS.child else parent(ARGS))
