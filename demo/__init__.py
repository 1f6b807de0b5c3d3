"""Demo data: every app that has something to show contributes a seeder, run in order.

Each seeder is ``seed(*, now) -> list[str]``: idempotent (running it twice changes nothing), and
returns the lines to print for the person trying the demo (sign-ins, what to look at). A link in them
starts with ``SITE``; ``seed_demo`` writes it with the address the demo server actually serves on.
"""

from collections.abc import Callable
from datetime import datetime
from importlib import import_module

from django.db import transaction

from demo.sweeps import sweep

# The demo server's address as the seeders write their links; `make demo DEMO_ADDR=...` moves them.
SITE = "http://127.0.0.1:8000"

# Order matters: later seeders use what earlier ones created.
SEEDERS: list[str] = [
    "demo.customers.seed",
    "demo.cards.seed",
    "demo.deadlines.seed",
    "demo.liability.seed",
    # The letters' recipients and signatories: each case's letters are issued at its steps' times.
    "demo.letters.seed_recipients",
    "demo.disputes.seed",
    "demo.backoffice.seed",
    "demo.reports.seed",
    # The print room's daily batches of every case above, in date order (their numbers rise with time).
    "demo.disputes.seed_print_room",
    # What the letters of every case above show.
    "demo.letters.seed",
    "demo.exports.seed",
    "demo.corebanking.seed",
    "demo.api_clients.seed",
    # Seals and anchors what every seeder before it recorded.
    "demo.audit.seed",
    # After the anchor: the demo auditor's verification is checked against it.
    "demo.reports.seed_audit_verification",
]


def site_url(addr: str) -> str:
    """The address to open for a server started with ``runserver <addr>`` (``port``, ``host:port``).

    A server listening on every interface (``0.0.0.0``, ``[::]``) is opened on this machine.
    """
    host, _, port = addr.strip().rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "0"):  # noqa: S104 (an address given to runserver, not bound here)
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def seed_demo(*, now: datetime, site: str = SITE) -> list[str]:
    """Run every app's demo seeder in one transaction, then the dispute sweeps once as of ``now``
    (demo.sweeps); return what they say (the sweeps' line after the cases'), with links to ``site``."""
    lines: list[str] = []
    after_disputes = 0
    with transaction.atomic():
        for dotted in SEEDERS:
            module_path, _, name = dotted.rpartition(".")
            seeder: Callable[..., list[str]] = getattr(import_module(module_path), name)
            lines.extend(seeder(now=now))
            if dotted == "demo.disputes.seed":
                after_disputes = len(lines)
    # After the commit, as the beat would have by ``now``: the cases are there, their letters issued.
    lines[after_disputes:after_disputes] = sweep(now=now)
    return [line.replace(SITE, site.rstrip("/")) for line in lines]
