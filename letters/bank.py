"""The bank's identity for letters, from settings (KARTOSFERA_BANK and the emergency lines)."""

from typing import Any

from django.conf import settings

from letters.snapshot import BankIdentity, PostalAddress


def bank_identity() -> BankIdentity:
    """The bank as it signs its letters: name, seat, registration data, complaint department."""
    config: dict[str, Any] = dict(settings.KARTOSFERA_BANK)
    config["address"] = PostalAddress(**config["address"])
    config["complaint_address"] = PostalAddress(**config["complaint_address"])
    return BankIdentity(
        **config,
        emergency_line=settings.KARTOSFERA_EMERGENCY_LINE,
        emergency_line_abroad=settings.KARTOSFERA_EMERGENCY_LINE_ABROAD,
    )
