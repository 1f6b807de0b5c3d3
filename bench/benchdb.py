"""What the benchmarks share: their own PostgreSQL database, created when missing."""

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
