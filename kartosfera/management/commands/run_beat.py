"""Run the Celery beat schedule in this process, for `make demo` (no broker: Celery is eager)."""

import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from kartosfera.beat import Beat, Runner
from kartosfera.celery import app
from kartosfera.clock import now

logger = logging.getLogger(__name__)

# Beat tasks the demo leaves out. The NBP rate fetch would call the real NBP (NBP_API_URL is
# https://api.nbp.pl/ in the demo too): the demo runs offline, on the fixture's and its SYNTHETIC
# rates (demo/liability.py), so it never asks the NBP on a schedule.
LEFT_OUT_TASKS = frozenset({"liability.tasks.fetch_recent_rates"})

# The shortest and, by default, the longest wait between two rounds (seconds).
MIN_WAIT_SECONDS = 0.2


def demo_beat(*, clock: Callable[[], datetime] = now, run: Runner | None = None) -> Beat:
    """CELERY_BEAT_SCHEDULE without the entries of LEFT_OUT_TASKS, on ``clock``."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    left_out = [name for name, entry in schedule.items() if entry["task"] in LEFT_OUT_TASKS]
    return Beat(schedule, app=app, clock=clock, run=run, leave_out=left_out)


class Command(BaseCommand):
    help = (
        "Run CELERY_BEAT_SCHEDULE here, each entry when its schedule says it is due, until stopped "
        "(`make demo`: the sweeps, the audit sealer, postings and webhooks, as beat runs them in production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-interval",
            type=float,
            default=60.0,
            help="the longest wait between two looks at the schedule, in seconds",
        )

    def handle(self, *args: object, max_interval: float, **options: object) -> None:
        # Each eager run is a "Task ... succeeded" line at INFO (the sealer's every 5 s): the demo's
        # console keeps what went wrong only.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        beat = demo_beat()
        running = {entry.name for entry in beat.entries}
        logger.info(
            "beat: %d schedule entries run here (%s); left out: %s",
            len(beat.entries),
            ", ".join(sorted(running)),
            ", ".join(sorted(set(settings.CELERY_BEAT_SCHEDULE) - running)) or "none",
        )
        while True:
            # A connection the server's restart or a failed run left unusable is opened again.
            close_old_connections()
            wait = beat.tick()
            time.sleep(min(max(wait, MIN_WAIT_SECONDS), max_interval))
