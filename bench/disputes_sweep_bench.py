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
BUFFERS) of each sweep's query is printed.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench"
os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--reload", action="store_true", help="load the cases again even if the count matches"
    )
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


ARGS = _parse()
os.environ["DATABASE_URL"] = ARGS.database_url
os.environ.setdefault("CELERY_BROKER_URL", "")  # eager: the sweeps queue nothing here


sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import ensure_database  # noqa: E402

if not ensure_database(ARGS.database_url):
    sys.exit(0)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cards.models import Card, CardProduct, Transaction  # noqa: E402
from chargebacks.models import Chargeback  # noqa: E402
from chargebacks.selectors import chargebacks_filing_alert_due  # noqa: E402
from customers.models import Customer  # noqa: E402
from disputes.models import Case, CaseTransaction  # noqa: E402
from disputes.selectors import (  # noqa: E402
    cases_refund_escalation_due,
    cases_reply_overdue,
    cases_reply_reminder_due,
)
from disputes.services import (  # noqa: E402
    cases_deem_accepted_overdue,
    cases_escalate_refunds,
    cases_remind_reply_due,
    chargebacks_alert_filing_due,
)
from disputes.services._deadlines import _affected  # noqa: E402

# The benchmark's "now": a Tuesday noon, Warsaw.
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def _owner() -> tuple[Customer, Card]:
    customer, _ = Customer.objects.get_or_create(
        pesel="85031412343",
        defaults={
            "first_name": "Bench",
            "last_name": "Mark",
            "birth_date": datetime(1985, 3, 14).date(),
            "mobile_phone": "+48601234567",
            "email": "bench@example.com",
            "created_at": NOW,
        },
    )
    product, _ = CardProduct.objects.get_or_create(
        code="bench-debit",
        defaults={
            "name": "Bench Debit",
            "brand": "MASTERCARD",
            "kind": "DEBIT",
            "max_daily_cash_limit": 10000,
            "max_daily_pos_limit": 20000,
            "max_daily_internet_limit": 20000,
        },
    )
    card, _ = Card.objects.get_or_create(
        processor_token="tok_bench_card",  # noqa: S106 (an opaque card reference, not a secret)
        defaults={
            "customer": customer,
            "product": product,
            "brand": "MASTERCARD",
            "last4": "4242",
            "expires_on": datetime(2029, 12, 31).date(),
            "status": "ACTIVE",
            "daily_cash_limit": 2000,
            "daily_pos_limit": 5000,
            "daily_internet_limit": 5000,
            "created_at": NOW - timedelta(days=2000),
        },
    )
    return customer, card


# r = g % 100000 decides what a case is (10 cases per r for a million).
STATE = """CASE
  WHEN r < 90000 THEN 'CLOSED'
  WHEN r < 94700 THEN 'WITHDRAWN'
  WHEN r < 95000 THEN (ARRAY['SUBMITTED','UNDER_REVIEW'])[1 + mod(g, 2)]
  WHEN r < 99800 THEN (ARRAY['PROVISIONALLY_REFUNDED','PROVISIONALLY_REFUNDED','PROVISIONALLY_REFUNDED',
                             'AWAITING_CUSTOMER','DECIDED','REFUND_WITHHELD'])[1 + mod(g, 6)]
  WHEN r < 99900 THEN 'PROVISIONALLY_REFUNDED'
  ELSE 'DEEMED_ACCEPTED' END"""
# When the claim was received: finished cases over three years, open ones recently.
RECEIVED = """CASE
  WHEN r < 94700 THEN %(now)s - (interval '1 minute' * mod(g, 1576800)) - interval '90 days'
  WHEN r < 95000 THEN %(now)s - interval '1 day' + (interval '72 seconds' * (r - 94700))
  WHEN r < 99800 THEN %(now)s - interval '30 days' + (interval '1 minute' * ((r - 95000) * 9))
  WHEN r < 99900 THEN %(now)s - interval '40 days'
  ELSE %(now)s - interval '45 days' END"""
# Pending D+1 refunds due from 2 hours ago to 4 hours ahead; replies due over the next 60 days;
# 1,000 replies overdue.
REFUND_DUE = """CASE
  WHEN r >= 94700 AND r < 95000 THEN %(now)s - interval '2 hours' + (interval '72 seconds' * (r - 94700))
  ELSE received + interval '2 days' END"""
REPLY_DUE = """CASE
  WHEN r >= 95000 AND r < 99800 THEN %(now)s + interval '1 hour' + (interval '18 minutes' * (r - 95000))
  WHEN r >= 99800 AND r < 99900 THEN %(now)s - interval '1 hour' - (interval '1 minute' * mod(g, 600))
  ELSE received + interval '30 days' END"""

CASE_VALUES = {
    "number": "'RK/' || (2024 + g / 500001) || '/' || lpad((g - (g / 500001) * 500000)::text, 6, '0')",
    "customer_id": "%(customer)s",
    "card_id": "%(card)s",
    "channel": "(ARRAY['PORTAL','PHONE','BRANCH','LINE_828','STAFF'])[1 + mod(g, 5)]",
    "cause": "(ARRAY['LOST','STOLEN','MISAPPROPRIATED','OTHER'])[1 + mod(g, 4)]",
    "category": "'UNAUTHORISED_TRANSACTION'",
    "state": "state",
    "outcome": "CASE WHEN state IN ('CLOSED','DECIDED','DEEMED_ACCEPTED') THEN 'ACCEPTED' ELSE '' END",
    "police_notified": "mod(g, 3) = 0",
    "created_at": "received",
    "received_at": "received",
    "reported_at": "received - interval '1 hour'",
    "submitted_at": "received",
    "reply_regime": "'COMPLAINTS_ACT'",
    "refund_owed": "true",
    "refund_due_at": "refund_due",
    "refund_due_on": "(refund_due AT TIME ZONE 'Europe/Warsaw')::date - 1",
    "refund_rule": "'UUP-46-1'",
    "reply_due_at": "reply_due",
    "reply_due_on": "(reply_due AT TIME ZONE 'Europe/Warsaw')::date - 1",
    "reply_rule": "'REK-6'",
    "window_end_on": "(received AT TIME ZONE 'Europe/Warsaw')::date + 360",
    "out_of_window": "false",
    "deadline_explanations": "'{}'::jsonb",
    "disputed_amount": "10 + (mod(g, 5000))",
    "estimate_status": "'ESTIMATED'",
    "refunded_at": "CASE WHEN state IN ('SUBMITTED','UNDER_REVIEW','REFUND_WITHHELD') THEN NULL "
    "ELSE received + interval '3 hours' END",
    "refund_withheld_at": "CASE WHEN state = 'REFUND_WITHHELD' THEN received + interval '3 hours' END",
    "refund_withheld_grounds": "CASE WHEN state = 'REFUND_WITHHELD' THEN 'bench' ELSE '' END",
    "resume_state": "CASE WHEN state = 'AWAITING_CUSTOMER' THEN 'PROVISIONALLY_REFUNDED' ELSE '' END",
    "decided_at": "CASE WHEN state IN ('CLOSED','DECIDED') THEN received + interval '20 days' END",
    "reply_dispatched_at": "CASE WHEN state = 'CLOSED' THEN received + interval '21 days' END",
    "customer_share": "CASE WHEN state IN ('CLOSED','DECIDED') THEN 0 END",
    "bank_share": "CASE WHEN state IN ('CLOSED','DECIDED') THEN 10 + (mod(g, 5000)) END",
    "deemed_accepted_at": "CASE WHEN state = 'DEEMED_ACCEPTED' THEN reply_due END",
    "withdrawn_at": "CASE WHEN state = 'WITHDRAWN' THEN received + interval '5 days' END",
    "closed_at": "CASE WHEN state = 'CLOSED' THEN received + interval '22 days' END",
    "updated_at": "received",
}


def _case_insert_sql() -> str:
    columns, values = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        if column in CASE_VALUES:
            expression = CASE_VALUES[column]
        elif field.null:
            expression = "NULL"
        elif field.get_internal_type() == "BooleanField":
            expression = "false"
        else:
            expression = "''"
        columns.append(column)
        values.append(expression)
    # Columns and expressions are this module's constants, nothing from outside.
    return f"""
        INSERT INTO disputes_case ({", ".join(columns)})
        SELECT {", ".join(values)}
        FROM (
          SELECT g, r, state, received, {REFUND_DUE} AS refund_due, {REPLY_DUE} AS reply_due
          FROM (SELECT g, r, {STATE} AS state, {RECEIVED} AS received
                FROM (SELECT g, mod(g, 100000) AS r FROM generate_series(1, %(count)s) AS g) AS s) AS t
        ) AS u
    """  # noqa: S608


def _load(count: int) -> None:
    customer, card = _owner()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE disputes_case, disputes_casetransaction, disputes_chargeback, "
            "disputes_casetransition, disputes_caseevent, disputes_ledgerentry, disputes_caseletterrequest, "
            "disputes_liabilityassessment, disputes_evidence RESTART IDENTITY CASCADE"
        )
        started = time.perf_counter()
        cursor.execute(
            _case_insert_sql(), {"now": NOW, "customer": customer.pk, "card": card.pk, "count": count}
        )
        print(f"loaded {count:,} cases in {time.perf_counter() - started:.1f} s", flush=True)
    transaction_row = Transaction.objects.filter(card=card).first() or Transaction.objects.create(
        card=card,
        processor_reference="bench-tx",
        channel="CONTACTLESS",
        merchant_name="Bench",
        mcc="5411",
        original_amount=100,
        amount_pln=100,
        executed_at=NOW - timedelta(days=60),
        debited_on=(NOW - timedelta(days=59)).date(),
        processed_on=(NOW - timedelta(days=59)).date(),
        sca_applied=False,
        status="SETTLED",
    )
    # The overdue cases each hold a disputed transaction, so the acceptance path writes a refund.
    Transaction.objects.filter(card=card, processor_reference__startswith="bench-overdue-").delete()
    overdue = list(cases_reply_overdue(now=NOW).values_list("pk", flat=True))
    transactions = Transaction.objects.bulk_create(
        Transaction(
            card=card,
            processor_reference=f"bench-overdue-{pk}",
            channel="CONTACTLESS",
            merchant_name="Bench",
            mcc="5411",
            original_amount=100,
            amount_pln=100,
            executed_at=NOW - timedelta(days=45),
            debited_on=(NOW - timedelta(days=44)).date(),
            processed_on=(NOW - timedelta(days=44)).date(),
            sca_applied=False,
            status="SETTLED",
        )
        for pk in overdue
    )
    CaseTransaction.objects.bulk_create(
        CaseTransaction(case_id=pk, transaction=tx, amount=100, is_open=True)
        for pk, tx in zip(overdue, transactions, strict=True)
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO disputes_chargeback (case_id, transaction_id, scheme, reason_code, amount, state,
              filing_due_at, filing_due_on, filing_rule, response_rule, deadline_explanations,
              acquirer_reference, created_at, filed_at, resolved_at, reason)
            SELECT c.id, %(tx)s, 'MASTERCARD', '4837', 100,
              CASE WHEN c.state IN ('CLOSED','WITHDRAWN')
                   THEN (ARRAY['WON','LOST','NOT_FILED'])[1 + c.id %% 3]
                   ELSE 'DRAFT' END,
              CASE WHEN c.state IN ('CLOSED','WITHDRAWN') THEN c.received_at + interval '120 days'
                   ELSE %(now)s + (interval '1 hour' * (c.id %% 2880)) END,
              (c.received_at AT TIME ZONE 'Europe/Warsaw')::date + 120, 'CB-MC-4837', '', '{}'::jsonb, '',
              c.received_at,
              CASE WHEN c.state IN ('CLOSED','WITHDRAWN') THEN c.received_at + interval '2 days' END,
              CASE WHEN c.state IN ('CLOSED','WITHDRAWN') THEN c.received_at + interval '40 days' END, ''
            FROM disputes_case c
            WHERE c.state NOT IN ('CLOSED','WITHDRAWN') OR c.id %% 5 = 0
            """,
            {"tx": transaction_row.pk, "now": NOW},
        )
        print(f"loaded {cursor.rowcount:,} chargebacks in {time.perf_counter() - started:.1f} s", flush=True)
        cursor.execute("VACUUM ANALYZE disputes_case")
        cursor.execute("VACUUM ANALYZE disputes_chargeback")
        cursor.execute("VACUUM ANALYZE disputes_casetransaction")


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
    call_command("migrate", verbosity=0, interactive=False)
    if ARGS.reload or Case.objects.count() != ARGS.cases:
        _load(ARGS.cases)
    else:
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

    _explain(
        "refund escalations",
        cases_refund_escalation_due(now=NOW, within=six_hours)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("refund_due_at")
        .values("pk", "refund_due_at", "refund_due_on", "assignee_id")[:batch],
    )
    _explain(
        "reply reminders (7 days)",
        cases_reply_reminder_due(now=NOW, days=7)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("reply_due_at")
        .values("pk", "reply_due_at", "reply_due_on", "assignee_id")[:batch],
    )
    _explain(
        "deemed accepted (REK-8)",
        cases_reply_overdue(now=NOW).order_by("reply_due_at").values_list("pk", flat=True)[:deem_batch],
    )
    _explain(
        "chargeback alerts",
        chargebacks_filing_alert_due(now=NOW, within=fourteen_days)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("filing_due_at")
        .values("pk", "case_id", "filing_due_at", "filing_rule")[:batch],
    )
    changed_on = (NOW - timedelta(days=2)).date()
    _explain(
        "calendar-change recompute (one batch)",
        Case.objects.filter(_affected(changed_on)).order_by("pk").values_list("pk", flat=True)[:batch],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
