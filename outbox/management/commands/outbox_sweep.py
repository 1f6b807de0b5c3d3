from django.core.management.base import BaseCommand

from kartosfera.clock import now
from outbox.services import outbox_sweep


class Command(BaseCommand):
    help = "Publish again the outbox rows whose publication failed (what the beat sweep does each minute)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"published {outbox_sweep(now=now())}")
