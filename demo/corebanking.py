"""Demo: the postings of the demo's ledger entries, confirmed by the core banking simulator.

`make demo` starts the simulator before seeding. The demo's claims happened over past months, so each
posting is sent here as it would have been then: a few minutes after its ledger entry, with that
time recorded as its confirmation (the moment the D+1 refund counts as made). Without a reachable
core system (the tests) they stay pending, and the dispatcher `make demo` runs sends them later.
"""

from datetime import datetime, timedelta

from corebanking.gateway import get_core_banking_gateway
from corebanking.models import Posting, PostingStatus
from corebanking.services import posting_send
from demo import SITE

# How long after its ledger entry the demo's core system confirms a posting.
CONFIRMED_AFTER = timedelta(minutes=3)


def seed(*, now: datetime) -> list[str]:
    gateway = get_core_banking_gateway()
    confirmed = 0
    for posting in Posting.objects.filter(status=PostingStatus.PENDING).order_by("recorded_at", "pk"):
        sent = posting_send(
            posting_id=posting.pk, gateway=gateway, now=min(now, posting.recorded_at + CONFIRMED_AFTER)
        )
        if sent.status != PostingStatus.CONFIRMED:
            break  # no core system here: the dispatcher sends the rest
        confirmed += 1
    return [
        f"Core banking postings: {Posting.objects.count()} from the demo's ledger entries, {confirmed} "
        "confirmed by the core banking simulator as they happened, the rest sent by the dispatcher: "
        f"{SITE}/back-office/postings/"
    ]
