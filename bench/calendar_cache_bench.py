"""Benchmark: what reading the bank calendar costs a request, cached per process against rebuilt.

    .venv/bin/python bench/calendar_cache_bench.py [--database-url URL] [--calls N] [--overrides K]

Uses its own database (default ``postgres://postgres@127.0.0.1:5432/kartosfera_bench_calendar``, created
and migrated here; env ``BENCH_CALENDAR_DATABASE_URL``) holding ``--overrides`` closure days. Side by
side, alternating in rounds of 100 calls, each figure the median per call:

- **cached**: ``bank_calendar()`` as every request calls it: the version stamp read (one primary-key
  query), the process's calendar returned;
- **rows check**: the check it replaces: the override rows read through the ORM and compared;
- **rebuilt**: what a request paid when the calendar was built again: the rows read, a new
  ``BusinessCalendar`` and the year tables of this year and the next;

then the deadlines the claim review page shows (``refund_due`` and ``reply_due`` of a claim filed now)
on the cached calendar against a rebuilt one.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench_calendar"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database-url", default=os.environ.get("BENCH_CALENDAR_DATABASE_URL", DEFAULT_URL))
parser.add_argument("--calls", type=int, default=2000)
parser.add_argument("--overrides", type=int, default=12)
ARGS = parser.parse_args()
# Create the database if missing and set Django up (no cases are loaded here).
from benchdb import django_setup  # noqa: E402

django_setup(ARGS.database_url)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from deadlines import engine as deadlines  # noqa: E402
from deadlines.calendar import BusinessCalendar, Override, OverrideKind  # noqa: E402
from deadlines.models import CalendarOverride  # noqa: E402
from deadlines.selectors import bank_calendar  # noqa: E402

NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def _rows_check() -> tuple:
    return tuple(CalendarOverride.objects.order_by("day").values_list("day", "kind", "reason"))


def _rebuilt() -> BusinessCalendar:
    calendar = BusinessCalendar(Override(d, OverrideKind(k), r) for d, k, r in _rows_check())
    calendar.is_business_day(NOW.date())
    calendar.is_business_day(date(NOW.year + 1, 1, 1))
    return calendar


def _review(calendar: BusinessCalendar) -> None:
    deadlines.refund_due(reported_at=NOW, found_at=None, calendar=calendar)
    deadlines.reply_due(received_at=NOW, regime="COMPLAINTS_ACT", calendar=calendar)


def _median_us(contenders: dict, calls: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(max(1, calls // 100)):
        for name, call in contenders.items():
            for _ in range(100):
                started = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def main() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    CalendarOverride.objects.all().delete()
    first = date(2026, 1, 5)
    CalendarOverride.objects.bulk_create(
        CalendarOverride(day=first + timedelta(days=7 * week), kind="CLOSED", reason=f"closure {week}")
        for week in range(ARGS.overrides)
    )
    bank_calendar()
    _review(bank_calendar())
    load = os.getloadavg()
    print(
        f"{ARGS.overrides} overrides; PostgreSQL {connection.pg_version}; {os.cpu_count()} CPUs; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {ARGS.calls} calls each"
    )
    reads = _median_us({"cached": bank_calendar, "rows check": _rows_check, "rebuilt": _rebuilt}, ARGS.calls)
    review = _median_us(
        {"review, cached": lambda: _review(bank_calendar()), "review, rebuilt": lambda: _review(_rebuilt())},
        ARGS.calls,
    )
    print("\n| what a request pays | median per call |\n|---|---:|")
    for name, value in {**reads, **review}.items():
        print(f"| {name} | {value:,.0f} µs |")
    print(
        f"\nrows check / cached: {reads['rows check'] / reads['cached']:.1f}x; "
        f"rebuilt / cached: {reads['rebuilt'] / reads['cached']:.1f}x; "
        f"review deadlines, rebuilt / cached: {review['review, rebuilt'] / review['review, cached']:.1f}x"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
