"""The Celery beat schedule run in one process: `make demo`'s stand-in for `celery beat` and its workers.

Production runs ``celery beat`` (CELERY_BEAT_SCHEDULE), which sends each entry to a worker when the
entry's own schedule says it is due. The demo has no broker (Celery is eager), so ``manage.py run_beat``
runs a ``Beat`` in a loop: each ``tick`` runs, here and now, every entry due at the clock's time, as
Celery's own schedule objects decide (``is_due``, in the schedule's timezone, CELERY_TIMEZONE), with
the entry's kwargs. As under ``celery beat``, an entry first runs one period after the loop starts, and
then at each time its schedule names; a run that fails is logged and the entry runs again at its next
time, and the other entries run as usual. The database being busy (SQLite locked by the server's
write) ends the round instead: the entries not run are still due and run in the next round.
"""

import copy
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from celery import Celery
from celery.schedules import BaseSchedule, maybe_schedule
from django.db import OperationalError

logger = logging.getLogger(__name__)

# How long a round skipped for a busy database waits before the next one (seconds).
BUSY_RETRY_SECONDS = 1.0

# Runs the task named ``task`` with ``kwargs``.
Runner = Callable[[str, dict[str, Any]], object]


@dataclass
class BeatEntry:
    """One entry of the schedule: its task and kwargs, its schedule and when it last ran."""

    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: datetime
    kwargs: dict[str, Any] = field(default_factory=dict)

    def is_due(self) -> tuple[bool, float]:
        """Whether the entry is due now, and the seconds until it should be looked at again."""
        due, next_seconds = self.schedule.is_due(self.last_run_at)
        return bool(due), float(next_seconds)


def database_busy(error: BaseException) -> bool:
    """The database refused for a moment (SQLite: another connection holds the write lock)."""
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


class Beat:
    """The entries of a beat schedule (``CELERY_BEAT_SCHEDULE``'s form) on ``clock``; ``tick`` runs them.

    ``clock`` returns the current instant, timezone-aware: every schedule reads it (``nowfun``), so a
    test moves it instead of sleeping. ``run`` runs a task by name; by default the app's task through
    ``apply_async``, which is a call here and now when Celery is eager (no broker).
    """

    def __init__(
        self,
        schedule: Mapping[str, Mapping[str, Any]],
        *,
        app: Celery,
        clock: Callable[[], datetime],
        run: Runner | None = None,
        leave_out: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.clock = clock
        self.run: Runner = run or self._apply
        if run is None:
            # The tasks modules, imported as a worker imports them (Django's apps' tasks.py are found
            # lazily): without it the app knows no task a request has not imported yet.
            app.loader.import_default_modules()
        started = clock()
        left_out = set(leave_out)
        self.entries = [
            BeatEntry(
                name=name,
                task=str(entry["task"]),
                schedule=self._on_clock(entry["schedule"]),
                last_run_at=started,
                kwargs=dict(entry.get("kwargs") or {}),
            )
            for name, entry in schedule.items()
            if name not in left_out
        ]
        if run is None:
            unknown = sorted(entry.task for entry in self.entries if entry.task not in app.tasks)
            if unknown:
                raise LookupError(
                    f"the beat schedule names tasks the app does not have: {', '.join(unknown)}"
                )

    def _on_clock(self, spec: object) -> BaseSchedule:
        """A copy of the entry's schedule (a timedelta or a crontab) that reads ``self.clock``."""
        schedule = maybe_schedule(copy.copy(spec), app=self.app)
        if not isinstance(schedule, BaseSchedule):
            raise TypeError(f"not a beat schedule: {spec!r}")
        schedule.nowfun = self.clock
        schedule.app = self.app
        return schedule

    def _apply(self, task: str, kwargs: dict[str, Any]) -> object:
        return self.app.tasks[task].apply_async(kwargs=kwargs)

    def tick(self) -> float:
        """Run every entry due now, in the schedule's order; return the seconds until one is due again.

        A run that raises is logged and counts as run; a busy database ends the round at once (what
        was not run is still due) and the next round comes after ``BUSY_RETRY_SECONDS``.
        """
        for entry in self.entries:
            due, _next = entry.is_due()
            if not due:
                continue
            started = self.clock()
            try:
                self.run(entry.task, entry.kwargs)
            except Exception as error:
                if database_busy(error):
                    logger.warning(
                        "beat round skipped, the database is busy (%s): %s runs next round", error, entry.name
                    )
                    return BUSY_RETRY_SECONDS
                logger.exception(
                    "beat entry %s (%s) failed; it runs again when next due", entry.name, entry.task
                )
            else:
                logger.debug("beat entry %s (%s) ran", entry.name, entry.task)
            entry.last_run_at = started
        return self.next_due_in()

    def next_due_in(self) -> float:
        """Seconds until the first entry is due (0 when one is due now)."""
        if not self.entries:
            return timedelta(minutes=5).total_seconds()
        return min(
            max(0.0, entry.schedule.remaining_estimate(entry.last_run_at).total_seconds())
            for entry in self.entries
        )
