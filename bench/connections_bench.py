"""Benchmark: the card list's requests per second under gunicorn on PostgreSQL, with a new database
connection per request (``DATABASE_CONN_MAX_AGE=0``) and with persistent connections (the default),
and with the session written on every request (``KARTOSFERA_SESSION_REFRESH_SECONDS=0``, Django's
``SESSION_SAVE_EVERY_REQUEST``) or once a minute (the default).

    .venv/bin/python bench/connections_bench.py [--pg-url URL] [--workers 2] [--clients 4]
        [--seconds 15] [--rounds 3]

A scratch PostgreSQL database (default ``kartosfera_edge_bench``) is created, migrated and filled with
the demo data (``manage.py seed_demo``), then dropped. The demo customer Anna Kowalska is signed in
by a session made in the database (as the sign-in view makes it), and ``--clients`` threads fetch her
card list (``GET /cards/``, 2 cards, the whole middleware stack: the session, the
security headers, audit context) for ``--seconds`` from gunicorn with ``--workers`` sync workers under
the production settings (``DEBUG=0``). The three settings alternate, round by round, so a change of the
machine's load hits all; each round's requests per second are printed, and the medians.
"""

import argparse
import http.client
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchdb import wait_for_healthz

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/kartosfera_edge_bench"
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-k7Qm2vX9pL4tR8wZ1cB6nH3jF5sD0gA-yU_eI.oP7lK2mN9bV4",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "KARTOSFERA_SMS_BACKEND": "customers.sms.FileSmsBackend",
    "KARTOSFERA_SMS_ECHO": "0",
    "LOG_LEVEL": "WARNING",
}
SIGN_IN_LINE = re.compile(r"sign in with PESEL (?P<pesel>\d{11}) and password")


def _admin_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def _psql(database_url: str, sql: str) -> None:
    subprocess.run(["psql", _admin_url(database_url), "-q", "-c", sql], check=True)  # noqa: S603, S607


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def _session_cookie(env: dict, pesel: str) -> str:
    """A signed-in session of the customer with ``pesel``, made as the sign-in view makes it."""
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from customers.middleware import SIGNED_IN_AT\n"
        "from customers.models import Customer\n"
        "from kartosfera import clock\n"
        f"user = Customer.objects.get(pesel='{pesel}').user\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "session[BACKEND_SESSION_KEY] = 'customers.backends.CustomerIdentifierBackend'\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session[SIGNED_IN_AT] = clock.now().isoformat()\n"
        "session.create()\n"
        "print(session.session_key)\n"
    )
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kartosfera.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _load(port: int, cookie: str, clients: int, seconds: float) -> tuple[int, int]:
    """(requests answered 200, other answers) from ``clients`` threads fetching /cards/ for ``seconds``."""
    counts = [[0, 0] for _ in range(clients)]
    stop = time.monotonic() + seconds
    headers = {"Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https", "Host": "127.0.0.1"}

    def client(index: int) -> None:
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/cards/", headers=headers)
            response = connection.getresponse()
            body = response.read()
            ok = response.status == 200 and b"card-tile" in body
            counts[index][0 if ok else 1] += 1
            connection.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(count[0] for count in counts), sum(count[1] for count in counts)


# (label, the settings of the round): before persistent connections, persistent connections with the
# session written on every request, and today's defaults.
VARIANTS = [
    (
        "new connection, session written every request",
        {"DATABASE_CONN_MAX_AGE": "0", "KARTOSFERA_SESSION_REFRESH_SECONDS": "0"},
    ),
    (
        "persistent, session written every request",
        {"DATABASE_CONN_MAX_AGE": "600", "KARTOSFERA_SESSION_REFRESH_SECONDS": "0"},
    ),
    (
        "persistent, session written once a minute",
        {"DATABASE_CONN_MAX_AGE": "600", "KARTOSFERA_SESSION_REFRESH_SECONDS": "60"},
    ),
]


def _round(env: dict, overrides: dict, workers: int, cookie: str, clients: int, seconds: float) -> float:
    port = _free_port()
    server_env = {
        **env,
        **overrides,
        "KARTOSFERA_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--access-logfile",
            os.devnull,
            "kartosfera.wsgi",
        ],
        cwd=ROOT,
        env=server_env,
        start_new_session=True,
    )
    try:
        wait_for_healthz(port, timeout=60)
        _load(port, cookie, clients, 2)  # warm up: every worker imported, caches filled
        ok, other = _load(port, cookie, clients, seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if other:
        raise RuntimeError(f"{other} answers were not the card list ({overrides})")
    return ok / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    name = urlsplit(args.pg_url).path.lstrip("/")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KARTOSFERA_", "DJANGO_", "DATABASE_", "CELERY_"))
    }
    var_dir = ROOT / "var" / "bench-connections"
    env |= PRODUCTION_ENV | {"DATABASE_URL": args.pg_url, "KARTOSFERA_VAR_DIR": str(var_dir)}
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")  # noqa: S607
    try:
        _psql(args.pg_url, f'DROP DATABASE IF EXISTS "{name}"')
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"skipped: PostgreSQL at {_admin_url(args.pg_url)} does not answer ({error})")
        return 0
    _psql(args.pg_url, f'CREATE DATABASE "{name}"')
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput")
        seeded = _manage({**env, "DEBUG": "1"}, "seed_demo")
        pesel = SIGN_IN_LINE.search(seeded).group("pesel")
        cookie = _session_cookie(env, pesel)
        figures: dict[str, list[float]] = {label: [] for label, _ in VARIANTS}
        for number in range(1, args.rounds + 1):
            for label, overrides in VARIANTS:
                rate = _round(env, overrides, args.workers, cookie, args.clients, args.seconds)
                figures[label].append(rate)
                print(f"round {number}: {label:<48} {rate:7.1f} requests/s", flush=True)
    finally:
        _psql(args.pg_url, f'DROP DATABASE IF EXISTS "{name}"')
    medians = {label: statistics.median(rates) for label, rates in figures.items()}
    print(
        f"GET /cards/, gunicorn {args.workers} sync workers, {args.clients} clients, "
        f"{args.seconds:g} s a round, median of {args.rounds} rounds:"
    )
    base = medians[VARIANTS[0][0]]
    for label, rate in medians.items():
        print(f"  {label:<48} {rate:7.1f} requests/s ({rate / base:.2f}x the first)")
    print(f"load after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")  # noqa: S607
    return 0


if __name__ == "__main__":
    sys.exit(main())
