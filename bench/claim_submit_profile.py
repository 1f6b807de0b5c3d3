"""Profile of the claim submit POST in one process: its queries, its cProfile, against the card list.

    .venv/bin/python bench/claim_submit_profile.py [--database-url URL] [--broker-url URL]
        [--customers N] [--profile-out FILE] [--queries]

The customers and their stolen cards are the claims benchmark's (``bench/claims_bench.py``, its own
database, default ``postgres://postgres@127.0.0.1:5432/kartosfera_bench_claims_profile``); each signs
in and walks the portal's claim pages with Django's test client (the full request stack, no network),
and the submit POST and a card list GET are timed side by side (wall and CPU of this process) and
their queries counted (``CaptureQueriesContext``). The broker is real (Redis), so the publish after
commit is paid as in production. With ``--queries`` the submit's SQL is printed; with
``--profile-out`` the cProfile of every submit POST but the first is written there (``pstats``) and its top
functions printed (the timings are then inflated by the profiler: compare them without it).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument(
    "--database-url",
    default=os.environ.get(
        "BENCH_CLAIMS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kartosfera_bench_claims_profile"
    ),
)
parser.add_argument(
    "--broker-url", default=os.environ.get("BENCH_CLAIMS_BROKER_URL", "redis://127.0.0.1:6379/13")
)
parser.add_argument("--customers", type=int, default=12)
parser.add_argument("--profile-out", default="")
parser.add_argument("--queries", action="store_true")
ARGS = parser.parse_args()

sys.argv = [sys.argv[0], "--database-url", ARGS.database_url, "--broker-url", ARGS.broker_url]
sys.path.insert(0, str(BENCH))
import claims_bench as claims  # noqa: E402  (sets Django up on the database above)
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from demo import liability as rates_demo  # noqa: E402
from kartosfera import clock  # noqa: E402
from kartosfera.celery import app  # noqa: E402


def _post(client: Client, path: str, page: str, form: dict) -> str:
    token = claims.CSRF.search(page)
    response = client.post(path, {"csrfmiddlewaretoken": token[1], **form})
    assert response.status_code == 302, (path, response.status_code, response.content[:800])
    return response["Location"]


def _timed(call) -> tuple[float, float, int, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - started_cpu) * 1000
    return wall, cpu, len(captured.captured_queries), list(captured.captured_queries)


def main() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    rates_demo.seed(now=clock.now())
    customers = claims._customers(ARGS.customers)
    today = clock.today_warsaw().isoformat()
    app.control.purge()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    profiler = cProfile.Profile()
    submit, cards, shown = [], [], False
    for pesel, card_id in customers:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        page = client.get("/sign-in/").content.decode()
        _post(client, "/sign-in/", page, {"identifier": pesel, "password": claims.PASSWORD})
        page = client.get(f"/claims/new/{card_id}/").content.decode()
        chosen = claims.TRANSACTION.findall(page)
        draft = claims.DRAFT_TOKEN.search(page)
        form = {"transactions": chosen, "draft_token": draft[1] if draft else ""}
        path = _post(client, f"/claims/new/{card_id}/", page, form)
        for _, answer in claims.STEPS:
            page = client.get(path).content.decode()
            path = _post(client, path, page, answer or {"noticed_on": today, "noticed_time": "08:15"})
        review = path.replace("/step/evidence/", "/step/review/")
        page = client.get(review).content.decode()
        cards.append(_timed(lambda client=client: client.get("/cards/")))
        token = claims.CSRF.search(page)[1]

        def post(client=client, review=review, token=token):
            response = client.post(review, {"csrfmiddlewaretoken": token})
            assert response.status_code == 302, response.content[:800]

        if ARGS.profile_out and len(submit) > 0:  # the first submission imports the task modules
            profiler.enable()
        submit.append(_timed(post))
        profiler.disable()
        cards.append(_timed(lambda client=client: client.get("/cards/")))
        if ARGS.queries and not shown:
            shown = True
            for number, query in enumerate(submit[-1][3], 1):
                print(f"{number:3d} {query['time']:>6} {query['sql'][:300]}")
    app.control.purge()
    load = os.getloadavg()
    print(
        f"{len(customers)} submissions on PostgreSQL {connection.pg_version}, broker {ARGS.broker_url}; "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f}"
    )
    print(f"{'request':20} {'wall p50 ms':>12} {'CPU p50 ms':>11} {'queries':>8}")
    for label, timings in (("submit POST", submit[1:]), ("card list GET", cards[2:])):
        print(
            f"{label:20} {statistics.median(t[0] for t in timings):12.1f} "
            f"{statistics.median(t[1] for t in timings):11.1f} {timings[-1][2]:8d}"
        )
    wall = statistics.median(t[0] for t in submit[1:]) / statistics.median(t[0] for t in cards[2:])
    cpu = statistics.median(t[1] for t in submit[1:]) / statistics.median(t[1] for t in cards[2:])
    print(f"submit POST / card list GET: {wall:.1f}x wall, {cpu:.1f}x CPU (target 3x)")
    if ARGS.profile_out:
        profiler.dump_stats(ARGS.profile_out)
        pstats.Stats(ARGS.profile_out).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main())
