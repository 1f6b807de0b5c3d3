"""The benchmarks' caseload: 1,000,000 dispute cases (or ``count``) in PostgreSQL, in one statement.

The cases are loaded in one ``INSERT … SELECT … FROM generate_series``, with the mix a bank has after
three years: 90 % closed, 5 % withdrawn, and ~50,000 open cases whose deadlines are spread around
``NOW`` (see ``bench/disputes_sweep_bench.py``), and a chargeback for every open case. Fewer than
100,000 cases keep that mix (``MIX``). Import it after ``benchdb.django_setup``.
"""

import time
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.db import connection

from cards.models import Card, CardProduct, Transaction
from customers.models import Customer
from disputes.models import Case, CaseTransaction
from disputes.selectors import cases_reply_overdue

# The benchmark's "now": a Tuesday noon, Warsaw.
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def owner() -> tuple[Customer, Card]:
    """The benchmarks' customer and card: every loaded case and fed transaction is theirs."""
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


# r (0 to 99,999) decides what a case is: g % 100000 from 100,000 cases on (10 cases per r for a
# million); under 100,000, the cases spread over the whole range of r, so a small load keeps the mix
# (~5.3 % open) instead of holding only closed ones.
MIX = """CASE WHEN %(count)s >= 100000 THEN mod(g, 100000)
  ELSE ((g - 1)::bigint * 100000 / %(count)s)::integer END"""
# The fewest cases whose mix holds an open one: the last case's r reaches 94,700, the first open state.
FEWEST_WITH_AN_OPEN_CASE = 19
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
                FROM (SELECT g, {MIX} AS r FROM generate_series(1, %(count)s) AS g) AS s) AS t
        ) AS u
    """  # noqa: S608


def _transaction(card: Card, reference: str, *, days_ago: int) -> Transaction:
    """A settled 100 PLN payment of ``card`` executed ``days_ago`` days before ``NOW`` (not saved)."""
    return Transaction(
        card=card,
        processor_reference=reference,
        channel="CONTACTLESS",
        merchant_name="Bench",
        mcc="5411",
        original_amount=100,
        amount_pln=100,
        executed_at=NOW - timedelta(days=days_ago),
        debited_on=(NOW - timedelta(days=days_ago - 1)).date(),
        processed_on=(NOW - timedelta(days=days_ago - 1)).date(),
        sca_applied=False,
        status="SETTLED",
    )


def load(count: int) -> None:
    """Replace every case (and its history) with ``count`` cases of the benchmark's mix."""
    customer, card = owner()
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
    transaction_row = Transaction.objects.filter(card=card).first()
    if transaction_row is None:
        transaction_row = _transaction(card, "bench-tx", days_ago=60)
        transaction_row.save()
    # The overdue cases each hold a disputed transaction, so the acceptance path writes a refund.
    Transaction.objects.filter(card=card, processor_reference__startswith="bench-overdue-").delete()
    overdue = list(cases_reply_overdue(now=NOW).values_list("pk", flat=True))
    transactions = Transaction.objects.bulk_create(
        _transaction(card, f"bench-overdue-{pk}", days_ago=45) for pk in overdue
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


def ensure_loaded(count: int, *, reload: bool = False) -> bool:
    """Migrate the database and load ``count`` cases unless exactly that many are there (or ``reload``);
    whether it loaded them."""
    call_command("migrate", verbosity=0, interactive=False)
    if reload or Case.objects.count() != count:
        load(count)
        return True
    return False
