"""Demo: no bank overrides are invented; show the deadlines a claim filed now would get.

A Polish bank keeps the statutory calendar; a closure day is an exceptional event (a system
migration, a disaster), so the demo adds none: the package calendar is the realistic one. The
overrides are edited in the admin.
"""

from datetime import datetime

from deadlines import engine


def seed(*, now: datetime) -> list[str]:
    """Create nothing; return the D+1 refund and reply deadlines of a claim filed at ``now``."""
    refund = engine.refund_due(reported_at=now)
    reply = engine.reply_due(received_at=now)
    return [
        f"Deadlines: a claim reported now is refunded by the end of {refund.due_date.isoformat()} "
        f"({refund.rule}) and answered by the end of {reply.due_date.isoformat()} ({reply.rule}); "
        "try `manage.py deadlines refund --reported-at 2025-12-23T10:00:00+01:00`.",
        "Bank closure and open days: /admin/deadlines/calendaroverride/",
    ]
