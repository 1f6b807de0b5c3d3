"""The demo's beat loop (kartosfera/beat.py, `manage.py run_beat`): which entries run when, on a fake
clock moved by the test (never by sleeping), and a failing or busy run against the others.

Monday 7 December 2026, winter time: Warsaw (CELERY_TIMEZONE) is UTC+1.
"""

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.db import OperationalError

from kartosfera.beat import BUSY_RETRY_SECONDS, Beat
from kartosfera.celery import app
from kartosfera.legaltime import WARSAW
from kartosfera.management.commands.run_beat import demo_beat


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Recorder:
    """Runs nothing: records each run (Warsaw wall time, task, kwargs); ``fail`` names tasks that raise."""

    def __init__(self, clock: FakeClock, fail: dict[str, Exception] | None = None) -> None:
        self.clock = clock
        self.fail = fail or {}
        self.runs: list[tuple[str, str, dict]] = []

    def __call__(self, task: str, kwargs: dict) -> None:
        self.runs.append((self.clock().astimezone(WARSAW).strftime("%a %H:%M:%S"), task, kwargs))
        error = self.fail.get(task)
        if error is not None:
            raise error

    def times(self, task: str) -> list[str]:
        return [at for at, name, _ in self.runs if name == task]


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def run_for(beat: Beat, clock: FakeClock, *, seconds: int, step: int = 1) -> None:
    """Tick every ``step`` seconds of fake time for ``seconds``."""
    for _ in range(0, seconds, step):
        clock.advance(step)
        beat.tick()


SCHEDULE = {
    "every-5s": {"task": "five", "schedule": timedelta(seconds=5)},
    "each-minute": {"task": "minute", "schedule": crontab(minute="*")},
    "noon-weekdays": {
        "task": "noon",
        "schedule": crontab(hour=12, minute=35, day_of_week="mon-fri"),
        "kwargs": {"currency": "EUR"},
    },
}


def test_each_entry_runs_when_its_own_schedule_says_in_the_schedules_timezone_with_its_kwargs():
    clock = FakeClock(warsaw(2026, 12, 7, 12, 33, 58))
    runs = Recorder(clock)
    beat = Beat(SCHEDULE, app=app, clock=clock, run=runs)

    beat.tick()  # at the start nothing is due: as under celery beat, a first run is one period away
    run_for(beat, clock, seconds=3 * 60)

    assert runs.times("five")[:3] == ["Mon 12:34:03", "Mon 12:34:08", "Mon 12:34:13"]
    assert len(runs.times("five")) == 36
    assert runs.times("minute") == ["Mon 12:34:00", "Mon 12:35:00", "Mon 12:36:00"]
    # 12:35 in Warsaw (11:35 UTC), once, with the entry's kwargs.
    assert [(at, kwargs) for at, task, kwargs in runs.runs if task == "noon"] == [
        ("Mon 12:35:00", {"currency": "EUR"})
    ]


def test_a_crontab_entry_does_not_run_on_a_day_its_schedule_leaves_out():
    clock = FakeClock(warsaw(2026, 12, 12, 12, 34, 0))  # Saturday
    runs = Recorder(clock)
    beat = Beat(SCHEDULE, app=app, clock=clock, run=runs)

    run_for(beat, clock, seconds=5 * 60, step=5)

    assert runs.times("noon") == []
    assert len(runs.times("minute")) == 5


def test_tick_says_how_long_until_the_next_entry_is_due():
    clock = FakeClock(warsaw(2026, 12, 7, 12, 34, 58))
    beat = Beat({"minute": SCHEDULE["each-minute"]}, app=app, clock=clock, run=Recorder(clock))

    assert beat.tick() == pytest.approx(2)
    clock.advance(2)
    assert beat.tick() == pytest.approx(60)


def test_a_failing_entry_is_logged_and_the_others_still_run_and_it_runs_again_when_next_due(caplog):
    clock = FakeClock(warsaw(2026, 12, 7, 12, 33, 58))
    runs = Recorder(clock, fail={"minute": RuntimeError("core banking down")})
    beat = Beat(SCHEDULE, app=app, clock=clock, run=runs)

    with caplog.at_level(logging.ERROR, logger="kartosfera.beat"):
        run_for(beat, clock, seconds=3 * 60)

    # It failed each minute and was tried again each minute, never in between.
    assert runs.times("minute") == ["Mon 12:34:00", "Mon 12:35:00", "Mon 12:36:00"]
    assert runs.times("noon") == ["Mon 12:35:00"]  # after the failing entry, in the same round
    assert len(runs.times("five")) == 36
    failures = [record for record in caplog.records if "each-minute" in record.getMessage()]
    assert len(failures) == 3 and all(record.exc_info for record in failures)


class BusyOnce:
    """The database is locked the first time ``task`` runs."""

    def __init__(self, runs: Recorder, task: str) -> None:
        self.runs, self.task, self.busy = runs, task, True

    def __call__(self, task: str, kwargs: dict) -> None:
        self.runs(task, kwargs)
        if task == self.task and self.busy:
            self.busy = False
            raise OperationalError("database is locked")


def test_a_busy_database_skips_the_round_and_what_was_not_run_runs_next_round(caplog):
    clock = FakeClock(warsaw(2026, 12, 7, 12, 34, 59))
    runs = Recorder(clock)
    beat = Beat(SCHEDULE, app=app, clock=clock, run=BusyOnce(runs, "minute"))
    clock.advance(1)  # 12:35:00: the minute's entry and the noon fetch are due

    with caplog.at_level(logging.WARNING, logger="kartosfera.beat"):
        wait = beat.tick()

    assert wait == BUSY_RETRY_SECONDS
    assert [task for _, task, _ in runs.runs] == ["minute"]  # the round ended there
    assert "database is busy" in caplog.text and "each-minute" in caplog.text
    assert not [record for record in caplog.records if record.exc_info]  # a warning, no traceback

    clock.advance(1)
    beat.tick()

    assert [(at, task) for at, task, _ in runs.runs[1:]] == [
        ("Mon 12:35:01", "minute"),
        ("Mon 12:35:01", "noon"),
    ]
    clock.advance(1)
    beat.tick()
    assert len(runs.runs) == 3  # both ran: neither runs again this minute


def test_the_demo_runs_the_whole_production_schedule_but_the_nbp_fetch():
    clock = FakeClock(warsaw(2026, 12, 7, 12, 0, 0))  # a Monday: the NBP fetch would be due at 12:35
    runs = Recorder(clock)
    beat = demo_beat(clock=clock, run=runs)

    run_for(beat, clock, seconds=60 * 60, step=5)

    counts = Counter(task for _, task, _ in runs.runs)
    assert counts == {
        "audit.tasks.audit_seal_pending": 720,
        "audit.tasks.audit_anchor_head": 12,
        "outbox.tasks.sweep": 60,
        "letters.tasks.issue_pending_letters": 60,
        "corebanking.tasks.dispatch_postings": 60,
        "api.tasks.send_webhooks": 60,
        "disputes.tasks.sweep_deemed_accepted": 12,
        "disputes.tasks.sweep_refund_escalations": 6,
        "disputes.tasks.sweep_waiting_estimates": 4,
        "disputes.tasks.sweep_reply_reminders": 1,
        "disputes.tasks.sweep_chargeback_missed": 1,
        "outbox.tasks.purge": 1,
    }
    assert runs.times("disputes.tasks.sweep_reply_reminders") == ["Mon 12:05:00"]
    assert runs.times("disputes.tasks.sweep_chargeback_missed") == ["Mon 12:20:00"]
    assert runs.times("outbox.tasks.purge") == ["Mon 12:17:00"]
    assert "liability.tasks.fetch_recent_rates" not in counts  # it would call the real NBP


def test_the_daily_entries_run_at_their_warsaw_hour():
    clock = FakeClock(warsaw(2026, 12, 7, 3, 0, 0))
    runs = Recorder(clock)
    beat = demo_beat(clock=clock, run=runs)

    run_for(beat, clock, seconds=5 * 60 * 60, step=60)

    assert runs.times("api.tasks.purge_idempotency_keys") == ["Mon 03:40:00"]
    assert runs.times("corebanking.tasks.reconcile_postings") == ["Mon 06:30:00"]
    assert runs.times("disputes.tasks.sweep_chargeback_alerts") == ["Mon 07:15:00"]


def test_the_app_runs_every_task_the_demo_schedule_names_and_a_name_it_lacks_stops_the_loop_at_once():
    clock = FakeClock(warsaw(2026, 12, 7, 12, 0, 0))

    assert {entry.task for entry in demo_beat(clock=clock).entries} <= set(app.tasks)
    with pytest.raises(LookupError, match=r"disputes\.tasks\.sweep_nothing"):
        Beat(
            {"typo": {"task": "disputes.tasks.sweep_nothing", "schedule": timedelta(seconds=5)}},
            app=app,
            clock=clock,
        )
