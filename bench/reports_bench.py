"""Benchmark: the auditors' report figures (reports.selectors.report_figures) on 1,000,000 cases.

    .venv/bin/python bench/reports_bench.py [--cases N] [--database-url URL] [--runs R]

Uses the dispute sweep benchmark's database and loader (default
``postgres://postgres@127.0.0.1:5432/kartosfera_bench``; env ``BENCH_DATABASE_URL``): claims received
from January 2024 to March 2026, 90 % closed. Times the three aggregate queries of the report page for
a month and for a year (median, max and CPU time of this process over ``--runs``), and prints the
EXPLAIN (ANALYZE) of the cases' aggregate for the month.
"""

import os
import sys
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from benchdb import caseload_benchmark_setup, time_call  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench"

ARGS = caseload_benchmark_setup(
    __doc__.splitlines()[0], url_variable="BENCH_DATABASE_URL", url=DEFAULT_URL, runs=5
)
import caseload  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from disputes.models import Case  # noqa: E402
from reports.rules import Period  # noqa: E402
from reports.selectors import report_figures  # noqa: E402

PERIODS = [
    ("February 2026 (a month)", Period(date(2026, 2, 1), date(2026, 2, 28))),
    ("2025 (a year)", Period(date(2025, 1, 1), date(2025, 12, 31))),
]


def main() -> int:
    caseload.ensure_loaded(ARGS.cases, reload=ARGS.reload)
    print(
        f"{Case.objects.count():,} cases; PostgreSQL {connection.pg_version}; runs {ARGS.runs}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print("| period | median ms | max ms | CPU ms (this process) | queries |")
    print("|---|---:|---:|---:|---:|")
    for label, period in PERIODS:
        timing = time_call(lambda period=period: report_figures(period=period, now=caseload.NOW), ARGS.runs)
        print(
            f"| {label} | {timing.median_ms:,.0f} | {timing.max_ms:,.0f} | "
            f"{timing.cpu_ms:,.0f} | {timing.queries} |"
        )
    with CaptureQueriesContext(connection) as captured:
        report_figures(period=PERIODS[0][1], now=caseload.NOW)
    cases_sql = next(query["sql"] for query in captured.captured_queries if "disputes_case" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + cases_sql)
        plan = [row[0] for row in cursor.fetchall()]
    print("\nEXPLAIN (ANALYZE, BUFFERS), the cases' aggregate for the month (plan lines only):")
    for line in plan:
        if "->" in line or "Execution" in line or "Planning Time" in line:
            print("    " + line.strip()[:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())
