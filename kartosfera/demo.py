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
    "customers.demo.seed",
    "cards.demo.seed",
    "deadlines.demo.seed",
    "liability.demo.seed",
    "disputes.demo.seed",
    "letters.demo.seed",
    "disputes.backoffice.demo.seed",
    "reports.demo.seed",
    "reports.exports.demo.seed",
    "corebanking.demo.seed",
    "api.demo.seed",
    # Seals and anchors what every seeder before it recorded.
    "audit.demo.seed",
    # After the anchor: the demo auditor's verification is checked against it.
    "reports.demo.seed_audit_verification",
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
