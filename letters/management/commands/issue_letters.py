"""Issue the pending letters in this process, in bounded batches, printing progress (mass events)."""

from django.core.management.base import BaseCommand, CommandError

from kartosfera import clock
from letters.selectors import letter_request_ids_pending
from letters.services import letter_request_process


class Command(BaseCommand):
    help = (
        "Issue pending letter requests in batches (a skimming incident: thousands of claims). Requests "
        "the case cannot make are held with their reason for staff, and held_ids once per run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200, help="requests read per batch (memory bound)")
        parser.add_argument("--progress", type=int, default=100, help="print a progress line every N letters")
        parser.add_argument("--limit", type=int, default=0, help="stop after N letters (0: all pending)")

    def handle(self, *, batch: int, progress: int, limit: int, **options):
        if batch < 1 or progress < 1 or limit < 0:
            raise CommandError("--batch and --progress are at least 1, --limit at least 0")
        issued = held = 0
        held_ids: set[int] = set()
        while not limit or issued < limit:
            # Only ids are held in memory; each letter is rendered, stored and dropped before the next.
            # A held request stays pending: skip the ones this run has already tried.
            ids = [i for i in letter_request_ids_pending(limit=batch + len(held_ids)) if i not in held_ids]
            if not ids:
                break
            for letter_request_id in ids[: (limit - issued) if limit else None]:
                outcome = letter_request_process(
                    letter_request_id=letter_request_id, actor=None, now=clock.now()
                )
                if outcome.hold is not None:
                    held += 1
                    held_ids.add(letter_request_id)
                    self.stderr.write(
                        f"request {letter_request_id} held ({outcome.hold.reason}): {outcome.hold.detail}"
                    )
                    continue
                issued += 1
                if issued % progress == 0:
                    self.stdout.write(f"{issued} letters issued, {held} held")
        self.stdout.write(self.style.SUCCESS(f"done: {issued} letters issued, {held} held"))
