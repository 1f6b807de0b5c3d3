"""Client of the NBP web API (api.nbp.pl), exchange rate table A. No Django: settings come as arguments.

- single date: ``GET exchangerates/rates/a/{code}/{YYYY-MM-DD}/?format=json``;
- range: ``GET exchangerates/rates/a/{code}/{start}/{end}/?format=json``, at most 93 days a query,
  so longer spans are split into chunks;
- 404 is an answer: no table in those days (weekend, holiday, or not published yet);
- 400 means our query is malformed: ``NbpBadRequest``, never retried;
- timeouts, connection errors, 429 and 5xx are retried with exponential backoff, then
  ``NbpUnreachable``;
- an answer that is not the NBP's table A JSON for what was asked (a proxy's page, another status, a
  ``mid`` that is not a number) is retried the same bounded number of times, then ``NbpBadAnswer``:
  the NBP (or something in between) answered, but not with rates;
- ``mid`` is parsed as an exact ``Decimal`` (the JSON is read with ``parse_float=Decimal``); ``true``
  is not the number 1.
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


class NbpBadAnswer(NbpError):
    """The answer is malformed: not the NBP's table A JSON for what was asked (e.g. a proxy's page).

    Not "unreachable": something answered. Retried a bounded number of times, never stored.
    """


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
            # JSON true/false are ints to Python (True == 1): refuse them before taking ints as numbers.
            raw = row["mid"]
            mid = Decimal(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
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

    def _get_rates(self, path: str, *, code: str, start: date, end: date) -> list[NbpRate]:
        """GET and parse with retries: the rates for 200, none for 404.

        :raises NbpBadRequest: 400, at once. :raises NbpUnreachable: no answer after the retries.
        :raises NbpBadAnswer: a malformed answer on the last attempt.
        """
        failure: NbpError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            self.requests_sent += 1
            try:
                response = self._http.get(path, params={"format": "json"})
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failure = NbpUnreachable(f"{type(exc).__name__}: {exc}")
            else:
                status = response.status_code
                if status == 404:
                    return []
                if status == 400:
                    raise NbpBadRequest(f"NBP refused {path}: 400 {response.text[:200]}")
                if status == 200:
                    try:
                        return parse_rates(response.content, code=code, start=start, end=end)
                    except NbpBadAnswer as exc:
                        failure = exc
                elif status == 429 or status >= 500:
                    failure = NbpUnreachable(f"HTTP {status}")
                else:
                    failure = NbpBadAnswer(f"HTTP {status} is not an NBP answer")
            logger.warning("NBP %s attempt %d failed: %s", path, attempt + 1, failure)
        attempts = f"after {self.retries + 1} attempts"
        if isinstance(failure, NbpBadAnswer):
            raise NbpBadAnswer(
                f"NBP answered {path} with something that is not table A {attempts}: {failure}"
            )
        raise NbpUnreachable(f"NBP did not answer {path} {attempts} ({failure})")

    def rate(self, code: str, day: date) -> NbpRate | None:
        """The table A rate of ``code`` published for ``day``, or None when there was no table that day."""
        path = f"exchangerates/rates/a/{code.lower()}/{day.isoformat()}/"
        rates = self._get_rates(path, code=code, start=day, end=day)
        return rates[0] if rates else None

    def rates(self, code: str, start: date, end: date) -> list[NbpRate]:
        """Every table A rate of ``code`` published from ``start`` to ``end``, one query per 93 days."""
        result: list[NbpRate] = []
        for chunk_start, chunk_end in chunks(start, end, max_days=self.max_days):
            path = f"exchangerates/rates/a/{code.lower()}/{chunk_start.isoformat()}/{chunk_end.isoformat()}/"
            result.extend(self._get_rates(path, code=code, start=chunk_start, end=chunk_end))
        return result
