"""PostgreSQL reads a queue in the order of ``case_queue_running_due_idx``: no sort of every open case."""

import pytest
from django.db import connection

from disputes.backoffice.selectors import queue_cases
from tests.backoffice.conftest import NOW, make_theft, submitted_case
from tests.conftest import requires_services

pytestmark = [pytest.mark.django_db, requires_services]


# ("unassigned" is left to the planner's costs: on a few rows it prefers the assignee index.)
@pytest.mark.parametrize("name", ["all", "breached"])
def test_a_queue_page_is_read_by_the_index_of_its_order(name, analyst):
    for i in range(3):
        submitted_case(make_theft(username=f"idx{i}"), analyst)
    page = queue_cases(name=name, user=analyst, now=NOW).values_list("pk")[:51]
    sql, params = page.query.sql_with_params()

    with connection.cursor() as cursor:
        # A handful of rows would be read sequentially; at 1,000,000 cases the planner picks the
        # index by cost (bench/backoffice_bench.py prints that plan). Here: can it use it at all?
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "case_queue_running_due_idx" in plan
    assert "Sort" not in plan
