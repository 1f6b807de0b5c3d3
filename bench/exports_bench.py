"""Benchmark: the cases export as CSV (COPY against row by row, side by side) and XLSX, with peak memory.

    .venv/bin/python bench/exports_bench.py [--cases N] [--database-url URL] [--reload] [--rounds R]
        [--paths csv-copy csv-rows xlsx]

Uses the database of ``bench/disputes_sweep_bench.py`` and the caseload of ``bench/caseload.py`` (default
``postgres://postgres@127.0.0.1:5432/kartosfera_bench``, env ``BENCH_DATABASE_URL``): the cases are
loaded only when their count differs or with ``--reload``. Each path then runs in a fresh Python
process that calls the Celery task ``reports.tasks.export_run`` in-process on a new ``ExportJob``
covering every case, and reports the rows, the wall time, the CPU time of the process, the file's
size, its SHA-256 and the process's peak RSS (``VmHWM`` from /proc/self/status) next to its RSS before
the export started. The paths:

- ``csv-copy``: the CSV as PostgreSQL formats it, streamed with ``COPY`` (what the task does);
- ``csv-rows``: the same CSV row by row in Python (``REPORTS_EXPORT_CSV_COPY=0``: SQLite's path, and
  the PostgreSQL path before COPY);
- ``xlsx``: the workbook (always row by row).

The paths alternate round by round (this machine is shared), and the two CSV paths must give the same
SHA-256. The ratio of the CSV paths' median rows/s is printed. The files are written into a temporary
directory and removed afterwards.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchdb import add_caseload_arguments  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench"
FROM_DATE, TO_DATE = "2020-01-01", "2026-03-31"  # every case the loader makes (received 2023-2026)
PATHS = {"csv-copy": ("CSV", "1"), "csv-rows": ("CSV", "0"), "xlsx": ("XLSX", "1")}


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_caseload_arguments(parser, cases=100_000, url_variable="BENCH_DATABASE_URL", url=DEFAULT_URL)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--paths", nargs="+", default=list(PATHS), choices=list(PATHS))
    parser.add_argument("--child", choices=list(PATHS), help=argparse.SUPPRESS)
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
    from datetime import date

    file_format, copy = PATHS[args.child]
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["REPORTS_EXPORT_CSV_COPY"] = copy
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
        file_format=file_format,
        from_date=date.fromisoformat(FROM_DATE),
        to_date=date.fromisoformat(TO_DATE),
        requested_at=now(),
    )
    before = _memory_kib()
    started, cpu = time.perf_counter(), time.process_time()
    result = export_run(job_id=job.pk)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    job.refresh_from_db()
    after = _memory_kib()
    print(
        json.dumps(
            {
                "path": args.child,
                "state": result["state"],
                "error": job.error,
                "rows": job.rows_done,
                "seconds": seconds,
                "cpu": cpu,
                "size": job.size,
                "sha256": job.sha256,
                "rss_before_kib": before["VmRSS"],
                "hwm_kib": after["VmHWM"],
            }
        )
    )
    return 0 if result["state"] == "DONE" else 1


def _run(path: str, args: argparse.Namespace, directory: str) -> dict | str:
    env = {**os.environ, "KARTOSFERA_EXPORT_DIR": directory}
    command = [sys.executable, __file__, "--child", path, "--database-url", args.database_url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return done.stderr[-2000:] or done.stdout[-2000:]
    return json.loads(lines[-1])


def parent(args: argparse.Namespace) -> int:
    # The sweep benchmark's module parses its own arguments and sets Django up when imported.
    from benchdb import django_setup

    django_setup(args.database_url)
    import caseload
    from django.db import connection

    from disputes.models import Case

    caseload.ensure_loaded(args.cases, reload=args.reload)
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
    print(
        "\n| round | path | rows | wall time | rows/s | CPU of the process | file size | SHA-256 | peak RSS |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---|---:|")
    runs: dict[str, list[dict]] = {path: [] for path in args.paths}
    failed = 0
    with tempfile.TemporaryDirectory(prefix="kartosfera-exports-bench-") as directory:
        for number in range(1, args.rounds + 1):
            for path in args.paths:
                figures = _run(path, args, directory)
                if isinstance(figures, str):
                    print(f"| {number} | {path} | failed: {figures} |")
                    failed += 1
                    continue
                runs[path].append(figures)
                print(
                    f"| {number} | {path} | {figures['rows']:,} | {figures['seconds']:.2f} s "
                    f"| {figures['rows'] / figures['seconds']:,.0f} | {figures['cpu']:.2f} s "
                    f"| {figures['size'] / 1e6:.1f} MB | {figures['sha256'][:12]}… "
                    f"| {figures['hwm_kib'] / 1024:.0f} MB |",
                    flush=True,
                )
    medians = {
        path: statistics.median(r["rows"] / r["seconds"] for r in results)
        for path, results in runs.items()
        if results
    }
    print()
    for path, rate in medians.items():
        print(f"median {path}: {rate:,.0f} rows/s")
    if "csv-copy" in medians and "csv-rows" in medians:
        digests = {r["sha256"] for path in ("csv-copy", "csv-rows") for r in runs[path]}
        print(
            f"CSV, COPY against row by row: {medians['csv-copy'] / medians['csv-rows']:.1f}x the rows/s "
            f"(target 5x); SHA-256 {'identical' if len(digests) == 1 else 'DIFFERENT: ' + ', '.join(digests)}"
        )
        failed += len(digests) != 1
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    ARGS = _parse()
    sys.exit(child(ARGS) if ARGS.child else parent(ARGS))
