"""Print the current TOTP code of a demo staff member (for the demo only, refused unless DEBUG)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disputes.backoffice.services import staff_totp_current_code


class Command(BaseCommand):
    help = "Print the current back-office TOTP code of a staff member (DEBUG only: a demo helper)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("only in a DEBUG (demo) deployment")
        code = staff_totp_current_code(username=options["username"])
        if code is None:
            raise CommandError(f"{options['username']} has no back-office TOTP device")
        self.stdout.write(code)
