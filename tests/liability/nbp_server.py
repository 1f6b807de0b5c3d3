"""A local HTTP server that speaks the NBP web API (table A), so tests run the real client offline.

It serves ``GET /api/exchangerates/rates/a/{code}/{date}/?format=json`` and
``.../{start}/{end}/?format=json`` from a dict of rates, in the NBP's JSON format, and answers like
the NBP: 404 ``Brak danych`` when there is no table in the range, 400 for a malformed query (bad date,
start after end, more than 93 days, no ``format=json``). It counts requests, can be stopped and started
again on the same port, and can be told to answer an error status or to hang.

    server = NbpServer(port=0, rates=REAL_EUR_RATES).start()
    server.url            # http://127.0.0.1:<port>/api/
    server.fail_next(503, 503)   # the next two requests get 503
    server.status = 400   # every request gets 400 until set back to None
    server.hang = True    # requests wait (until released or the server stops)
    server.answer()       # stop hanging and failing: the requests waiting get 503, the next ones rates
    server.stop(); server.start()
"""

import contextlib
import json
import re
import threading
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from liability.days import is_nbp_publication_day
from liability.nbp import parse_rates

FIXTURE = Path(__file__).resolve().parents[2] / "demo" / "fixtures" / "nbp_eur_2025.json"

# The real EUR table A mid rates of RULES.md section 4 (the demo fixture): {date: (table no, mid)}.
REAL_EUR_RATES = {
    rate.effective_date: (rate.table_no, rate.mid)
    for rate in parse_rates(FIXTURE.read_bytes(), code="EUR", start=date.min, end=date.max)
}

_PATH = re.compile(
    r"^/api/exchangerates/rates/(?P<table>[^/]+)/(?P<code>[^/]+)/(?P<first>[^/]+)/(?:(?P<last>[^/]+)/)?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY_NAMES = {"EUR": "euro", "USD": "dolar amerykański", "CHF": "frank szwajcarski"}


def publication_day_rates(start: date, end: date, *, base: Decimal = Decimal("4.2000")) -> dict:
    """Test rates for every NBP publication day of ``start..end``: numbered like NBP tables, mids varying."""
    rates, day = {}, start
    while day <= end:
        if is_nbp_publication_day(day):
            number = sum(
                1
                for n in range(day.timetuple().tm_yday)
                if is_nbp_publication_day(date(day.year, 1, 1) + timedelta(days=n))
            )
            rates[day] = (f"{number:03d}/A/NBP/{day.year}", base + Decimal(day.toordinal() % 97) / 10000)
        day += timedelta(days=1)
    return rates


class NbpServer:
    """The NBP table A API on 127.0.0.1, serving ``rates`` (EUR unless given per currency)."""

    def __init__(self, *, port: int = 0, rates: dict | None = None, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.rates: dict[str, dict[date, tuple[str, Decimal]]] = {"EUR": dict(rates or {})}
        self.requests: list[str] = []
        self.hang = False
        self.status: int | None = None
        self._fail: list[int] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to give the client (``NBP_API_URL``)."""
        return f"http://{self.host}:{self.port}/api/"

    @property
    def request_count(self) -> int:
        """How many requests arrived (answered or not)."""
        with self._lock:
            return len(self.requests)

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def set_rate(self, day: date, table_no: str, mid: Decimal, *, code: str = "EUR") -> None:
        """Publish a table (e.g. today's, after a test's "12:15")."""
        with self._lock:
            self.rates.setdefault(code, {})[day] = (table_no, mid)

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these HTTP statuses, one each."""
        with self._lock:
            self._fail.extend(statuses)

    def answer(self) -> None:
        """Answer normally from now on: no hanging, no forced status; waiting requests get 503 at once."""
        with self._lock:
            self.hang, self.status = False, None
            self._fail.clear()
        self._release.set()

    def reset_count(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> "NbpServer":
        """Listen (again) on the same port."""
        handler = type("NbpHandler", (_Handler,), {"nbp": self})
        self._release.clear()
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="nbp-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start()``."""
        if self._httpd is None:
            return
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)  # type: ignore[union-attr]
        self._httpd = self._thread = None

    def _answer(self, raw_path: str) -> tuple[int, str]:
        with self._lock:
            self.requests.append(raw_path)
            if self._fail:
                return self._fail.pop(0), "Internal Server Error"
            if self.status is not None:
                return self.status, f"{self.status} forced by the test"
            hang = self.hang
        if hang:
            self._release.wait(timeout=30)
            return 503, "Service Unavailable"
        parts = urlsplit(raw_path)
        if parse_qs(parts.query).get("format") != ["json"]:
            return 400, "400 BadRequest - this test server speaks JSON only (format=json)"
        match = _PATH.match(parts.path)
        if not match:
            return 400, "400 BadRequest - Błędne zapytanie / Bad request"
        if match["table"].lower() != "a":
            return 404, "404 NotFound - Not Found - Brak danych"
        code = match["code"].upper()
        last_text = match["last"] or match["first"]
        if not (code.isalpha() and len(code) == 3) or not (
            _DATE.match(match["first"]) and _DATE.match(last_text)
        ):
            return 400, "400 BadRequest - Błędny zakres dat / Invalid date range"
        try:
            first, last = date.fromisoformat(match["first"]), date.fromisoformat(last_text)
        except ValueError:
            return 400, "400 BadRequest - Błędny zakres dat / Invalid date range"
        if first > last:
            return 400, "400 BadRequest - Błędny zakres dat / Invalid date range"
        if (last - first).days + 1 > 93:
            return 400, "400 BadRequest - Przekroczony limit 93 dni / Limit of 93 days has been exceeded"
        with self._lock:
            table = dict(self.rates.get(code, {}))
        days = sorted(day for day in table if first <= day <= last)
        if not days:
            return 404, "404 NotFound - Not Found - Brak danych"
        # Written by hand so that each mid appears exactly as published, e.g. 4.2541.
        rows = ",".join(
            f'{{"no":{json.dumps(table[day][0])},"effectiveDate":"{day.isoformat()}","mid":{table[day][1]}}}'
            for day in days
        )
        name = json.dumps(_CURRENCY_NAMES.get(code, code.lower()), ensure_ascii=False)
        return 200, f'{{"table":"A","currency":{name},"code":"{code}","rates":[{rows}]}}'


class _Handler(BaseHTTPRequestHandler):
    nbp: NbpServer

    def do_GET(self) -> None:
        status, body = self.nbp._answer(self.path)
        payload = body.encode()
        self.send_response(status)
        content_type = "application/json; charset=utf-8" if status == 200 else "text/plain; charset=utf-8"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass
