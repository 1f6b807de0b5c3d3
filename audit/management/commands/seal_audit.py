"""``manage.py seal_audit``: chain the audit entries waiting for the sealer; ``--follow`` keeps doing it."""

import time

from django.core.management.base import BaseCommand

from audit.services import audit_anchor, audit_seal
from kartosfera.clock import now


class Command(BaseCommand):
    help = (
        "Seal the audit entries waiting for the sealer (number and hash them in order), then anchor the "
        "chain head. --follow: keep sealing every --interval seconds (a dedicated sealer process)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--follow", action="store_true", help="keep sealing until stopped")
        parser.add_argument("--interval", type=float, default=0.2, help="seconds between runs with --follow")

    def handle(self, *args, **options) -> None:
        if not options["follow"]:
            anchor = audit_anchor(now=now())
            self.stdout.write(
                "Audit log sealed"
                + ("" if anchor is None else f"; anchor at sequence {anchor.sequence} ({anchor.file})")
            )
            return
        while True:
            audit_seal(now=now())
            time.sleep(options["interval"])
