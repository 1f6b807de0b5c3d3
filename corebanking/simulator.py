"""A stand-in for the core banking system, run as its own HTTP process (stdlib only, no Django):

    python -m corebanking.simulator --port 8765

- ``POST /postings`` with an ``Idempotency-Key`` header applies a posting once; the same key again is
  answered with the first receipt (200) and applies nothing.
- ``GET /statement?date=YYYY-MM-DD`` lists the postings applied on that Warsaw business date.
- ``GET /postings`` lists every applied posting (the back office and the tests read it).
- ``GET /_stats``: per key, how many requests arrived and how many times it was applied.
- ``POST /_control`` queues faults for the next posting requests, one fault per request, in order:
  ``{"faults": ["TIMEOUT", "ERROR_5XX", "APPLY_THEN_HANG", "DUPLICATE", "REFUSE"]}``; ``{"hang_seconds": 5}``;
  ``{"inject": {"idempotency_key": ..., "amount": "1.00"}}`` changes (or adds) a statement line, as a
  core system that went wrong would; ``{"reset": true}`` forgets everything.

Faults: TIMEOUT waits ``hang_seconds`` and answers 504 without applying; ERROR_5XX answers 503 without
applying; APPLY_THEN_HANG applies the posting and then waits ``hang_seconds`` before answering (the
caller has given up by then: the answer is lost); DUPLICATE handles the request twice, as a network
that delivers a request twice would (the key keeps it applied once); REFUSE answers 422 without
applying, as a core system refusing a posting would (a debit on a closed or blocked account).
"""

import argparse
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")
FAULTS = ("TIMEOUT", "ERROR_5XX", "APPLY_THEN_HANG", "DUPLICATE", "REFUSE")


class CoreLedger:
    """The simulator's accounts: applied postings by idempotency key (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.applied: dict[str, dict] = {}
        self.deliveries: dict[str, int] = {}
        self.faults: list[str] = []
        self.hang_seconds = 3.0

    def next_fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def apply(self, key: str, body: dict) -> tuple[int, dict]:
        """Apply the posting once; a known key answers the first receipt. Returns (status, receipt)."""
        with self.lock:
            self.deliveries[key] = self.deliveries.get(key, 0) + 1
            known = self.applied.get(key)
            if known is not None:
                return 200, known["receipt"]
            applied_at = datetime.now(UTC)
            receipt = {
                "idempotency_key": key,
                "core_reference": "CB" + uuid.uuid4().hex[:16].upper(),
                "applied_at": applied_at.isoformat(),
            }
            self.applied[key] = {
                "line": {
                    "idempotency_key": key,
                    "account": body["account"],
                    "direction": body["direction"],
                    "amount": str(Decimal(body["amount"])),
                    "currency": body["currency"],
                    "description": body.get("description", ""),
                    "core_reference": receipt["core_reference"],
                    "applications": 1,
                    "applied_at": receipt["applied_at"],
                    "business_date": applied_at.astimezone(WARSAW).date().isoformat(),
                },
                "receipt": receipt,
            }
            return 201, receipt

    def lines(self, business_date: str | None = None) -> list[dict]:
        with self.lock:
            return [
                dict(entry["line"])
                for entry in self.applied.values()
                if business_date is None or entry["line"]["business_date"] == business_date
            ]

    def inject(self, change: dict) -> None:
        """Change a statement line (or add one), as a faulty core system would."""
        with self.lock:
            key = change["idempotency_key"]
            entry = self.applied.get(key)
            if entry is None:
                now = datetime.now(UTC)
                entry = self.applied[key] = {
                    "line": {
                        "idempotency_key": key,
                        "account": change.get("account", "UNKNOWN"),
                        "direction": change.get("direction", "CREDIT"),
                        "amount": "0.00",
                        "currency": "PLN",
                        "description": "",
                        "core_reference": "CB" + uuid.uuid4().hex[:16].upper(),
                        "applications": 1,
                        "applied_at": now.isoformat(),
                        "business_date": now.astimezone(WARSAW).date().isoformat(),
                    },
                    "receipt": {},
                }
            for field in ("amount", "applications", "business_date"):
                if field in change:
                    entry["line"][field] = change[field]


class Handler(BaseHTTPRequestHandler):
    ledger: CoreLedger

    def log_message(self, format: str, *args: object) -> None:  # quiet: the tests read /_stats
        return

    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller gave up waiting: its answer is lost, as the fault intends

    def _json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/statement":
            self._send(200, {"lines": self.ledger.lines(query.get("date", [""])[0])})
        elif url.path == "/postings":
            self._send(200, {"lines": self.ledger.lines()})
        elif url.path == "/_stats":
            with self.ledger.lock:
                applications = {k: e["line"]["applications"] for k, e in self.ledger.applied.items()}
                self._send(200, {"applications": applications, "deliveries": dict(self.ledger.deliveries)})
        elif url.path == "/healthz":
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        if url.path == "/_control":
            self._control(self._json())
        elif url.path == "/postings":
            self._posting()
        else:
            self._send(404, {"error": "not found"})

    def _control(self, command: dict) -> None:
        if command.get("reset"):
            with self.ledger.lock:
                self.ledger.reset()
        unknown = [fault for fault in command.get("faults", []) if fault not in FAULTS]
        if unknown:
            self._send(400, {"error": f"unknown faults {unknown}"})
            return
        with self.ledger.lock:
            self.ledger.faults.extend(command.get("faults", []))
            if "hang_seconds" in command:
                self.ledger.hang_seconds = float(command["hang_seconds"])
        if "inject" in command:
            self.ledger.inject(command["inject"])
        self._send(200, {"faults": list(self.ledger.faults)})

    def _posting(self) -> None:
        key = self.headers.get("Idempotency-Key", "")
        try:
            body = self._json()
            Decimal(body["amount"])
            if not key or body["direction"] not in ("CREDIT", "DEBIT") or not body["account"]:
                raise ValueError("key, direction and account are required")
        except (ValueError, KeyError, InvalidOperation, json.JSONDecodeError) as exc:
            self._send(400, {"error": str(exc)})
            return
        fault = self.ledger.next_fault()
        if fault == "TIMEOUT":
            time.sleep(self.ledger.hang_seconds)
            self._send(504, {"error": "timed out"})
        elif fault == "ERROR_5XX":
            self._send(503, {"error": "service unavailable"})
        elif fault == "REFUSE":
            self._send(422, {"error": "posting refused"})
        elif fault == "APPLY_THEN_HANG":
            self.ledger.apply(key, body)
            time.sleep(self.ledger.hang_seconds)
            self._send(201, self.ledger.applied[key]["receipt"])
        else:
            if fault == "DUPLICATE":
                self.ledger.apply(key, body)
            status, receipt = self.ledger.apply(key, body)
            self._send(status, receipt)


def serve(host: str, port: int) -> ThreadingHTTPServer:
    """A server on ``host:port`` with a fresh ledger (call ``serve_forever`` on it)."""
    handler = type("BoundHandler", (Handler,), {"ledger": CoreLedger()})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Core banking simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = serve(args.host, args.port)
    print(f"core banking simulator on http://{args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
