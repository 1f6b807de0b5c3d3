"""Benchmark: the deadlines of N claims (D+1 refund, 30-day reply, 13-month window), project vs naive.

    .venv/bin/python bench/deadlines_bench.py [--claims N] [--naive-sample M] [--seed S]

The project's path is the public API (``deadlines.engine``) with the bank's calendar read once through
``deadlines.selectors.bank_calendar()``, exactly as a batch recomputation would call it. The naive
path steps day by day asking ``holidays`` about each day: as specified (``d in holidays.Poland()``,
a fresh object per question, measured on a sample because it is slow) and with one shared
``holidays.Poland()`` (its years cached), a stronger baseline that runs on every claim. Both must
give the same due dates. Django runs on a private in-memory SQLite database (migrated here, so no
override): the naive code knows nothing of bank overrides, and the comparison must be like for like.
"""

import argparse
import gc
import os
import platform
import random
import sys
import time
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"
os.environ["DATABASE_URL"] = "sqlite://:memory:"

from benchdb import scratch_audit_anchors  # noqa: E402

scratch_audit_anchors()

import django  # noqa: E402

django.setup()

import holidays  # noqa: E402
from django.core.management import call_command  # noqa: E402

from deadlines import engine  # noqa: E402
from deadlines.selectors import bank_calendar  # noqa: E402
from kartosfera.legaltime import WARSAW  # noqa: E402

FIRST_INSTANT = datetime(2025, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(2028, 1, 1, tzinfo=UTC)


def make_claims(count: int, seed: int) -> list[tuple[datetime, date]]:
    """Random report instants over 2025-2027, each with a debit 0-90 days before the report date."""
    rng = random.Random(seed)
    span = int((LAST_INSTANT - FIRST_INSTANT).total_seconds())
    claims = []
    for _ in range(count):
        reported_at = FIRST_INSTANT + timedelta(seconds=rng.randrange(span))
        debited_on = reported_at.astimezone(WARSAW).date() - timedelta(days=rng.randrange(91))
        claims.append((reported_at, debited_on))
    return claims


def project(claims: list[tuple[datetime, date]]) -> list[tuple[date, date, date]]:
    """The project's path: the public API with the bank's calendar."""
    calendar = bank_calendar()
    refund_due, reply_due, claim_window_end = engine.refund_due, engine.reply_due, engine.claim_window_end
    return [
        (
            refund_due(reported_at=reported_at, calendar=calendar).due_date,
            reply_due(received_at=reported_at, calendar=calendar).due_date,
            claim_window_end(debited_on=debited_on, calendar=calendar).due_date,
        )
        for reported_at, debited_on in claims
    ]


def project_payment_service(claims: list[tuple[datetime, date]]) -> list[date]:
    """The project's path for the 35-business-day reply (UUP-PS-35), where counting days costs most."""
    calendar = bank_calendar()
    reply_due = engine.reply_due
    return [
        reply_due(
            received_at=reported_at, regime="PAYMENT_SERVICES", extended=True, calendar=calendar
        ).due_date
        for reported_at, _debited_on in claims
    ]


class Naive:
    """A faithful naive implementation: step day by day, asking ``holidays`` about each day."""

    def __init__(self, *, shared: bool) -> None:
        self.shared = holidays.Poland() if shared else None

    def is_day_off(self, day: date) -> bool:
        polish_holidays = self.shared if self.shared is not None else holidays.Poland()
        return day.weekday() >= 5 or day in polish_holidays

    def refund(self, reported_at: datetime) -> date:
        day = reported_at.astimezone(WARSAW).date() + timedelta(days=1)
        while self.is_day_off(day):
            day += timedelta(days=1)
        return day

    def reply(self, received_at: datetime) -> date:
        day = received_at.astimezone(WARSAW).date() + timedelta(days=30)
        while self.is_day_off(day):
            day += timedelta(days=1)
        return day

    def window(self, debited_on: date) -> date:
        year, month = divmod(debited_on.year * 12 + debited_on.month - 1 + 13, 12)
        month += 1
        day = date(year, month, min(debited_on.day, monthrange(year, month)[1]))
        while self.is_day_off(day):
            day += timedelta(days=1)
        return day

    def payment_service_reply(self, received_at: datetime) -> date:
        day, remaining = received_at.astimezone(WARSAW).date(), 35
        while remaining:
            day += timedelta(days=1)
            if not self.is_day_off(day):
                remaining -= 1
        return day

    def run_payment_service(self, claims: list[tuple[datetime, date]]) -> list[date]:
        return [self.payment_service_reply(reported_at) for reported_at, _debited_on in claims]

    def run(self, claims: list[tuple[datetime, date]]) -> list[tuple[date, date, date]]:
        return [
            (self.refund(reported_at), self.reply(reported_at), self.window(debited_on))
            for reported_at, debited_on in claims
        ]


CHUNK = 50_000


def race(contenders, claims, *, chunk=CHUNK):
    """Time the contenders chunk by chunk, alternating their order, so that the load of a shared
    machine falls on all of them alike. A contender with a limit runs only that many claims in all,
    spread over the chunks. Returns, per name: the claim indices run, their due dates, the seconds.
    """
    starts = range(0, len(claims), chunk)
    results = {name: ([], [], 0.0) for name, _function, _limit in contenders}
    for number, start in enumerate(starts):
        order = contenders if number % 2 == 0 else contenders[::-1]
        for name, function, limit in order:
            size = chunk if limit is None else -(-limit // len(starts))
            part = claims[start : min(start + size, start + chunk, len(claims))]
            began = time.perf_counter()
            dates = function(part)
            seconds = time.perf_counter() - began
            indices, all_dates, total = results[name]
            indices.extend(range(start, start + len(part)))
            all_dates.extend(dates)
            results[name] = (indices, all_dates, total + seconds)
    return results


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument(
        "--naive-sample", type=int, default=10_000, help="claims for the as-specified naive loop"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--supplement", type=int, default=200_000, help="claims for the 35-business-day supplement (0: skip)"
    )
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    claims = make_claims(options.claims, options.seed)
    # The million claims are long-lived: keep the cyclic collector from rescanning them while timing.
    gc.collect()
    gc.freeze()

    results = race(
        [
            ("project", project, None),
            ("shared", Naive(shared=True).run, None),
            ("literal", Naive(shared=False).run, options.naive_sample),
        ],
        claims,
    )
    project_dates = results["project"][1]
    for name in ("shared", "literal"):
        indices, dates, _seconds = results[name]
        if [project_dates[index] for index in indices] != dates:
            print(f"MISMATCH between the project and the naive ({name}) due dates")
            return 1

    print(f"machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, Python {platform.python_version()}")
    print(f"claims: {len(claims):,} (report instants over 2025-2027, seed {options.seed}); 3 deadlines each")
    print(
        f"due dates identical: project = naive (shared) on all {len(claims):,} claims, "
        f"= naive (as specified) on {len(results['literal'][0]):,} of them"
    )
    labels = {
        "project": "project path (deadlines.engine, bank calendar)",
        "shared": "naive, one shared holidays.Poland()",
        "literal": "naive as specified, holidays.Poland() per day",
    }
    rates = {}
    for name, label in labels.items():
        indices, _dates, seconds = results[name]
        rates[name] = len(indices) / seconds
        print(f"{label:<48} {rates[name]:>12,.0f} claims/s  ({len(indices):,} claims in {seconds:.2f} s)")
    print(f"ratio project / naive as specified: {rates['project'] / rates['literal']:,.0f}x")
    print(f"ratio project / naive shared:       {rates['project'] / rates['shared']:,.1f}x")
    if options.supplement:
        return supplement(claims[: options.supplement])
    return 0


def supplement(claims: list[tuple[datetime, date]]) -> int:
    """The 35-business-day reply: a long business-day count, where the precomputed calendar pays off."""
    results = race(
        [
            ("project", project_payment_service, None),
            ("shared", Naive(shared=True).run_payment_service, None),
        ],
        claims,
    )
    if results["project"][1] != results["shared"][1]:
        print("MISMATCH in the 35-business-day supplement")
        return 1
    project_rate = len(claims) / results["project"][2]
    naive_rate = len(claims) / results["shared"][2]
    print(f"supplement, UUP-PS-35 (35 business days) only, {len(claims):,} claims, identical due dates:")
    print(
        f"  project path {project_rate:,.0f} claims/s; naive shared {naive_rate:,.0f} claims/s; "
        f"ratio {project_rate / naive_rate:,.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
