"""Demo: where to see the postings of the demo's ledger entries (`make demo` runs the simulator and a
dispatcher that sends them within seconds)."""

from datetime import datetime

from corebanking.models import Posting


def seed(*, now: datetime) -> list[str]:
    return [
        f"Core banking postings: {Posting.objects.count()} from the demo's ledger entries, sent to the core "
        "banking simulator by the dispatcher: http://127.0.0.1:8000/back-office/postings/"
    ]
