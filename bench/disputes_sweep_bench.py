"""Benchmark: the dispute beat sweeps on 1,000,000 cases in PostgreSQL, with EXPLAIN (ANALYZE) of each query.

    .venv/bin/python bench/disputes_sweep_bench.py [--cases N] [--database-url URL] [--reload] [--runs R]

Uses its own database (default ``postgres://postgres@127.0.0.1:5432/kartosfera_bench``, created and
migrated here; env ``BENCH_DATABASE_URL``). The cases are loaded in one ``INSERT … SELECT … FROM
generate_series`` (a reload only when the count differs or ``--reload``), with the mix a bank has
after three years: 90 % closed, 5 % withdrawn, and ~50,000 open cases whose deadlines are spread
around the benchmark's "now" so that every sweep finds a full batch:

- 3,000 D+1 refunds pending, due from 2 hours ago to 4 hours ahead (escalation: batch
  ``DISPUTES_SWEEP_BATCH_SIZE``);
- 48,000 replies running, due over the next 60 days (reminders at 7/3/1 days, same batch);
- 1,000 replies overdue, each with a disputed transaction (REK-8: batch ``DISPUTES_DEEM_BATCH_SIZE``);
- a drafted chargeback for every open case, windows over the next 120 days (alerts, same batch),
  and 190,000 finished ones.

Each sweep runs exactly as the beat task runs it (the service with the settings' batch size, its own
transactions and commits) ``--runs`` times in a row; every run takes the next full batch. The flags
and history rows the sweeps wrote are reset first, so the figures repeat. Then EXPLAIN (ANALYZE,
BUFFERS) of the query each sweep runs (its selector, locked as the sweep locks it) is printed.
"""

import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import caseload_benchmark_setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench"

# Celery eager: the sweeps queue nothing here
ARGS = caseload_benchmark_setup(
    __doc__.splitlines()[0], url_variable="BENCH_DATABASE_URL", url=DEFAULT_URL, runs=5
)

from caseload import NOW, ensure_loaded  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from chargebacks.models import Chargeback  # noqa: E402
from disputes.models import Case  # noqa: E402
from disputes.selectors import (  # noqa: E402
    cases_refund_escalation_due,
    cases_reply_overdue,
    cases_reply_reminder_due,
    chargebacks_filing_alert_rows,
)
from disputes.services import (  # noqa: E402
    cases_deem_accepted_overdue,
    cases_escalate_refunds,
    cases_remind_reply_due,
    chargebacks_alert_filing_due,
)
from disputes.services._deadlines import cases_a_calendar_change_moves  # noqa: E402
from kartosfera.locking import locked_batch  # noqa: E402


def _warm_up() -> None:
    """What a beat worker has done before its first sweep: import every task module and connect.

    A worker imports the task modules at start (autodiscovery: the letters task pulls in WeasyPrint,
    seconds on a busy machine) and keeps its broker connection; without this the first timed REK-8
    run, which queues its letters, would pay both once.
    """
    from kartosfera.celery import app

    app.loader.import_default_modules()
    if not app.conf.task_always_eager:
        with app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1)


def _timed(sweep, runs: int) -> tuple[list[float], list[int]]:
    """Run a sweep ``runs`` times as the beat would, committing; seconds and rows of each run."""
    times, rows = [], []
    for _ in range(runs):
        started = time.perf_counter()
        rows.append(sweep())
        times.append(time.perf_counter() - started)
    return times, rows


def _reset() -> None:
    """Undo what earlier runs of the sweeps wrote (the load itself writes no history)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("ledgerentry", "caseletterrequest", "casetransition", "caseevent"):
            cursor.execute(f"DELETE FROM disputes_{table}")  # noqa: S608 (fixed names)
        cursor.execute(
            "UPDATE disputes_case SET refund_escalated_at = NULL WHERE refund_escalated_at IS NOT NULL"
        )
        cursor.execute(
            "UPDATE disputes_case SET reply_reminded_days = NULL WHERE reply_reminded_days IS NOT NULL"
        )
        cursor.execute(
            "UPDATE disputes_case SET state = 'PROVISIONALLY_REFUNDED', outcome = '', "
            "deemed_accepted_at = NULL WHERE deemed_accepted_at = %s",
            [NOW],
        )
        cursor.execute("UPDATE disputes_chargeback SET alerted_at = NULL WHERE alerted_at IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE disputes_case")
        cursor.execute("VACUUM ANALYZE disputes_chargeback")


def _explain(label: str, queryset) -> None:
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {label}")
    with transaction.atomic():
        print(queryset.explain(analyze=True, buffers=True))
        transaction.set_rollback(True)


def main() -> int:
    if not ensure_loaded(ARGS.cases, reload=ARGS.reload):
        _reset()
    batch, deem_batch = settings.DISPUTES_SWEEP_BATCH_SIZE, settings.DISPUTES_DEEM_BATCH_SIZE
    six_hours, fourteen_days = timedelta(hours=settings.DISPUTES_REFUND_ESCALATION_HOURS), timedelta(days=14)
    thresholds = settings.DISPUTES_REPLY_REMINDER_DAYS
    open_cases = Case.objects.exclude(state__in=["CLOSED", "WITHDRAWN"]).count()
    _warm_up()
    print(
        f"{Case.objects.count():,} cases ({open_cases:,} open), {Chargeback.objects.count():,} chargebacks; "
        f"now = {NOW.isoformat()}; PostgreSQL {connection.pg_version}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs"
    )
    sweeps = {
        "refund escalations": lambda: cases_escalate_refunds(now=NOW, within=six_hours, batch_size=batch),
        "reply reminders": lambda: cases_remind_reply_due(now=NOW, thresholds=thresholds, batch_size=batch),
        "deemed accepted (REK-8)": lambda: cases_deem_accepted_overdue(now=NOW, batch_size=deem_batch),
        "chargeback alerts": lambda: chargebacks_alert_filing_due(
            now=NOW, within=fourteen_days, batch_size=batch
        ),
    }
    print(f"\n| sweep (one beat run) | rows per run | best | median | worst of {ARGS.runs} |")
    print("|---|---|---:|---:|---:|")
    for name, sweep in sweeps.items():
        times, rows = _timed(sweep, ARGS.runs)
        print(
            f"| {name} | {', '.join(map(str, rows))} | {min(times) * 1000:.0f} ms "
            f"| {statistics.median(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |"
        )

    # The queries the sweeps run: the same selectors, locked in a batch of the same size.
    _explain(
        "refund escalations",
        locked_batch(cases_refund_escalation_due(now=NOW, within=six_hours), size=batch),
    )
    _explain("reply reminders (7 days)", locked_batch(cases_reply_reminder_due(now=NOW, days=7), size=batch))
    _explain("deemed accepted (REK-8)", locked_batch(cases_reply_overdue(now=NOW), size=deem_batch))
    _explain(
        "chargeback alerts",
        locked_batch(chargebacks_filing_alert_rows(now=NOW, within=fourteen_days), size=batch),
    )
    changed_on = (NOW - timedelta(days=2)).date()
    _explain(
        "calendar-change recompute (one batch)",
        Case.objects.filter(cases_a_calendar_change_moves(changed_on))
        .order_by("pk")
        .values_list("pk", flat=True)[:batch],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
