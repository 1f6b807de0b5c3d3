"""Demo: the audit log sealed and anchored, so that ``verify_audit`` names the anchor it checked."""

from datetime import datetime

from django.conf import settings

from audit.services import audit_anchor


def seed(*, now: datetime) -> list[str]:
    """Seal what the other seeders recorded and anchor the chain head (idempotent)."""
    anchor = audit_anchor(now=now)
    if anchor is None:
        return []
    return [
        f"Audit log: sealed up to sequence {anchor.sequence}, anchored in "
        f"{settings.KARTOSFERA_AUDIT_ANCHOR_DIR}/{anchor.file} "
        "(`manage.py verify_audit` checks the chain against it)"
    ]
