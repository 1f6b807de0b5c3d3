"""PostgreSQL reads the escalation sweep's batch in the order of ``case_refund_sweep_idx``: the index
holds exactly the cases the sweep can find (a refund running, pending or awaiting the core system's
confirmation, not escalated), so no sort of every open case comes before the LIMIT."""

from datetime import timedelta

import pytest
from django.db import connection, transaction

from disputes.selectors import cases_refund_escalation_due
from kartosfera.locking import locked_batch
from tests.conftest import requires_services
from tests.disputes.conftest import REFUND_DUE_AT

pytestmark = [pytest.mark.django_db, requires_services]


def test_the_escalation_sweep_reads_its_batch_in_the_order_of_its_index(case):
    batch = locked_batch(cases_refund_escalation_due(now=REFUND_DUE_AT, within=timedelta(hours=6)), size=200)
    sql, params = batch.query.sql_with_params()

    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows would be read sequentially; at 100,000 cases the planner picks the index by
        # cost (bench/disputes_sweep_bench.py prints that plan). Here: can it use it at all?
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "case_refund_sweep_idx" in plan
    assert "Sort" not in plan
