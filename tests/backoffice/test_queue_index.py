"""PostgreSQL reads a queue in the order of ``case_queue_running_due_idx``: no sort of every open case."""

import pytest

from disputes.backoffice.selectors import queue_cases
from tests.backoffice.conftest import NOW, make_theft, submitted_case
from tests.conftest import requires_services
from tests.plans import index_plan

pytestmark = [pytest.mark.django_db, requires_services]


# ("unassigned" is left to the planner's costs: on a few rows it prefers the assignee index.)
@pytest.mark.parametrize("name", ["all", "breached"])
def test_a_queue_page_is_read_by_the_index_of_its_order(name, analyst):
    for i in range(3):
        submitted_case(make_theft(username=f"idx{i}"), analyst)
    page = queue_cases(name=name, user=analyst, now=NOW).values_list("pk")[:51]

    plan = index_plan(page)

    assert "case_queue_running_due_idx" in plan
    assert "Sort" not in plan
