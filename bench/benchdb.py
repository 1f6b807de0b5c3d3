"""What the benchmarks share: their own PostgreSQL database, created when missing."""

import os
from argparse import ArgumentParser
from urllib.parse import urlsplit


def ensure_database(url: str) -> bool:
    """Create the benchmark database if it does not exist; False when PostgreSQL cannot be reached."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"SKIPPED: PostgreSQL at {parts.hostname}:{parts.port} cannot be reached: {error}")
        return False
    return True


def django_setup(url: str) -> None:
    """Point Django at the benchmark database ``url`` (created when missing) and set it up.

    Exits the benchmark (status 0, "SKIPPED") when PostgreSQL cannot be reached. Celery runs eager
    unless the caller set ``CELERY_BROKER_URL``: the benchmarks queue nothing unless they say so.
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kartosfera.settings"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CELERY_BROKER_URL", "")
    if not ensure_database(url):
        sys.exit(0)
    import django

    django.setup()


def add_caseload_arguments(parser: ArgumentParser, *, cases: int, url_variable: str, url: str) -> None:
    """The arguments of a benchmark over the loaded cases (``caseload``): how many, where, reload."""
    parser.add_argument("--cases", type=int, default=cases)
    parser.add_argument("--database-url", default=os.environ.get(url_variable, url))
    parser.add_argument(
        "--reload", action="store_true", help="load the cases again even if the count matches"
    )
