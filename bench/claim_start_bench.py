"""Benchmark: the claim's start page against the card's history (100 and 2,000 transactions, one run).

    .venv/bin/python bench/claim_start_bench.py [--database-url URL] [--runs R] [--small N] [--large N]

Uses its own database (default ``postgres://postgres@127.0.0.1:5432/kartosfera_bench_start``,
created and migrated here, emptied on each run; env ``BENCH_START_DATABASE_URL``). One customer
holds two cards, one with ``--small`` settled transactions and one with ``--large``; two of the
large card's transactions are in an open claim. The signed-in customer opens each card's start
page ``--runs`` times, alternating, through Django's full request stack (the figure is the time of
``Client.get``, no network). Printed: the median and p95 of each and the ratio of the medians (the
page is flat against history when it is near 1).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench_start"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database-url", default=os.environ.get("BENCH_START_DATABASE_URL", DEFAULT_URL))
parser.add_argument("--runs", type=int, default=40)
parser.add_argument("--small", type=int, default=100)
parser.add_argument("--large", type=int, default=2000)
ARGS = parser.parse_args()
os.environ["DATABASE_URL"] = ARGS.database_url
os.environ["CELERY_BROKER_URL"] = ""
os.environ["KARTOSFERA_SMS_ECHO"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartosfera.settings")

from benchdb import ensure_database, scratch_audit_anchors  # noqa: E402

scratch_audit_anchors()
if not ensure_database(ARGS.database_url):
    sys.exit(0)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from customers.middleware import SIGNED_IN_AT  # noqa: E402
from disputes.services import claim_create_draft, claim_submit  # noqa: E402
from kartosfera import clock  # noqa: E402
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory  # noqa: E402
from tests.customers.factories import CustomerFactory, UserFactory  # noqa: E402


def _load():
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # the benchmark's own database, anew each run
    user = UserFactory(username=f"bench-start-{time.time_ns()}")
    customer = CustomerFactory(user=user)
    product = CardProductFactory(code=f"bench-start-{time.time_ns()}")
    now = clock.now()
    cards = {}
    for label, count in (("small", ARGS.small), ("large", ARGS.large)):
        card = CardFactory(customer=customer, product=product, brand=product.brand)
        TransactionFactory.create_batch(
            count,
            card=card,
            executed_at=factory_time(now),
            amount_pln=Decimal("42.00"),
            original_amount=Decimal("42.00"),
            channel="CHIP_POS",
        )
        cards[label] = card
    held = list(cards["large"].transactions.order_by("-executed_at")[:2].values_list("pk", flat=True))
    draft = claim_create_draft(
        customer=customer, card_id=cards["large"].pk, transaction_ids=held, channel="PORTAL", cause="STOLEN",
        actor=user, now=now,
    )  # fmt: skip
    claim_submit(case_id=draft.pk, actor=user, now=now)
    return user, cards


def factory_time(now):
    import factory

    return factory.Sequence(lambda n: now - timedelta(hours=n + 1))


def main() -> None:
    user, cards = _load()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = clock.now().isoformat()
    session.save()
    timings = {"small": [], "large": []}
    for label, card in cards.items():  # warm-up
        assert client.get(f"/claims/new/{card.pk}/").status_code == 200, label
    for _ in range(ARGS.runs):
        for label, card in cards.items():
            started = time.perf_counter()
            response = client.get(f"/claims/new/{card.pk}/")
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    for label, count in (("small", ARGS.small), ("large", ARGS.large)):
        values = sorted(timings[label])
        p95 = values[int(len(values) * 0.95) - 1]
        median = statistics.median(values)
        print(f"start page, {count:>5} transactions: median {median:6.1f} ms, p95 {p95:6.1f} ms")
    ratio = statistics.median(timings["large"]) / statistics.median(timings["small"])
    print(f"ratio of the medians ({ARGS.large} against {ARGS.small}): {ratio:.2f}× (target ≤ 1.3×)")


if __name__ == "__main__":
    main()
