"""Celery's end-of-task signal marks an outbox row finished (a signal is Celery's interface for it)."""

from typing import Any

from celery import states
from celery.signals import task_postrun

from kartosfera import clock
from outbox.services import outbox_task_finished


def _finished(*, task_id: str | None = None, retval: Any = None, state: str | None = None, **_kwargs) -> None:
    # RETRY: the task comes back under the same id; only its last run counts.
    if task_id and state in (states.SUCCESS, states.FAILURE):
        outbox_task_finished(
            task_id=task_id, succeeded=state == states.SUCCESS, error=repr(retval), now=clock.now()
        )


def connect() -> None:
    task_postrun.connect(_finished, weak=False, dispatch_uid="outbox.task_finished")
