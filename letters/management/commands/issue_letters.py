"""Issue the pending letters in this process, in bounded batches, printing progress (mass events)."""

from django.core.management.base import BaseCommand

from kartosfera import clock
from letters.rules import LetterDataError
from letters.selectors import letter_request_ids_pending
from letters.services import letter_issue


class Command(BaseCommand):
    help = "Issue pending letter requests in batches (a skimming incident: thousands of claims)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200, help="requests read per batch (memory bound)")
        parser.add_argument("--progress", type=int, default=100, help="print a progress line every N letters")
        parser.add_argument("--limit", type=int, default=0, help="stop after N letters (0: all pending)")

    def handle(self, *, batch: int, progress: int, limit: int, **options):
        issued = failed = 0
        skipped: set[int] = set()
        while not limit or issued < limit:
            # Only ids are held; each letter is rendered, stored and dropped before the next.
            ids = [i for i in letter_request_ids_pending(limit=batch + len(skipped)) if i not in skipped]
            if not ids:
                break
            for letter_request_id in ids[: (limit - issued) if limit else None]:
                try:
                    letter_issue(letter_request_id=letter_request_id, actor=None, now=clock.now())
                except LetterDataError as error:
                    failed += 1
                    skipped.add(letter_request_id)
                    self.stderr.write(f"request {letter_request_id}: {error}")
                    continue
                issued += 1
                if issued % progress == 0:
                    self.stdout.write(f"{issued} letters issued, {failed} refused")
        self.stdout.write(self.style.SUCCESS(f"done: {issued} letters issued, {failed} refused"))
