"""PostgreSQL reads the escalation sweep's batch in the order of ``case_refund_sweep_idx``: the index
holds exactly the cases the sweep can find (a refund running, pending or awaiting the core system's
confirmation, not escalated), so no sort of every open case comes before the LIMIT."""

from datetime import timedelta

import pytest

from disputes.selectors import cases_refund_escalation_due
from kartosfera.locking import locked_batch
from tests.conftest import requires_services
from tests.disputes.conftest import REFUND_DUE_AT
from tests.plans import index_plan

pytestmark = [pytest.mark.django_db, requires_services]


def test_the_escalation_sweep_reads_its_batch_in_the_order_of_its_index(case):
    due = cases_refund_escalation_due(now=REFUND_DUE_AT, within=timedelta(hours=6))

    plan = index_plan(locked_batch(due, size=200))

    assert "case_refund_sweep_idx" in plan
    assert "Sort" not in plan
