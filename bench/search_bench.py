"""Benchmark: the back office's search box at 1,000,000 cases on PostgreSQL, each kind of lookup beside
the queue page in the same run (median server time through Django's full request stack).

    .venv/bin/python bench/search_bench.py [--cases N] [--customers N] [--database-url URL] [--runs R]

Loads the back-office benchmark's database (``bench/backoffice_bench.py``: the dispute sweep
benchmark's 1,000,000 cases), then spreads the cases over ``--customers`` customers with Polish names
(one in ten without a PESEL, with a bank id), a card each (last four digits spread over 0000-9999)
and one disputed transaction a case at one of 24 merchants, cloned in SQL from the loader's rows.
Target: no lookup slower than the queue page ("queue: all open") in the same run.
"""

import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench_search"

_argv = sys.argv[1:]
_customers = 200_000
if "--customers" in _argv:
    at = _argv.index("--customers")
    _customers = int(_argv[at + 1])
    del _argv[at : at + 2]
if "--database-url" not in _argv:
    _argv += ["--database-url", os.environ.get("BENCH_SEARCH_DATABASE_URL", DEFAULT_URL)]
# The back-office benchmark parses the rest and, through the sweep benchmark's loader, sets Django up.
sys.argv = [sys.argv[0], *_argv]
sys.path.insert(0, str(BENCH))
import backoffice_bench as bo  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cards.models import Card, Transaction  # noqa: E402
from customers.middleware import SIGNED_IN_AT  # noqa: E402
from customers.models import Customer  # noqa: E402
from disputes.backoffice.search import backoffice_search  # noqa: E402
from disputes.models import OPEN_STATES, Case  # noqa: E402
from kartosfera import clock  # noqa: E402

CUSTOMERS = _customers
FIRST = ["Anna", "Piotr", "Małgorzata", "Krzysztof", "Agnieszka", "Tomasz", "Łucja", "Paweł", "Żaneta",
         "Michał", "Katarzyna", "Jerzy", "Ewa", "Grzegorz", "Zofia", "Łukasz"]  # fmt: skip
LAST = ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
        "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk",
        "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski", "Michalski", "Nowicki", "Adamczyk", "Dudek",
        "Zając", "Wieczorek", "Jabłoński", "Król",
        "Majewski", "Olszewski", "Jaworski", "Wróbel", "Malinowski",
        "Pawlak", "Witkowski", "Walczak", "Stępień", "Górski", "Rutkowski", "Michalak", "Sikora", "Ostrowski",
        "Baran", "Duda", "Szewczyk", "Tomaszewski", "Pietrzak", "Marciniak", "Wróblewski", "Zalewski",
        "Jakubowski", "Jasiński", "Zawadzki", "Sadowski", "Bąk", "Chmielewski", "Włodarczyk", "Borkowski",
        "Czarnecki", "Sawicki", "Sokołowski", "Urbański", "Kubiak",
        "Maciejewski", "Szczepański", "Kucharski",
        "Wilk", "Kalinowski", "Lis", "Mazurek", "Wysocki", "Adamski", "Kaźmierczak", "Wasilewski", "Sobczak",
        "Czerwiński", "Andrzejewski", "Cieślak", "Głowacki", "Zakrzewski", "Kołodziej",
        "Sikorski", "Krajewski",
        "Gajewski", "Szymczak", "Szulc", "Baranowski", "Laskowski", "Brzeziński", "Makowski", "Ziółkowski",
        "Przybylski", "Żak", "Łukasiewicz", "Ślusarczyk", "Żukowski"]  # fmt: skip
MERCHANTS = ["Biedronka", "Żabka", "Lidl", "Orlen", "Allegro", "Rossmann", "Empik", "Media Markt", "Kaufland",
             "Auchan", "Carrefour", "Pepco", "Decathlon", "IKEA", "Circle K", "Shell", "Uber", "Bolt",
             "Netflix", "Spotify", "Apteka Gemini", "Stokrotka", "Dino",
             "Łódzka Piekarnia Świętokrzyska"]  # fmt: skip


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _clone_sql(model, overrides: dict[str, str], template_pk: int, source: str, where: str = "true") -> str:
    """INSERT … SELECT cloning the row ``template_pk`` once per row of ``source``, some columns replaced."""
    columns = [
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "generated", False)
    ]
    values = [overrides.get(column, f"t.{column}") for column in columns]
    table = model._meta.db_table
    # Table, columns and expressions are this module's constants.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608
        f"FROM {table} AS t, {source} WHERE t.id = {template_pk} AND ({where})"
    )


def _client(user):
    """The back-office benchmark's signed-in client, with the sign-in time the session checks."""
    client = bo._client(user)
    session = client.session
    session[SIGNED_IN_AT] = bo.NOW.isoformat()
    session.save()
    return client


def _spread() -> None:
    """Customers, cards and one transaction a case, so each lookup has realistic data to find."""
    if Transaction.objects.filter(processor_reference="bench-search-1").exists():
        return  # spread by an earlier run
    owner = Case.objects.order_by("id").values_list("customer_id", "card_id").first()
    template_tx = (
        Transaction.objects.filter(processor_reference="bench-tx").values_list("pk", flat=True).get()
    )
    cases = Case.objects.count()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        source = f"generate_series(1, {CUSTOMERS}) AS g"
        cursor.execute(
            _clone_sql(
                Customer,
                {
                    "pesel": "CASE WHEN g % 10 = 0 THEN NULL ELSE (70000000000 + g)::text END",
                    "bank_id": "CASE WHEN g % 10 = 0 THEN (40000000 + g)::text END",
                    "first_name": f"({_array(FIRST)})[1 + g % {len(FIRST)}]",
                    "last_name": f"({_array(LAST)})[1 + (g / {len(FIRST)}) % {len(LAST)}]",
                    "mobile_phone": "'+48' || (500000000 + g)::text",
                    "email": "'c' || g || '@bench-search.example'",
                    "user_id": "NULL",
                },
                owner[0],
                source,
            )
        )
        first_customer = (
            Customer.objects.filter(email="c1@bench-search.example").values_list("pk", flat=True).get()
        )
        cursor.execute(
            _clone_sql(
                Card,
                {
                    "customer_id": f"{first_customer} + g - 1",
                    "last4": "lpad(((g * 7919) % 10000)::text, 4, '0')",
                    "processor_token": "'tok_bench_search_' || g",
                    "replaces_id": "NULL",
                },
                owner[1],
                source,
            )
        )
        first_card = (
            Card.objects.filter(processor_token="tok_bench_search_1")  # noqa: S106 (an opaque reference)
            .values_list("pk", flat=True)
            .get()
        )
        print(
            f"loaded {CUSTOMERS:,} customers and cards in {time.perf_counter() - started:.1f} s", flush=True
        )
        started = time.perf_counter()
        cursor.execute(
            f"UPDATE disputes_case SET customer_id = {first_customer} + id % {CUSTOMERS}, "  # noqa: S608
            f"card_id = {first_card} + id % {CUSTOMERS}"
        )
        print(f"spread the cases in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        cursor.execute(
            _clone_sql(
                Transaction,
                {
                    "card_id": f"{first_card} + g % {CUSTOMERS}",
                    "processor_reference": "'bench-search-' || g",
                    "merchant_name": f"({_array(MERCHANTS)})[1 + g % {len(MERCHANTS)}]",
                    "amount_pln": "10 + g % 5000",
                    "original_amount": "10 + g % 5000",
                },
                template_tx,
                f"generate_series(1, {cases}) AS g",
            )
        )
        first_tx = (
            Transaction.objects.filter(processor_reference="bench-search-1")
            .values_list("pk", flat=True)
            .get()
        )
        cursor.execute(
            "INSERT INTO disputes_casetransaction (case_id, transaction_id, amount, is_open, window_rule, "
            "out_of_window) "
            "SELECT c.id, %s + c.id - 1, c.disputed_amount, "
            "c.state NOT IN ('CLOSED', 'WITHDRAWN'), '', false FROM disputes_case AS c "
            "WHERE NOT EXISTS (SELECT 1 FROM disputes_casetransaction l WHERE l.case_id = c.id)",
            [first_tx],
        )
        print(
            f"loaded {cases:,} transactions and their links in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for table in (
            "customers_customer",
            "cards_card",
            "cards_transaction",
            "disputes_case",
            "disputes_casetransaction",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> int:
    bo.call_command("migrate", verbosity=0, interactive=False)
    if Case.objects.count() != bo.ARGS.cases:
        bo.loader._load(bo.ARGS.cases)
    _spread()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    clock.now = lambda: bo.NOW
    analyst, supervisor = bo._staff("bench-analyst", "analysts"), bo._staff("bench-supervisor", "supervisors")
    open_ids = list(
        Case.objects.filter(state__in=OPEN_STATES).order_by("id").values_list("id", flat=True)[:2000]
    )
    Case.objects.filter(assignee=analyst).exclude(id__in=open_ids).update(assignee=None)
    Case.objects.filter(id__in=open_ids).update(assignee=analyst)
    sample = (
        Case.objects.select_related("customer", "card")
        .filter(pk__gte=Case.objects.count() // 2, customer__pesel__isnull=False)
        .order_by("pk")
        .first()
    )
    no_pesel = Customer.objects.filter(pesel__isnull=True, email__endswith="@bench-search.example").first()
    print(
        f"{Case.objects.count():,} cases, {Customer.objects.count():,} customers, "
        f"{Transaction.objects.count():,} transactions; PostgreSQL {connection.pg_version}; "
        f"runs {bo.ARGS.runs}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    client, analyst_client = _client(supervisor), _client(analyst)
    lookups = [
        ("queue: all open", "/back-office/queue/all/", None),
        ("queue: my cases (analyst)", "/back-office/queue/mine/", None),
        ("case number", "/back-office/search/", sample.number),
        ("PESEL", "/back-office/search/", sample.customer.pesel or "70000000001"),
        ("bank id", "/back-office/search/", no_pesel.bank_id),
        ("phone", "/back-office/search/", sample.customer.mobile_phone),
        ("name: surname, common (Nowak)", "/back-office/search/", "nowak"),
        ("name: first and last, no Polish letters", "/back-office/search/", "lucja wojcik"),
        ("name: part, Polish letters (ółko)", "/back-office/search/", "ółko"),
        ("card's last four", "/back-office/search/", sample.card.last4),
        ("amount (216,00)", "/back-office/search/", "216,00"),
        ("merchant (żabka)", "/back-office/search/", "żabka"),
        ("merchant, part (piekarnia)", "/back-office/search/", "piekarnia"),
        ("nothing found (Xyzzyq)", "/back-office/search/", "xyzzyq"),
    ]
    print(f"{'page':45} {'median ms':>10} {'max ms':>8} {'CPU ms':>8} {'queries':>8} {'found':>6}")
    measured = {}
    for label, url, query in lookups:
        params = {"q": query} if query is not None else {}

        page_client = analyst_client if url == "/back-office/queue/mine/" else client

        def get(url=url, params=params, page_client=page_client):
            response = page_client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            return response

        results = backoffice_search(user=supervisor, query=query) if query is not None else None
        found = len(results.customers) + len(results.cases) if results else 50
        median, worst, cpu, queries = bo._median_ms(get, bo.ARGS.runs)
        measured[label] = median
        print(f"{label:45} {median:10.1f} {worst:8.1f} {cpu:8.1f} {queries:8d} {found:6d}")
    queue = measured["queue: all open"]
    slowest = max((v, k) for k, v in measured.items() if not k.startswith("queue"))
    print(f"slowest lookup: {slowest[1]} {slowest[0]:.1f} ms against the queue page {queue:.1f} ms "
          f"({'met' if slowest[0] <= queue else 'NOT met'})")  # fmt: skip
    for query in ("lucja wojcik", "żabka"):
        with CaptureQueriesContext(connection) as captured:
            client.get("/back-office/search/", {"q": query})
        for executed in captured.captured_queries:
            if "TRANSLATE" in executed["sql"]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + executed["sql"])
                    print(f"-- EXPLAIN a lookup of {query!r}:")
                    print("\n".join(row[0] for row in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
