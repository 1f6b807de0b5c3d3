"""Demo data: every app that has something to show contributes a seeder, run in order.

Each seeder is ``seed(*, now) -> list[str]``: idempotent (running it twice changes nothing), and
returns the lines to print for the person trying the demo (sign-ins, what to look at).
"""

from collections.abc import Callable
from datetime import datetime
from importlib import import_module

from django.db import transaction

# Order matters: later seeders use what earlier ones created.
SEEDERS: list[str] = [
    "demo.customers.seed",
    "demo.cards.seed",
    "demo.deadlines.seed",
    "demo.liability.seed",
    "demo.disputes.seed",
    "demo.letters.seed",
    "demo.backoffice.seed",
    "demo.reports.seed",
    "demo.exports.seed",
    "demo.corebanking.seed",
    "demo.api_clients.seed",
    # Seals and anchors what every seeder before it recorded.
    "demo.audit.seed",
    # After the anchor: the demo auditor's verification is checked against it.
    "demo.reports.seed_audit_verification",
]


def seed_demo(*, now: datetime) -> list[str]:
    """Run every app's demo seeder in one transaction; return what they say."""
    lines: list[str] = []
    with transaction.atomic():
        for dotted in SEEDERS:
            module_path, _, name = dotted.rpartition(".")
            seeder: Callable[..., list[str]] = getattr(import_module(module_path), name)
            lines.extend(seeder(now=now))
    return lines
