"""Client of the NBP web API (api.nbp.pl), exchange rate table A. No Django: settings come as arguments.

- single date: ``GET exchangerates/rates/a/{code}/{YYYY-MM-DD}/?format=json``;
- range: ``GET exchangerates/rates/a/{code}/{start}/{end}/?format=json``, at most 93 days a query,
  so longer spans are split into chunks;
- 404 is an answer: no table in those days (weekend, holiday, or not published yet);
- 400 means our query is malformed: ``NbpBadRequest``, never retried;
- timeouts, connection errors, 429 and 5xx are retried with exponential backoff, then
  ``NbpUnreachable``;
- ``mid`` is parsed as an exact ``Decimal`` (the JSON is read with ``parse_float=Decimal``).
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.nbp.pl/api/"
MAX_DAYS_PER_QUERY = 93


class NbpError(Exception):
    """The NBP API could not give an answer."""


class NbpBadRequest(NbpError):
    """The NBP answered 400: the query is malformed (a bug of ours, not worth retrying)."""


class NbpUnreachable(NbpError):
    """The NBP did not answer usefully after the retries: timeout, connection error, 429 or 5xx."""


class NbpBadAnswer(NbpUnreachable):
    """The answer is not the NBP's JSON for what was asked (e.g. a proxy's page): treated as unreachable."""


@dataclass(frozen=True, slots=True)
class NbpRate:
    """One table A mid rate as published by the NBP."""

    code: str
    table_no: str
    effective_date: date
    mid: Decimal


def parse_rates(content: bytes | str, *, code: str, start: date, end: date) -> list[NbpRate]:
    """Parse an NBP table A answer for ``code`` between ``start`` and ``end``; refuse anything else."""
    try:
        data = json.loads(content, parse_float=Decimal)
        if data.get("table") != "A" or str(data.get("code", "")).upper() != code.upper():
            raise NbpBadAnswer(
                f"expected table A of {code}, got table {data.get('table')!r} of {data.get('code')!r}"
            )
        rates = []
        for row in data["rates"]:
            mid = Decimal(row["mid"]) if isinstance(row["mid"], int) else row["mid"]
            day = date.fromisoformat(row["effectiveDate"])
            table_no = row["no"]
            if not isinstance(mid, Decimal) or not mid.is_finite() or mid <= 0:
                raise NbpBadAnswer(f"not a rate: {row['mid']!r}")
            if not isinstance(table_no, str) or not table_no or len(table_no) > 32:
                raise NbpBadAnswer(f"not a table number: {table_no!r}")
            if not start <= day <= end:
                raise NbpBadAnswer(f"table {table_no} of {day} is outside the range asked {start}..{end}")
            rates.append(NbpRate(code=code.upper(), table_no=table_no, effective_date=day, mid=mid))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, NbpBadAnswer):
            raise
        raise NbpBadAnswer(f"not an NBP table A answer: {exc}") from exc
    return sorted(rates, key=lambda rate: rate.effective_date)


def chunks(start: date, end: date, *, max_days: int = MAX_DAYS_PER_QUERY) -> list[tuple[date, date]]:
    """Split ``start..end`` (inclusive) into consecutive ranges of at most ``max_days`` days."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    result = []
    while start <= end:
        chunk_end = min(end, start + timedelta(days=max_days - 1))
        result.append((start, chunk_end))
        start = chunk_end + timedelta(days=1)
    return result


class NbpClient:
    """Table A rates from the NBP API, with a timeout and retries with exponential backoff.

    ``retries`` is the number of extra attempts after the first; the n-th retry waits
    ``backoff × 2**(n-1)`` seconds. ``requests_sent`` counts HTTP requests, retries included.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.5,
        max_days: int = MAX_DAYS_PER_QUERY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.retries = retries
        self.backoff = backoff
        self.max_days = max_days
        self.requests_sent = 0
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": "kartosfera-nbp-client/1"},
            follow_redirects=False,
        )

    def __enter__(self) -> "NbpClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _get(self, path: str) -> httpx.Response | None:
        """GET with retries; the response for 200, None for 404."""
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            self.requests_sent += 1
            try:
                response = self._http.get(path, params={"format": "json"})
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                logger.warning("NBP %s attempt %d failed: %s", path, attempt + 1, last_error)
                continue
            if response.status_code == 200:
                return response
            if response.status_code == 404:
                return None
            if response.status_code == 400:
                raise NbpBadRequest(f"NBP refused {path}: 400 {response.text[:200]}")
            if response.status_code == 429 or response.status_code >= 500:
                last_error = f"HTTP {response.status_code}"
                logger.warning("NBP %s attempt %d failed: %s", path, attempt + 1, last_error)
                continue
            raise NbpBadAnswer(f"NBP answered {response.status_code} to {path}")
        raise NbpUnreachable(f"NBP did not answer {path} after {self.retries + 1} attempts ({last_error})")

    def rate(self, code: str, day: date) -> NbpRate | None:
        """The table A rate of ``code`` published for ``day``, or None when there was no table that day."""
        response = self._get(f"exchangerates/rates/a/{code.lower()}/{day.isoformat()}/")
        if response is None:
            return None
        rates = parse_rates(response.content, code=code, start=day, end=day)
        return rates[0] if rates else None

    def rates(self, code: str, start: date, end: date) -> list[NbpRate]:
        """Every table A rate of ``code`` published from ``start`` to ``end``, one query per 93 days."""
        result: list[NbpRate] = []
        for chunk_start, chunk_end in chunks(start, end, max_days=self.max_days):
            path = f"exchangerates/rates/a/{code.lower()}/{chunk_start.isoformat()}/{chunk_end.isoformat()}/"
            response = self._get(path)
            if response is not None:
                result.extend(parse_rates(response.content, code=code, start=chunk_start, end=chunk_end))
        return result
