"""Exit 0 when PostgreSQL and Redis answer at the given URLs; otherwise print why and exit 1."""

import socket
import sys
from urllib.parse import urlsplit


def reachable(url: str) -> str | None:
    """None when a TCP connection to the URL's host and port succeeds, else the reason."""
    parts = urlsplit(url)
    default_port = {"postgres": 5432, "postgresql": 5432, "redis": 6379}.get(parts.scheme)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{parts.scheme} at {host}:{port} does not answer: {exc}"


def main(urls: list[str]) -> int:
    reasons = [reason for reason in map(reachable, urls) if reason]
    for reason in reasons:
        print(reason, file=sys.stderr)
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
