"""The outbox's writes: enqueue a task in the caller's transaction, publish it after commit, sweep.

A transaction that asks for work writes an ``OutboxMessage`` row with ``outbox_enqueue``; the row
commits or rolls back with the work that asked for it. Once committed, one broker message publishes
every row the transaction wrote (one row: its task; more: ``outbox.tasks.deliver``, which fans them
out in the worker), with a short broker timeout. A publication that fails leaves its rows pending
and never raises: the request that committed them has answered already. The beat sweep
(``outbox.tasks.sweep``) publishes again what is pending, and what was published long ago and never
finished (a message lost with the broker), until a worker has run it. Eager mode (no broker) runs
the tasks in this process after commit. docs/OUTBOX.md.
"""

import functools
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from kartosfera import clock
from kartosfera.celery import app
from outbox.models import TASK_ID_PREFIX, OutboxMessage, OutboxOutcome
from outbox.selectors import outbox_messages_due, outbox_messages_finished_before

logger = logging.getLogger(__name__)

DELIVER_TASK = "outbox.tasks.deliver"


class UnknownTask(LookupError):
    """No Celery task is registered under that name."""


class OutsideTransaction(RuntimeError):
    """``outbox_enqueue`` was called outside ``transaction.atomic``: there is no transaction to join."""


@functools.cache
def _registered_tasks() -> frozenset[str]:
    # Importing the apps' task modules (Celery's autodiscovery) registers every task in a web process
    # too; done once. Forced discovery imports them directly: Celery's import signal
    # (``loader.import_default_modules``) would also run its Django fix-up, a second ``django.setup()``
    # that reconfigures logging (dropping any handler added since start-up) and every system check,
    # in whatever request enqueued first.
    app.autodiscover_tasks(force=True)
    return frozenset(app.tasks)


def outbox_tasks_load() -> None:
    """Register every app's tasks now (a web process's start), not in the first request that enqueues.

    Importing the task modules takes a second or two (the letters' pull in WeasyPrint); paid inside a
    request, it was the slowest claim submission of each web process.
    """
    _registered_tasks()


def _require_registered(task: str) -> None:
    if task not in _registered_tasks():
        _registered_tasks.cache_clear()
        if task not in _registered_tasks():
            raise UnknownTask(task)


def outbox_enqueue(*, task: str, kwargs: dict[str, Any], now: datetime) -> OutboxMessage:
    """Ask for the Celery task named ``task`` with ``kwargs``, run once the current transaction commits.

    Call it inside the ``transaction.atomic`` block whose work asks for the task: the row commits or
    rolls back with it. ``kwargs`` are JSON (ids, ISO dates), as the task's keyword arguments.

    :raises OutsideTransaction: no ``transaction.atomic`` block is open.
    :raises UnknownTask: no task is registered under ``task`` (a typo fails the transaction, not later).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise OutsideTransaction(task)
    _require_registered(task)
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs, created_at=now)
    batch = _batch_of_this_transaction(connection)
    batch.messages.append(message)
    # Written inside a savepoint, the row may be rolled back while the transaction commits.
    batch.only_outermost = batch.only_outermost and not any(connection.savepoint_ids)  # None: no savepoint
    transaction.on_commit(_Publication(batch, message.pk), robust=True)
    return message


def outbox_nudge(*, task: str, coalesce_seconds: float) -> None:
    """Ask for ``task``, a task that finds its own work (no arguments), once the transaction commits.

    For work that a periodic task does anyway and that one run does for every transaction before it,
    such as the audit sealer: no row is written (nothing to lose: beat runs the task too), the
    request rides the transaction's one publication (``outbox.tasks.deliver`` then sends it, with the
    rows), and a transaction that wrote no row publishes it at most once every ``coalesce_seconds``
    from this process, to run ``coalesce_seconds`` later: one run then covers every transaction that
    committed in between, whose own nudges were dropped. Asked twice in a transaction, it is
    published once. A broker that does not answer is logged, never raised.

    :raises OutsideTransaction: no ``transaction.atomic`` block is open.
    :raises UnknownTask: no task is registered under ``task``.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise OutsideTransaction(task)
    _require_registered(task)
    batch = _batch_of_this_transaction(connection)
    if batch.nudges:
        batch.nudges.setdefault(task, coalesce_seconds)
        return
    batch.nudges[task] = coalesce_seconds
    transaction.on_commit(_Publication(batch, None), robust=True)


class _Batch:
    """The rows one transaction wrote, and the tasks it nudged, published together after its commit."""

    def __init__(self) -> None:
        self.messages: list[OutboxMessage] = []
        self.nudges: dict[str, float] = {}  # task name -> coalesce_seconds
        self.published = False
        self.only_outermost = True  # every row written outside any savepoint


class _Publication:
    """The after-commit callback of one row; the first of a transaction's callbacks publishes them all.

    Django runs the callbacks after the outermost commit, outside any atomic block. Inside one (a
    test's ``captureOnCommitCallbacks``) the batch may hold rows of callbacks never run, so each
    callback publishes its own row only.
    """

    def __init__(self, batch: _Batch, message_id: int | None) -> None:
        self.batch, self.message_id = batch, message_id
        # Django's robust on_commit names a failing callback by its __qualname__.
        self.__qualname__ = (
            "outbox publication of nudged tasks"
            if message_id is None
            else f"outbox publication of message {message_id}"
        )

    def __call__(self) -> None:
        if transaction.get_connection().in_atomic_block:
            if self.message_id is None:
                outbox_publish(message_ids=[], nudges=self.batch.nudges, now=clock.now())
            else:
                outbox_publish(message_ids=[self.message_id], now=clock.now())
        elif not self.batch.published:
            self.batch.published = True
            if self.batch.only_outermost and self.batch.messages and not app.conf.task_always_eager:
                # All committed with the transaction, and no worker has them yet: not read again.
                _publish_messages(self.batch.messages, nudges=self.batch.nudges, now=clock.now())
            else:
                outbox_publish(
                    message_ids=[m.pk for m in self.batch.messages], nudges=self.batch.nudges, now=clock.now()
                )


def _batch_of_this_transaction(connection: BaseDatabaseWrapper) -> _Batch:
    """The batch of the transaction's earlier rows (found among its on_commit callbacks), else a new one."""
    for _savepoints, callback, _robust in connection.run_on_commit:  # type: ignore[misc]  # django-stubs: 2-tuples; Django 5 stores 3
        if isinstance(callback, _Publication):
            return callback.batch
    return _Batch()


def _send(task: str, kwargs: dict[str, Any], *, task_id: str | None = None) -> None:
    # ignore_result: no subscription to a result on the backend, whose connection retries for ~20 s
    # when Redis is down (result_backend_transport_options); the outbox row records the outcome.
    app.tasks[task].apply_async(kwargs=kwargs, task_id=task_id, ignore_result=True)


# When this process last published each nudged task on its own (time.monotonic()), for coalescing.
_nudged_at: dict[str, float] = {}


def _publish_nudges(nudges: Mapping[str, float]) -> None:
    """Publish nudged tasks that no row carried: each at most once every its coalesce_seconds, delayed
    by as much, so that the run covers the transactions whose nudges are dropped meanwhile."""
    eager = app.conf.task_always_eager  # no broker: each runs here and now, nothing to coalesce
    for task, seconds in sorted(nudges.items()):
        moment = time.monotonic()
        if not eager and moment - _nudged_at.get(task, float("-inf")) < seconds:
            continue
        _nudged_at[task] = moment
        try:
            app.tasks[task].apply_async(countdown=None if eager else seconds or None, ignore_result=True)
        except Exception as error:  # a broker failure (eager: the task's own); beat runs the task too
            logger.warning("outbox: nudged task %s not published, left to its periodic run: %r", task, error)


def outbox_publish(
    *, message_ids: Iterable[int], now: datetime, nudges: Mapping[str, float] | None = None
) -> int:
    """Publish the unfinished rows ``message_ids``, and the ``nudges`` (``outbox_nudge``), in one
    broker message; how many rows it published.

    Never raises for a broker that cannot be reached (nor, in eager mode, for a task that failed: its
    row records it): the rows stay as they were, their attempt and error noted, for the sweep.
    """
    nudges = nudges or {}
    messages = list(
        OutboxMessage.objects.filter(pk__in=list(message_ids), finished_at__isnull=True).order_by("pk")
    )
    if not messages:
        _publish_nudges(nudges)
        return 0
    if app.conf.task_always_eager:
        published = _run_here(messages, now=now)
        _publish_nudges(nudges)  # after the rows' tasks
        return published
    return _publish_messages(messages, nudges=nudges, now=now)


def _publish_messages(
    messages: list[OutboxMessage], *, nudges: Mapping[str, float] | None = None, now: datetime
) -> int:
    """Publish unfinished ``messages`` (and the ``nudges``) in one broker message and mark them; how
    many rows it published."""
    nudges = nudges or {}
    ids = [message.pk for message in messages]
    try:
        if len(messages) == 1 and not nudges:
            _send(messages[0].task, messages[0].kwargs, task_id=messages[0].celery_task_id)
        elif nudges:
            _send(DELIVER_TASK, {"message_ids": ids, "tasks": sorted(nudges)})
        else:
            _send(DELIVER_TASK, {"message_ids": ids})
    except Exception as error:  # any broker failure; a request's commit must never turn into a 500
        OutboxMessage.objects.filter(pk__in=ids).update(
            publish_attempts=F("publish_attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        logger.warning("outbox: %d message(s) %s not published, left for the sweep: %r", len(ids), ids, error)
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The mark only spares the sweep a second publication: lost in a crash, the sweep publishes
            # again (tasks are idempotent), so its commit does not wait for the disk (a few ms a request).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OutboxMessage.objects.filter(pk__in=ids).update(
            published_at=now, publish_attempts=F("publish_attempts") + 1, last_error=""
        )
    return len(ids)


def _run_here(messages: list[OutboxMessage], *, now: datetime) -> int:
    """Eager mode (no broker): run each row's task in this process, one failure not stopping the rest.

    Celery hands an eager task's exception to the caller without its end-of-task signal: the row's
    failure is recorded here.
    """
    for message in messages:
        try:
            _send(message.task, message.kwargs, task_id=message.celery_task_id)
        except Exception as error:  # the task's own failure: recorded, and logged as a worker would
            logger.exception("outbox: task %s of message %s failed", message.task, message.pk)
            outbox_task_finished(
                task_id=message.celery_task_id, succeeded=False, error=repr(error), now=clock.now()
            )
    OutboxMessage.objects.filter(pk__in=[message.pk for message in messages]).update(
        published_at=now, publish_attempts=F("publish_attempts") + 1
    )
    return len(messages)


def outbox_deliver(*, message_ids: Iterable[int], tasks: Iterable[str] = ()) -> int:
    """Send each unfinished row of ``message_ids`` as its own task (the worker's fan-out), then each
    nudged task of ``tasks`` (``outbox_nudge``); how many rows."""
    sent = 0
    for message in OutboxMessage.objects.filter(pk__in=list(message_ids), finished_at__isnull=True).order_by(
        "pk"
    ):
        _send(message.task, message.kwargs, task_id=message.celery_task_id)
        sent += 1
    for task in tasks:
        _send(task, {})
    return sent


def outbox_sweep(*, now: datetime, batch_size: int | None = None) -> int:
    """Publish again the rows due (pending, or published long ago and unfinished); how many it published.

    Stops at the first publication that fails: the broker is still down, the next run tries again.
    """
    batch_size = batch_size or settings.OUTBOX_SWEEP_BATCH_SIZE
    due = outbox_messages_due(
        now=now,
        pending_for=timedelta(seconds=settings.OUTBOX_PUBLISH_GRACE_SECONDS),
        published_for=timedelta(seconds=settings.OUTBOX_REPUBLISH_AFTER_SECONDS),
        limit=batch_size,
    )
    published = 0
    for message_id in due:
        if not outbox_publish(message_ids=[message_id], now=now):
            break
        published += 1
    return published


def outbox_task_finished(*, task_id: str, succeeded: bool, error: str, now: datetime) -> None:
    """Record that a worker ran the task of Celery id ``task_id`` to the end (ignores other tasks' ids)."""
    if not task_id.startswith(TASK_ID_PREFIX):
        return
    message_id = int(task_id.removeprefix(TASK_ID_PREFIX))
    OutboxMessage.objects.filter(pk=message_id, finished_at__isnull=True).update(
        finished_at=now,
        outcome=OutboxOutcome.DONE if succeeded else OutboxOutcome.FAILED,
        last_error="" if succeeded else error[:2000],
    )


def outbox_run_in_place(*, message_ids: Iterable[int]) -> int:
    """Run the unfinished rows ``message_ids`` now, in this process and transaction; how many ran.

    For a caller that needs the work done before it goes on inside one transaction (the demo seeder,
    whose later steps read what these tasks record): a worker would only see the rows after the
    commit. Each row is marked finished by the end-of-task signal as a worker's run is, so the
    publication after the commit skips it. A task's failure propagates and rolls the caller back.
    """
    # The transaction's publication must read its rows again (the finished ones are skipped), not
    # publish them from memory.
    _batch_of_this_transaction(transaction.get_connection()).only_outermost = False
    ran = 0
    for message in OutboxMessage.objects.filter(pk__in=list(message_ids), finished_at__isnull=True).order_by(
        "pk"
    ):
        result = app.tasks[message.task].apply(kwargs=message.kwargs, task_id=message.celery_task_id)
        if result.failed():
            raise result.result
        ran += 1
    return ran


def outbox_purge(*, now: datetime, batch_size: int | None = None) -> int:
    """Delete the rows a worker finished (done or failed) more than ``OUTBOX_PURGE_AFTER_SECONDS``
    ago, oldest first, at most ``batch_size`` a run (``OUTBOX_PURGE_BATCH_SIZE``); how many it deleted.

    Unfinished rows are never touched: they are the sweep's. The next run takes the next batch.
    """
    batch_size = batch_size or settings.OUTBOX_PURGE_BATCH_SIZE
    moment = now - timedelta(seconds=settings.OUTBOX_PURGE_AFTER_SECONDS)
    ids = outbox_messages_finished_before(moment=moment, limit=batch_size)
    if not ids:
        return 0
    deleted, _ = OutboxMessage.objects.filter(pk__in=ids, finished_at__lt=moment).delete()
    return deleted
