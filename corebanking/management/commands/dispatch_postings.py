"""Send the postings that are due to the core banking system now (what the beat task does each minute)."""

from django.core.management.base import BaseCommand

from corebanking.tasks import dispatch_postings


class Command(BaseCommand):
    help = "Send the core banking postings that are due."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, limit: int, **options) -> None:
        counts = dispatch_postings(limit=limit)
        self.stdout.write(f"confirmed {counts['confirmed']}, still pending {counts['pending']}")
