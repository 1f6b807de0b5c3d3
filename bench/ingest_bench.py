"""Benchmark: the transaction feed through /api/v1/ on PostgreSQL, in batches of 1,000, against a plain
COPY of the same rows (the floor).

    .venv/bin/python bench/ingest_bench.py [--batches N] [--database-url URL]

Default database ``postgres://postgres@127.0.0.1:5432/kartosfera_ingest_bench`` (env
``BENCH_DATABASE_URL``; created and migrated when missing). One run:

- ``api``: ``POST /api/v1/transactions/batch`` with 1,000 records each, through Django's whole request
  stack in-process (middleware including the card-number guard, the OAuth 2.0 token and scope check,
  the rate limit, pydantic validation, the idempotency record, the ingest service with its one audit
  entry per batch), with a real client token; no socket (the WSGI handler is called directly);
- ``copy``: the same number of rows (other processor references) with ``COPY cards_transaction FROM
  STDIN`` on one connection: the floor any feed into this table pays.

Prints transactions per second of each and their ratio.
"""

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_ingest_bench"
BATCH = 1000
COLUMNS = (
    "card_id, processor_reference, channel, merchant_name, mcc, merchant_city, merchant_country, "
    "original_amount, original_currency, amount_pln, executed_at, debited_on, processed_on, sca_applied, "
    "authorisation_code, status"
)


def _record(reference: str, token: str, n: int) -> dict:
    return {
        "processor_reference": reference,
        "card_token": token,
        "status": "SETTLED",
        "channel": ("CONTACTLESS", "CHIP_POS", "INTERNET", "ATM")[n % 4],
        "merchant_name": f"Sklep {n % 977}",
        "mcc": "5411",
        "merchant_city": "Warszawa",
        "merchant_country": "PL" if n % 10 else "DE",
        "original_amount": f"{(n % 5000) + 1}.{n % 100:02d}",
        "original_currency": "PLN",
        "amount_pln": f"{(n % 5000) + 1}.{n % 100:02d}",
        "executed_at": "2026-11-30T08:15:00+01:00",
        "debited_on": "2026-12-01",
        "processed_on": "2026-12-01",
        "sca_applied": bool(n % 2),
        "authorisation_code": "A1B2C3",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print the API run's N costliest calls (cProfile)"
    )
    args = parser.parse_args()
    os.environ["CELERY_BROKER_URL"] = ""
    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import django_setup

    django_setup(args.database_url)
    import caseload
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # no query log
    from api.services import api_client_create
    from kartosfera.clock import now

    run = uuid.uuid4().hex[:8]
    _customer, card = caseload.owner()
    created = api_client_create(
        name=f"bench-{run}", scopes=["transactions:write"], actor=None, now=now(), rate_limit_per_minute=10**9
    )
    http = Client()
    token = http.post(
        "/api/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": created.client_id,
            "client_secret": created.client_secret,
        },
    ).json()["access_token"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    bodies = [
        json.dumps(
            {
                "transactions": [
                    _record(f"B{run}-{b}-{i}", card.processor_token, b * BATCH + i) for i in range(BATCH)
                ]
            }
        )
        for b in range(args.batches)
    ]
    # One warm-up batch (imports, caches), not counted.
    warm = json.dumps(
        {"transactions": [_record(f"W{run}-{i}", card.processor_token, i) for i in range(BATCH)]}
    )
    assert (
        http.post(
            "/api/v1/transactions/batch",
            warm,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"w-{run}",
            **headers,
        ).status_code
        == 200
    )
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for b, body in enumerate(bodies):
        response = http.post(
            "/api/v1/transactions/batch",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"{run}-{b}",
            **headers,
        )
        assert response.status_code == 200 and response.json()["created"] == BATCH, response.content[:300]
    api_seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)

    rows = [
        (
            card.pk,
            f"C{run}-{n}",
            r["channel"],
            r["merchant_name"],
            r["mcc"],
            r["merchant_city"],
            r["merchant_country"],
            r["original_amount"],
            "PLN",
            r["amount_pln"],
            r["executed_at"],
            r["debited_on"],
            r["processed_on"],
            r["sca_applied"],
            r["authorisation_code"],
            "SETTLED",
        )
        for n, r in enumerate(_record("", card.processor_token, n) for n in range(args.batches * BATCH))
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        with raw.copy(f"COPY cards_transaction ({COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    copy_seconds = time.perf_counter() - started

    total = args.batches * BATCH
    api_rate, copy_rate = total / api_seconds, total / copy_seconds
    print(f"machine: {platform.node()} nproc {os.cpu_count()} load {os.getloadavg()[0]:.2f}")
    print(
        f"api:  {total} transactions in {args.batches} batches of {BATCH}: "
        f"{api_seconds:.2f} s, {api_rate:,.0f} tx/s"
    )
    print(f"copy: {total} rows: {copy_seconds:.2f} s, {copy_rate:,.0f} rows/s")
    print(f"ratio copy/api: {copy_rate / api_rate:.2f}x; target >= 5,000 tx/s and within 5x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
