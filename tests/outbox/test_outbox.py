"""The outbox's mechanics: rows in the caller's transaction, one publication a transaction, the
outcome recorded by the worker's end-of-task signal, the sweep (docs/OUTBOX.md)."""

from datetime import timedelta

import pytest
from celery.signals import after_task_publish
from django.db import transaction

from audit.models import AuditEntry
from audit.services import SEAL_TASK, audit_record, audit_seal
from kartosfera import clock
from outbox import services as outbox_services
from outbox.models import OutboxMessage, OutboxOutcome
from outbox.services import (
    OutsideTransaction,
    UnknownTask,
    outbox_enqueue,
    outbox_nudge,
    outbox_purge,
    outbox_run_in_place,
    outbox_sweep,
)
from reports.models import ExportJob

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP = "disputes.tasks.sweep_waiting_estimates"  # a real task that runs quickly on an empty database
EXPORT = "reports.tasks.export_run"
ESCALATIONS = "disputes.tasks.sweep_refund_escalations"


@pytest.fixture
def published():
    """(task name, keyword arguments) of every message this process hands to the broker."""
    messages: list[tuple[str, dict]] = []

    def record(sender=None, body=None, **_kwargs):
        messages.append((sender, body[1]))

    after_task_publish.connect(record, weak=False)
    yield messages
    after_task_publish.disconnect(record)


def test_a_transaction_publishes_its_rows_in_one_message_after_commit(broker, published):
    broker.memory()
    now = clock.now()
    with transaction.atomic():
        first = outbox_enqueue(task=SWEEP, kwargs={}, now=now)
        with transaction.atomic():
            second = outbox_enqueue(task=EXPORT, kwargs={"job_id": 7}, now=now)
        assert published == []  # nothing before the commit

    assert published == [("outbox.tasks.deliver", {"message_ids": [first.pk, second.pk]})]
    rows = OutboxMessage.objects.order_by("pk")
    assert [(row.published_at, row.publish_attempts, row.finished_at) for row in rows] == [
        (row.published_at, 1, None) for row in rows
    ]
    assert all(row.published_at is not None for row in rows)


def test_a_transaction_with_one_row_publishes_its_task_under_the_rows_id(broker, published):
    broker.memory()
    with transaction.atomic():
        message = outbox_enqueue(task=SWEEP, kwargs={}, now=clock.now())

    assert published == [(SWEEP, {})]
    assert message.celery_task_id == f"outbox-{message.pk}"


def test_rows_written_outside_savepoints_are_published_without_being_read_again(broker, published):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    broker.memory()
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic():
            first = outbox_enqueue(task=SWEEP, kwargs={}, now=clock.now())
            second = outbox_enqueue(task=ESCALATIONS, kwargs={}, now=clock.now())
        after_commit = [q["sql"] for q in captured.captured_queries][3:]  # BEGIN, two INSERTs, then

    assert published == [("outbox.tasks.deliver", {"message_ids": [first.pk, second.pk]})]
    assert not [sql for sql in after_commit if sql.lstrip().upper().startswith("SELECT")]
    rows = OutboxMessage.objects.order_by("pk")
    assert [(row.publish_attempts, row.last_error) for row in rows] == [(1, ""), (1, "")]
    assert all(row.published_at is not None for row in rows)


def test_a_row_run_in_place_is_not_published_again_after_the_commit(broker, published):
    broker.memory()
    with transaction.atomic():
        done = outbox_enqueue(task=SWEEP, kwargs={}, now=clock.now())
        waiting = outbox_enqueue(task=ESCALATIONS, kwargs={}, now=clock.now())
        assert outbox_run_in_place(message_ids=[done.pk]) == 1

    # Only the row still waiting goes to the broker, under its own id.
    assert published == [(ESCALATIONS, {})]
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.outcome, done.published_at is None) == (OutboxOutcome.DONE, True)
    assert waiting.published_at is not None


def test_a_row_rolled_back_with_its_transaction_is_never_published(broker, published):
    broker.memory()
    with transaction.atomic():
        kept = outbox_enqueue(task=SWEEP, kwargs={}, now=clock.now())
        try:
            with transaction.atomic():
                outbox_enqueue(task=EXPORT, kwargs={"job_id": 1}, now=clock.now())
                raise RuntimeError("the work that asked for it failed")
        except RuntimeError:
            pass

    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]
    assert published == [(SWEEP, {})]  # the one row left goes as its own task


def test_enqueue_needs_a_transaction_and_a_registered_task():
    with pytest.raises(OutsideTransaction):
        outbox_enqueue(task=SWEEP, kwargs={}, now=clock.now())
    with pytest.raises(UnknownTask), transaction.atomic():
        outbox_enqueue(task="reports.tasks.no_such_task", kwargs={}, now=clock.now())
    assert not OutboxMessage.objects.exists()


def test_the_sweep_publishes_pending_rows_after_the_grace_and_lost_ones_after_the_republish_delay(
    broker, published, settings
):
    settings.OUTBOX_PUBLISH_GRACE_SECONDS, settings.OUTBOX_REPUBLISH_AFTER_SECONDS = 30, 3600
    now = clock.now()
    broker.down()
    with transaction.atomic():
        pending = outbox_enqueue(task=SWEEP, kwargs={}, now=now)
    broker.memory()
    with transaction.atomic():
        lost = outbox_enqueue(task=ESCALATIONS, kwargs={"batch_size": 5}, now=now)
    published.clear()

    assert outbox_sweep(now=now + timedelta(seconds=29)) == 0
    assert outbox_sweep(now=now + timedelta(seconds=31)) == 1
    assert published == [(SWEEP, {})]
    assert OutboxMessage.objects.get(pk=pending.pk).publish_attempts == 2

    published.clear()
    assert outbox_sweep(now=now + timedelta(seconds=3601)) == 1
    assert published == [(ESCALATIONS, {"batch_size": 5})]
    assert OutboxMessage.objects.get(pk=lost.pk).publish_attempts == 2


def test_the_worker_records_each_rows_outcome_and_the_sweep_leaves_finished_rows_alone(
    broker, published, celery_worker
):
    job = ExportJob.objects.none()  # no export job 999999: its task fails
    with transaction.atomic():
        done = outbox_enqueue(task=SWEEP, kwargs={}, now=clock.now())
    with transaction.atomic():
        failed = outbox_enqueue(task=EXPORT, kwargs={"job_id": 999999}, now=clock.now())

    rows = {row.pk: row for row in _finished([done.pk, failed.pk])}
    assert (rows[done.pk].outcome, rows[done.pk].last_error) == (OutboxOutcome.DONE, "")
    assert rows[failed.pk].outcome == OutboxOutcome.FAILED
    assert "DoesNotExist" in rows[failed.pk].last_error
    assert not job.exists()

    broker.memory()
    published.clear()
    assert outbox_sweep(now=clock.now() + timedelta(days=1)) == 0
    assert published == []


def test_the_purge_deletes_rows_finished_longer_ago_than_the_setting_a_batch_at_a_time(settings):
    settings.OUTBOX_PURGE_AFTER_SECONDS = 7 * 24 * 3600
    now = clock.now()
    week_ago = now - timedelta(days=7, seconds=1)

    def row(*, finished_at, outcome=OutboxOutcome.DONE):
        return OutboxMessage.objects.create(
            task=SWEEP, created_at=now - timedelta(days=30), finished_at=finished_at, outcome=outcome
        )

    old_done = [row(finished_at=week_ago - timedelta(minutes=minutes)) for minutes in (3, 2, 1)]
    old_failed = row(finished_at=week_ago, outcome=OutboxOutcome.FAILED)
    recent = row(finished_at=now - timedelta(days=6))
    unfinished = row(finished_at=None, outcome="")

    assert outbox_purge(now=now, batch_size=2) == 2  # the oldest two
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {
        old_done[2].pk,
        old_failed.pk,
        recent.pk,
        unfinished.pk,
    }
    assert outbox_purge(now=now, batch_size=2) == 2
    assert outbox_purge(now=now, batch_size=2) == 0
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unfinished.pk}


def test_a_nudge_needs_a_transaction_and_is_published_once_however_often_asked(broker, published):
    broker.memory()
    outbox_services._nudged_at.clear()
    with pytest.raises(OutsideTransaction):
        outbox_nudge(task=SWEEP, coalesce_seconds=0)
    with transaction.atomic():
        outbox_nudge(task=SWEEP, coalesce_seconds=0)
        outbox_nudge(task=SWEEP, coalesce_seconds=0)
        assert published == []  # nothing before the commit

    assert published == [(SWEEP, {})]
    assert not OutboxMessage.objects.exists()  # a nudge writes no row


def test_a_nudge_in_a_rolled_back_transaction_is_never_published(broker, published):
    broker.memory()
    outbox_services._nudged_at.clear()
    with transaction.atomic():
        outbox_nudge(task=SWEEP, coalesce_seconds=0)
        transaction.set_rollback(True)

    assert published == []


def test_a_broker_that_does_not_answer_never_holds_an_audited_commit(settings, broker):
    now = clock.now()
    settings.KARTOSFERA_AUDIT_SEALING = "TASK"
    broker.down()  # a closed port: the outbox's short timeout, one quick retry, then a warning
    with transaction.atomic():
        audit_record(action="test.queued", actor=None, now=now)  # nothing raises after the commit

    assert _audit_chain() == [("test.queued", None)]  # left for the periodic sealer
    assert audit_seal(now=now).sealed == 1
    assert _audit_chain() == [("test.queued", 1)]


def test_the_seal_task_rides_the_transactions_one_publication(settings, broker, published):
    now = clock.now()
    settings.KARTOSFERA_AUDIT_SEALING = "TASK"
    broker.memory()
    outbox_services._nudged_at.clear()
    with transaction.atomic():
        audit_record(action="test.first", actor=None, now=now)
        message = outbox_enqueue(task=SWEEP, kwargs={}, now=now)
        audit_record(action="test.second", actor=None, now=now)

    assert published == [("outbox.tasks.deliver", {"message_ids": [message.pk], "tasks": [SEAL_TASK]})]


def test_without_outbox_rows_the_seal_task_is_published_once_a_window(settings, broker, published):
    now = clock.now()
    settings.KARTOSFERA_AUDIT_SEALING = "TASK"
    settings.KARTOSFERA_AUDIT_SEAL_KICK_SECONDS = 60
    broker.memory()
    outbox_services._nudged_at.clear()
    for number in range(3):
        with transaction.atomic():
            audit_record(action="test.act", actor=None, now=now, data={"number": number})

    # One message for the three transactions, run at the end of the window: it seals all three.
    assert published == [(SEAL_TASK, {})]


def _audit_chain() -> list[tuple[str, int | None]]:
    return [(entry.action, entry.sequence) for entry in AuditEntry.objects.order_by("id")]


def _finished(ids: list[int], timeout: float = 60.0) -> list[OutboxMessage]:
    import time

    deadline = time.monotonic() + timeout
    while True:
        rows = list(OutboxMessage.objects.filter(pk__in=ids))
        if all(row.finished_at for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)
