"""Benchmark: back-office queue and case pages on 1,000,000 cases in PostgreSQL (median server time).

    .venv/bin/python bench/backoffice_bench.py [--cases N] [--database-url URL] [--runs R]

Uses its own database (default ``postgres://postgres@127.0.0.1:5432/kartosfera_bench_bo``; env
``BENCH_BO_DATABASE_URL``), loaded by the benchmarks' caseload (``bench/caseload.py``) (``INSERT …
SELECT … generate_series``: 90 % closed, 5 % withdrawn, ~50,000 open cases, a chargeback per open case;
a smaller ``--cases`` keeps that mix, and under 19 it holds no open case and the benchmark refuses). The
first 2,000 open cases (all of them, when fewer) are assigned to the analyst. Each page is requested
``--runs`` times through Django's full request stack (middleware, session, OTP check, template) by a
signed-in staff member with a verified second factor; the figure is the time of ``Client.get`` (no
network). The queue's query is then run as raw SQL through the same connection, so the page can be
compared with the database's own time, and EXPLAIN (ANALYZE, BUFFERS) of it is printed.
"""

import os
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from benchdb import caseload_benchmark_setup, time_call  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench_bo"

ARGS = caseload_benchmark_setup(
    __doc__.splitlines()[0], url_variable="BENCH_BO_DATABASE_URL", url=DEFAULT_URL, runs=30
)
import caseload  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from customers.middleware import SIGNED_IN_AT  # noqa: E402
from customers.models import User  # noqa: E402
from disputes.backoffice.selectors import PAGE_SIZE, QueueFilters, queue_cases  # noqa: E402
from disputes.backoffice.services import staff_totp_device_ensure  # noqa: E402
from disputes.models import OPEN_STATES, Case  # noqa: E402
from disputes.services import staff_groups_ensure  # noqa: E402
from kartosfera import clock  # noqa: E402

NOW = caseload.NOW
FILTERED = "cause=LOST&amount_min=500&amount_max=2000"


def _staff(username: str, group: str) -> User:
    staff_groups_ensure()
    user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    user.groups.add(*user.groups.model.objects.filter(name=group))
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_totp_device_ensure(user=user).persistent_id
    session[SIGNED_IN_AT] = clock.now().isoformat()  # the absolute session limit counts from here
    session.save()
    return client


def main() -> int:
    caseload.ensure_loaded(ARGS.cases, reload=ARGS.reload)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    clock.now = lambda: NOW  # the loader's deadlines are spread around its "now"
    analyst, supervisor = _staff("bench-analyst", "analysts"), _staff("bench-supervisor", "supervisors")
    open_ids = list(
        Case.objects.filter(state__in=OPEN_STATES).order_by("id").values_list("id", flat=True)[:2000]
    )
    if not open_ids:  # the queues would be empty and the case page has no case to show
        print(
            f"REFUSED: no open case among the {Case.objects.count():,} cases loaded; the benchmark needs "
            f"at least {caseload.FEWEST_WITH_AN_OPEN_CASE} (--cases), loaded by this caseload (--reload)"
        )
        return 1
    Case.objects.filter(assignee=analyst).exclude(id__in=open_ids).update(assignee=None)
    Case.objects.filter(id__in=open_ids).update(assignee=analyst)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disputes_case")
    total = Case.objects.count()
    open_count = Case.objects.filter(state__in=OPEN_STATES).count()
    print(
        f"{total:,} cases, {open_count:,} open; PostgreSQL {connection.pg_version}; runs {ARGS.runs}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    client = _client(supervisor)
    pages = [
        ("queue: my cases (analyst)", _client(analyst), "/back-office/queue/mine/"),
        ("queue: all open", client, "/back-office/queue/all/"),
        ("queue: unassigned", client, "/back-office/queue/unassigned/"),
        ("queue: due today", client, "/back-office/queue/due_today/"),
        ("queue: breached", client, "/back-office/queue/breached/"),
        ("queue: awaiting the customer", client, "/back-office/queue/awaiting/"),
        ("queue: chargebacks", client, "/back-office/queue/chargebacks/"),
        ("queue: fraud suspected", client, "/back-office/queue/fraud/"),
        ("queue: all open, LOST, 500-2000 PLN", client, "/back-office/queue/all/?" + FILTERED),
        ("queue: all open, page 20", client, "/back-office/queue/all/?page=20"),
        ("case page", client, f"/back-office/cases/{open_ids[0]}/"),
    ]  # fmt: skip
    print(f"{'page':50} {'median ms':>10} {'max ms':>8} {'CPU ms':>8} {'queries':>8}")
    measured: dict[str, tuple[float, float]] = {}
    for label, page_client, url in pages:

        def get(page_client=page_client, url=url):
            response = page_client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        median, worst, cpu, queries = time_call(get, ARGS.runs)
        measured[label] = (median, cpu)
        print(f"{label:50} {median:10.1f} {worst:8.1f} {cpu:8.1f} {queries:8d}")
    for name, user in (("all", supervisor), ("mine", analyst)):
        queryset = queue_cases(name=name, user=user, now=NOW, filters=QueueFilters()).select_related(
            "customer", "assignee", "card"
        )[: PAGE_SIZE + 1]
        sql, params = queryset.query.sql_with_params()

        def raw(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        median, worst, cpu, _ = time_call(raw, ARGS.runs)
        measured[f"raw SQL of queue {name}"] = (median, cpu)
        print(f"{'raw SQL of queue ' + name:50} {median:10.1f} {worst:8.1f} {cpu:8.1f} {1:8d}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print(f"-- EXPLAIN queue {name}:")
            print("\n".join(row[0] for row in cursor.fetchall()))
    # The rows query the page itself sends (its columns only, as the selector reads them), run raw.
    for name, page_client, url in (
        ("all", client, "/back-office/queue/all/"),
        ("mine", pages[0][1], "/back-office/queue/mine/"),
    ):
        with CaptureQueriesContext(connection) as captured:
            page_client.get(url)
        (sql,) = [
            q["sql"]
            for q in captured.captured_queries
            if 'FROM "disputes_case"' in q["sql"] and "LIMIT" in q["sql"]
        ]

        def raw(sql=sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()

        median, worst, cpu, _ = time_call(raw, ARGS.runs)
        measured[f"page's own rows query, queue {name}"] = (median, cpu)
        print(f"{'the page rows query of queue ' + name:50} {median:10.1f} {worst:8.1f} {cpu:8.1f} {1:8d}")
    for name, label in (("all", "queue: all open"), ("mine", "queue: my cases (analyst)")):
        page = measured[label]
        for what in (f"raw SQL of queue {name}", f"page's own rows query, queue {name}"):
            raw = measured[what]
            print(
                f"queue {name}: the page {page[0] / raw[0]:.1f}x the {what} (wall, target 4x), "
                f"{page[1] / raw[1]:.1f}x (CPU of this process)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
