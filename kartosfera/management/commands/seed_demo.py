from django.core.management.base import BaseCommand

from demo import seed_demo
from kartosfera.clock import now


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent) and print the demo sign-ins."

    def handle(self, *args, **options) -> None:
        for line in seed_demo(now=now()):
            self.stdout.write(line)
