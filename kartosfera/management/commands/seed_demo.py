from django.core.management.base import BaseCommand, CommandParser

from demo import seed_demo, site_url
from kartosfera.clock import now


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent) and print the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="the address the demo server runs on, as given to runserver; the printed links use it",
        )

    def handle(self, *args, **options) -> None:
        for line in seed_demo(now=now(), site=site_url(options["addr"])):
            self.stdout.write(line)
