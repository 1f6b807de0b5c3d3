"""Send postings and webhooks in a loop: the demo's stand-in for the Celery beat schedule."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from api.tasks import send_webhooks
from corebanking.tasks import dispatch_postings


class Command(BaseCommand):
    help = "Every few seconds, send the due core banking postings and webhooks (for `make demo`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=float, default=5.0)

    def handle(self, *args, every: float, **options) -> None:
        while True:
            try:
                dispatch_postings()
                send_webhooks()
            except DatabaseError:
                # SQLite busy with the server's write: the next round sends what this one could not.
                logging.getLogger(__name__).warning("dispatcher round skipped", exc_info=True)
            time.sleep(every)
