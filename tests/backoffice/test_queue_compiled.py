"""A queue page reads its rows through SQL built once per queue and set of filters
(``kartosfera.compiled_sql``): the very rows, values and order the queue's queryset gives."""

from datetime import timedelta
from decimal import Decimal

import pytest

from cards.models import Scheme
from disputes.backoffice.selectors import PAGE_SIZE, QUEUES, QueueFilters, _queue, queue_cases, queue_page
from disputes.models import Case, CaseState, Channel
from kartosfera import compiled_sql
from tests.backoffice.conftest import NOW, RECEIVED_AT, make_theft, submitted_case

pytestmark = pytest.mark.django_db


def _filters(analyst) -> list[QueueFilters]:
    return [
        QueueFilters(),
        QueueFilters(state=CaseState.SUBMITTED),
        QueueFilters(due_within_days=1),
        QueueFilters(due_within_days=60),
        QueueFilters(amount_min=Decimal("500"), amount_max=Decimal("1000")),
        QueueFilters(amount_min=Decimal("930.00")),
        QueueFilters(brand=Scheme.VISA),
        QueueFilters(channel=Channel.PHONE, cause="STOLEN"),
        QueueFilters(assignee_id=analyst.pk),
        QueueFilters(
            state=CaseState.SUBMITTED,
            due_within_days=30,
            amount_min=Decimal("1"),
            amount_max=Decimal("99999"),
            brand=Scheme.MASTERCARD,
            channel=Channel.PORTAL,
            cause="STOLEN",
            assignee_id=analyst.pk,
        ),
    ]


def test_every_queue_and_filter_reads_the_rows_of_its_queryset(analyst, eur_rates):
    cases = [
        submitted_case(
            make_theft(username=f"q{i}", brand=Scheme.VISA if i % 2 else Scheme.MASTERCARD),
            analyst,
            channel=Channel.PHONE if i % 3 else Channel.PORTAL,
            received_at=RECEIVED_AT - timedelta(days=i),
        )
        for i in range(5)
    ]
    Case.objects.filter(pk__in=[cases[0].pk, cases[3].pk]).update(assignee=analyst)
    Case.objects.filter(pk=cases[1].pk).update(disputed_amount=Decimal("1500.00"))
    columns = _queue._QUEUE_COLUMNS

    # The second time round the kept SQL runs with other values (a later "now", page 2 of one row).
    for now, page, size in ((NOW, 1, PAGE_SIZE), (NOW + timedelta(days=3), 2, 1)):
        for name in (name for name in QUEUES if name != "chargebacks"):
            for filters in _filters(analyst):
                if size != PAGE_SIZE:
                    _queue.PAGE_SIZE = size
                try:
                    result = queue_page(name=name, user=analyst, now=now, filters=filters, page=page)
                finally:
                    _queue.PAGE_SIZE = PAGE_SIZE
                expected = queue_cases(name=name, user=analyst, now=now, filters=filters).values_list(
                    *columns
                )
                start = (page - 1) * size
                assert [row.case for row in result.rows] == [
                    _queue._queue_case(values) for values in expected[start : start + size]
                ], (name, filters, now)

    assert queue_page(name="all", user=analyst, now=NOW).rows  # the data above does show up
    kept = {key: shape for key, shape in compiled_sql._SHAPES.items() if key[2][0] == "backoffice queue"}
    assert len(kept) >= 7 * 9
    assert all(shape is not None for shape in kept.values())  # none fell back to the ORM
