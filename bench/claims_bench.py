"""Benchmark: customers filing claims end to end over HTTP, against gunicorn, PostgreSQL and a real broker.

    .venv/bin/python bench/claims_bench.py [--database-url URL] [--broker-url URL] [--port P]
        [--customers N] [--concurrency C] [--web-workers W]

Uses its own database (default ``postgres://postgres@127.0.0.1:5432/kartosfera_bench_claims``, created,
migrated and filled here; env ``BENCH_CLAIMS_DATABASE_URL``) and broker (default
``redis://127.0.0.1:6379/13``, env ``BENCH_CLAIMS_BROKER_URL``). It starts, as the Procfile does,
gunicorn (``--web-workers`` sync workers, production settings: ``DEBUG=0``, static files collected and
translations compiled first, as ``make serve`` does) and a Celery worker on both queues, then
``--concurrency`` scripted customers, each in a thread with its own cookies, sign in and file one claim
about their stolen card through every page of the portal (27 requests: sign-in, the card list, the
transactions, eight questions (the last: how the bank's letters go), the documents, the review and its
submit POST, the confirmation), and look at the card list three times on the way. With as many customers
at a time as gunicorn has workers (the default), a request never queues for a worker, so its time is its
cost; more customers than workers measures the queueing as well. Every request is timed as the customer
sees it (connection kept alive, no network). Printed: claims/s, then per kind of request the median
(p50) and p95, and the submit POST against the card list page in the same run.

The Celery worker issues each claim's acknowledgement letter as it would in production (WeasyPrint,
the letters queue); each customer has a postal address for it, and a card cancelled as stolen with
two settled transactions debited three days ago;
the NBP EUR rates are the demo's (fixture and labelled synthetic ones), so no claim waits for the NBP.
The customers, their claims and the broker's queues are created anew on each run.
"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_bench_claims"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
PASSWORD = "Bench-claims-2026!"  # noqa: S105 (the scripted customers' password, in a benchmark database)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--database-url", default=os.environ.get("BENCH_CLAIMS_DATABASE_URL", DEFAULT_URL))
parser.add_argument("--broker-url", default=os.environ.get("BENCH_CLAIMS_BROKER_URL", DEFAULT_BROKER))
parser.add_argument("--port", type=int, default=8107)
parser.add_argument("--customers", type=int, default=60)
parser.add_argument("--concurrency", type=int, default=2)
parser.add_argument("--web-workers", type=int, default=2)
ARGS = parser.parse_args()

# Create the database if missing and set Django up (no cases loaded).
os.environ["CELERY_BROKER_URL"] = ARGS.broker_url
# The benchmark's deployment keeps its files (collected static files, letters, audit anchors signed with
# its own key) apart from the checkout's var/, where a development server would take its anchors for
# broken ones.
os.environ["KARTOSFERA_VAR_DIR"] = str(ROOT / "var" / "bench-claims")
from benchdb import django_setup, wait_for_healthz  # noqa: E402

django_setup(ARGS.database_url)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cards.models import CancellationReason, CardStatus  # noqa: E402
from demo import liability as rates_demo  # noqa: E402
from kartosfera import clock  # noqa: E402
from kartosfera.celery import app  # noqa: E402
from letters.models import CustomerAddress, Letter  # noqa: E402
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory  # noqa: E402
from tests.customers.factories import CustomerFactory, UserFactory  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DRAFT_TOKEN = re.compile(r'name="draft_token" value="([^"]*)"')
TRANSACTION = re.compile(r'name="transactions" value="(\d+)"')
STEPS = [
    ("cause", {"cause": "STOLEN"}),
    ("noticed", None),  # filled in with today's date
    ("whereabouts", {"card_whereabouts": "W torebce, skradzionej w tramwaju linii 4."}),
    ("access", {"access_to_card_and_phone": "Nikt."}),
    ("wallet", {"card_in_mobile_wallet": "NO"}),
    ("police", {"police_notified": "NO", "police_reference": ""}),
    ("account", {"account": ""}),
    # Paper by post: the answer the page shows chosen, which a customer sends by pressing Continue.
    ("delivery", {"reply_delivery": "POST"}),
]
# The page after the questions: the documents (none added here), then the review.
AFTER_QUESTIONS = "evidence"
ERRORS = re.compile(r'<div class="error-summary".*?</div>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def _customers(count: int) -> list[tuple[str, int]]:
    """``count`` customers (PESEL, card id), each with a stolen card and two transactions to dispute."""
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE disputes_case, disputes_casetransaction, disputes_chargeback, disputes_casetransition,"
            " disputes_caseevent, disputes_ledgerentry, disputes_caseletterrequest, "
            "disputes_liabilityassessment, disputes_evidence, letters_letter, letters_customeraddress, "
            "cards_transaction, cards_card,"
            " customers_customer, django_session CASCADE"
        )
    run = int(time.time())  # users stay (the audit log names them): each run signs up new ones
    product = CardProductFactory(code="bench-claims-debit", brand="MASTERCARD")
    password = make_password(PASSWORD)  # hashed once: argon2 is slow by design
    found = []
    debited = (now - timedelta(days=3)).date()
    for number in range(count):
        user = UserFactory(username=f"bench-claims-{run}-{number}", password=password)
        customer = CustomerFactory(first_name="Klient", user=user)
        CustomerAddress.objects.create(
            customer=customer, street=f"ul. Długa {number + 1}", postal_code="00-238", city="Warszawa"
        )
        card = CardFactory(customer=customer, product=product, brand="MASTERCARD", status=CardStatus.ACTIVE)
        for minutes, amount in ((10, "640.00"), (25, "89.90")):
            TransactionFactory(
                card=card,
                executed_at=now - timedelta(days=4, minutes=minutes),
                debited_on=debited,
                processed_on=debited,
                amount_pln=amount,
                original_amount=amount,
                sca_applied=False,
            )
        card.cancel(reason=CancellationReason.STOLEN, reported_at=now - timedelta(days=1))
        card.save()
        found.append((customer.pesel, card.pk))
    return found


class Customer:
    """One scripted customer: a keep-alive connection, cookies, and the timings of every request."""

    def __init__(self, port: int, timings: dict) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.timings = timings

    def request(self, label: str, method: str, path: str, form: dict | list | None = None):
        # Production settings behind a TLS proxy: the proxy's header, a same-origin Referer for CSRF.
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{ARGS.port}"}
        headers["Referer"] = f"https://127.0.0.1:{ARGS.port}{path}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.timings[label].append(time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} answered {response.status}: {text[:500]}")
        return response.status, response.headers.get("Location", ""), text

    def post(self, label: str, path: str, page: str, form: dict):
        token = CSRF.search(page)
        if token is None:
            raise RuntimeError(f"no CSRF token on the page before POST {path}")
        status, location, text = self.request(label, "POST", path, {"csrfmiddlewaretoken": token[1], **form})
        if status != 302:
            summary = ERRORS.search(text)
            errors = " ".join(TAG.sub(" ", summary[0]).split()) if summary else "no error summary on the page"
            raise RuntimeError(f"POST {path} answered {status}, not a redirect: {errors}")
        return urllib.parse.urlsplit(location).path

    def file_a_claim(self, pesel: str, card_id: int, today: str) -> None:
        _, _, page = self.request("sign-in GET", "GET", "/sign-in/")
        self.post("sign-in POST", "/sign-in/", page, {"identifier": pesel, "password": PASSWORD})
        self.request("card list GET", "GET", "/cards/")
        _, _, page = self.request("claim start GET", "GET", f"/claims/new/{card_id}/")
        chosen = TRANSACTION.findall(page)
        draft = DRAFT_TOKEN.search(page)
        path = self.post(
            "transactions POST",
            f"/claims/new/{card_id}/",
            page,
            {"transactions": chosen, "draft_token": draft[1] if draft else ""},
        )
        self.request("card list GET", "GET", "/cards/")
        following = [name for name, _ in STEPS[1:]] + [AFTER_QUESTIONS]
        for (name, answer), expected in zip(STEPS, following, strict=True):
            if not path.endswith(f"/step/{name}/"):
                raise RuntimeError(f"the wizard asks {path} where the script answers the step {name}")
            _, _, page = self.request("question GET", "GET", path)
            if answer is None:
                answer = {"noticed_on": today, "noticed_time": "08:15"}
            path = self.post("question POST", path, page, answer)
            if not path.endswith(f"/step/{expected}/"):
                raise RuntimeError(f"the step {name} led to {path}, not to the step {expected}")
        _, _, page = self.request("documents GET", "GET", path)  # the documents step: none added
        review = path.replace(f"/step/{AFTER_QUESTIONS}/", "/step/review/")
        _, _, page = self.request("review GET", "GET", review)
        submitted = self.post("submit POST", review, page, {})
        _, _, page = self.request("confirmation GET", "GET", submitted)
        if "RK/" not in page:
            raise RuntimeError("the confirmation shows no claim number")
        self.request("card list GET", "GET", "/cards/")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    rates_demo.seed(now=clock.now())
    customers = _customers(ARGS.customers)
    today = clock.today_warsaw().isoformat()
    connection.close()
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": ARGS.database_url,
        "CELERY_BROKER_URL": ARGS.broker_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-claims-k7Qm2vX9pL4tR8wZ1cB6nH3jF5sD0gA-yU_eI.oP7lK2mN9bV4",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "KARTOSFERA_SMS_BACKEND": "customers.sms.FileSmsBackend",
        "AXES_FAILURE_LIMIT": "1000",
    }
    var = ROOT / "var"
    var.mkdir(exist_ok=True)
    # As ``make serve`` does: production settings serve only collected (content-hashed) static files,
    # and the portal speaks Polish from the compiled catalogue.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    subprocess.run(  # noqa: S603 (fixed arguments)
        [Path(sys.executable).with_name("pybabel"), "-q", "compile", "-d", "locale", "-D", "django"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    web_log, worker_log = var / "bench-claims-gunicorn.log", var / "bench-claims-worker.log"
    web = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "gunicorn", "kartosfera.wsgi", "--workers", str(ARGS.web_workers),
         "--bind", f"127.0.0.1:{ARGS.port}", "--access-logfile", "-"],
        cwd=ROOT, env=env, stdout=web_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "celery", "-A", "kartosfera", "worker", "-Q", "celery,letters",
         "--concurrency", "1", "--loglevel", "WARNING", "-n", f"bench-claims-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_healthz(
            ARGS.port, timeout=120, headers={"X-Forwarded-Proto": "https"}, server=web, log=web_log
        )
        load = os.getloadavg()
        print(
            f"{len(customers)} customers, {ARGS.concurrency} at a time; gunicorn {ARGS.web_workers} sync "
            f"workers (DEBUG=0), a Celery worker on Redis ({ARGS.broker_url}), PostgreSQL "
            f"{connection.pg_version}; {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f}",
            flush=True,
        )
        timings: dict[str, list[float]] = defaultdict(list)
        pending = list(customers)
        lock = threading.Lock()
        failures: list[str] = []

        def customer_loop() -> None:
            while True:
                with lock:
                    if not pending or failures:
                        return
                    pesel, card_id = pending.pop()
                mine: dict[str, list[float]] = defaultdict(list)
                try:
                    Customer(ARGS.port, mine).file_a_claim(pesel, card_id, today)
                except Exception as error:  # reported, and the run fails
                    with lock:
                        failures.append(f"{pesel}: {error}")
                    return
                with lock:
                    for label, values in mine.items():
                        timings[label].extend(values)

        started = time.perf_counter()
        threads = [threading.Thread(target=customer_loop) for _ in range(ARGS.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if failures:
            print("FAILED:", *failures[:5], sep="\n  ")
            return 1
        claims = len(customers)
        requests = sum(len(v) for v in timings.values())
        print(
            f"\n{claims} claims in {elapsed:.1f} s: {claims / elapsed:.2f} claims/s, "
            f"{requests / claims:.0f} requests a claim, {requests / elapsed:.1f} requests/s\n"
        )
        print("| request | count | p50 | p95 |\n|---|---:|---:|---:|")
        for label in sorted(timings, key=lambda name: -statistics.median(timings[name])):
            values = timings[label]
            print(
                f"| {label} | {len(values)} | {statistics.median(values) * 1000:.1f} ms "
                f"| {_percentile(values, 0.95) * 1000:.1f} ms |"
            )
        submit, cards = timings["submit POST"], timings["card list GET"]
        print(
            f"\nsubmit POST / card list GET: "
            f"{statistics.median(submit) / statistics.median(cards):.1f}x at the median, "
            f"{_percentile(submit, 0.95) / _percentile(cards, 0.95):.1f}x at p95 (target 3x)"
        )
        # End to end: the worker issues every claim's acknowledgement (bounded wait, after the timings).
        waited = time.perf_counter()
        while Letter.objects.count() < claims and time.perf_counter() - waited < 600:
            time.sleep(1)
        print(
            f"acknowledgement letters issued by the worker: {Letter.objects.count()} of {claims}, "
            f"the last {time.perf_counter() - waited:.0f} s after the last claim"
        )
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        return 0
    finally:
        for process in (web, worker):
            try:
                os.killpg(process.pid, 15)
                process.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, 9)
        app.control.purge()


if __name__ == "__main__":
    sys.exit(main())
