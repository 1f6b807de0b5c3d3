"""The backlog of a queue of rows: how many wait and how long the oldest has."""

from datetime import timedelta

import pytest

from kartosfera.backlog import Backlog, backlog_of
from outbox.models import OutboxMessage
from tests.disputes.conftest import warsaw

NOW = warsaw(2025, 6, 3, 12, 0)


@pytest.mark.django_db
def test_an_empty_queue_has_no_oldest_age():
    assert backlog_of(OutboxMessage.objects.all(), since="created_at", now=NOW) == Backlog(0, None)


@pytest.mark.django_db
def test_the_oldest_row_gives_the_age_and_a_row_from_the_future_counts_as_zero():
    for created_at in (NOW - timedelta(seconds=90), NOW - timedelta(seconds=30)):
        OutboxMessage.objects.create(task="outbox.tests.noop", kwargs={}, created_at=created_at)

    assert backlog_of(OutboxMessage.objects.all(), since="created_at", now=NOW) == Backlog(2, 90.0)
    assert backlog_of(
        OutboxMessage.objects.all(), since="created_at", now=NOW - timedelta(minutes=5)
    ) == Backlog(2, 0.0)
