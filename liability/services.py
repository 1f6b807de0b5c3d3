"""Writes of the liability app: NBP rates fetched and stored, and the liability of a claim.

What callers use:

- ``rate_on(currency=, on=, now=)``: the rate for one execution date (``RATE_DAY`` policy);
- ``liability_assess(transactions=, reported_at=, cause=, findings=, now=)``: the liability of a claim,
  with the rates of all its dates fetched in one prefetch;
- ``rates_fetch_range(currency=, start=, end=, now=)``: what the Celery task and ``nbp_backfill`` run.

Every "no rate" outcome is a ``RateUnavailable`` naming the currency and the date; nothing is guessed.
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kartosfera.legaltime import warsaw_date
from liability.api import Assessment, Findings, TransactionFacts, assess_liability, dates_needing_rates
from liability.days import claim_window_end, final_tables_through, is_nbp_publication_day, rate_day_target
from liability.explain import SYNTHETIC_TABLE_PREFIX
from liability.models import ExchangeRate, RateCoverage, RateSource
from liability.nbp import NbpClient, NbpRate, NbpUnreachable, parse_rates
from liability.selectors import Rate, RateBook, rate_book_load, rate_day_policy, rate_lookback, rate_stored_on

logger = logging.getLogger(__name__)

ONE_DAY = timedelta(days=1)


class RateUnavailable(Exception):
    """No rate can be given for ``currency`` on ``on``; nothing was guessed.

    ``fetch_start``/``fetch_end`` is the range to fetch (``liability.tasks.fetch_rates``) before
    asking again. Subclasses say why.
    """

    def __init__(self, message: str, *, currency: str, on: date, fetch_start: date, fetch_end: date) -> None:
        super().__init__(message)
        self.currency, self.on = currency, on
        self.fetch_start, self.fetch_end = fetch_start, fetch_end

    def __reduce__(self):  # keyword-only arguments: say how to rebuild it (pickle, Celery results)
        return _rebuild_error, (
            type(self),
            str(self),
            self.currency,
            self.on,
            self.fetch_start,
            self.fetch_end,
        )


def _rebuild_error(cls, message, currency, on, fetch_start, fetch_end):
    return cls(message, currency=currency, on=on, fetch_start=fetch_start, fetch_end=fetch_end)


class RateNotYetPublished(RateUnavailable):
    """The table for that date is not out yet (today before ~12:15 Warsaw, or a future date)."""


class RateSourceUnreachable(RateUnavailable):
    """The rate is not stored and the NBP could not be reached: retry later (``fetch_rates`` does)."""


class RateNotFound(RateUnavailable):
    """The NBP answered but has no table A in the look-back window before the date."""


def _currency_code(currency: str) -> str:
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ValueError(f"currency must be an ISO 4217 code such as EUR, got {currency!r}")
    return currency.upper()


def nbp_client() -> NbpClient:
    """An NBP client configured from the settings (``NBP_API_URL``, timeout, retries, backoff)."""
    return NbpClient(
        settings.NBP_API_URL,
        timeout=settings.NBP_TIMEOUT_SECONDS,
        retries=settings.NBP_RETRIES,
        backoff=settings.NBP_RETRY_BACKOFF_SECONDS,
    )


def _coverage_add(*, currency: str, start: date, end: date, source: str, now: datetime) -> None:
    """Record that every table of ``start..end`` is stored, merging with the ranges it touches."""
    if start > end:
        return
    rows = list(
        RateCoverage.objects.select_for_update()
        .filter(currency=currency, table_type="A", source=source)
        .filter(start_on__lte=end + ONE_DAY, end_on__gte=start - ONE_DAY)
    )
    if any(row.start_on <= start and end <= row.end_on for row in rows):
        return
    merged_start = min([start, *(row.start_on for row in rows)])
    merged_end = max([end, *(row.end_on for row in rows)])
    RateCoverage.objects.filter(pk__in=[row.pk for row in rows]).delete()
    RateCoverage.objects.create(
        currency=currency,
        table_type="A",
        start_on=merged_start,
        end_on=merged_end,
        source=source,
        recorded_at=now,
    )


@dataclass
class RateFetchResult:
    """What one fetch stored: new and corrected rates, the days now known, the HTTP requests made."""

    currency: str
    start: date
    end: date
    covered_through: date | None = None
    created: list[NbpRate] = field(default_factory=list)
    updated: list[NbpRate] = field(default_factory=list)
    unchanged: int = 0
    requests: int = 0


def _store_nbp_rates(
    *, currency: str, start: date, end: date, rates: list[NbpRate], now: datetime
) -> RateFetchResult:
    result = RateFetchResult(currency=currency, start=start, end=end)
    existing = {
        row.effective_date: row
        for row in ExchangeRate.objects.select_for_update().filter(
            currency=currency, table_type="A", effective_date__range=(start, end)
        )
    }
    new_rows = []
    for rate in rates:
        row = existing.get(rate.effective_date)
        if row is None:
            new_rows.append(
                ExchangeRate(
                    currency=currency,
                    table_type="A",
                    table_no=rate.table_no,
                    effective_date=rate.effective_date,
                    mid=rate.mid,
                    source=RateSource.NBP,
                    fetched_at=now,
                )
            )
            result.created.append(rate)
        elif row.source == RateSource.NBP and row.mid == rate.mid and row.table_no == rate.table_no:
            result.unchanged += 1
        else:
            if row.source == RateSource.NBP:
                # The NBP corrected a published table. Results computed before keep the rate they cite.
                logger.warning(
                    "NBP changed %s: %s %s -> %s %s", row, row.table_no, row.mid, rate.table_no, rate.mid
                )
            row.table_no, row.mid, row.source, row.fetched_at = rate.table_no, rate.mid, RateSource.NBP, now
            row.save(update_fields=["table_no", "mid", "source", "fetched_at"])
            result.updated.append(rate)
    # A concurrent fetch may have stored the same tables meanwhile: they are the same NBP values.
    ExchangeRate.objects.bulk_create(new_rows, ignore_conflicts=True)
    return result


def rates_fetch_range(*, currency: str, start: date, end: date, now: datetime) -> RateFetchResult:
    """Fetch the table A rates of ``start..end`` from the NBP (93 days a request) and store them.

    Days after today are not asked. The range becomes covered up to the last day whose tables are
    final, so later reads answer from storage. Idempotent.

    :raises liability.nbp.NbpUnreachable: the NBP did not answer; nothing was stored.
    :raises liability.nbp.NbpBadRequest: the NBP refused the query as malformed.
    """
    currency = _currency_code(currency)
    today = warsaw_date(now)
    end = min(end, today)
    if start > end:
        return RateFetchResult(currency=currency, start=start, end=end)
    # The HTTP requests are made outside any database transaction: no lock is held while waiting.
    with nbp_client() as client:
        rates = client.rates(currency, start, end)
        requests = client.requests_sent
    final_through = final_tables_through(today, today_published=any(r.effective_date == today for r in rates))
    with transaction.atomic():
        result = _store_nbp_rates(currency=currency, start=start, end=end, rates=rates, now=now)
        covered_end = min(end, final_through)
        _coverage_add(currency=currency, start=start, end=covered_end, source=RateSource.NBP, now=now)
    result.covered_through = covered_end if start <= covered_end else None
    result.requests = requests
    logger.info(
        "NBP %s %s..%s: %d new, %d corrected, %d unchanged, %d requests",
        currency,
        start,
        end,
        len(result.created),
        len(result.updated),
        result.unchanged,
        requests,
    )
    return result


def _missing(*, currency: str, on: date, target: date, today: date) -> RateUnavailable:
    """The error for a date storage cannot answer after asking the NBP."""
    start = target - rate_lookback()
    if target > today or (target == today and is_nbp_publication_day(today)):
        return RateNotYetPublished(
            f"the NBP table A of {target} for {currency} is not published yet (asked for {on})",
            currency=currency,
            on=on,
            fetch_start=start,
            fetch_end=target,
        )
    return RateNotFound(
        f"the NBP has no table A for {currency} from {start} to {target} (asked for {on})",
        currency=currency,
        on=on,
        fetch_start=start,
        fetch_end=target,
    )


def _unreachable(*, currency: str, on: date, target: date, error: Exception) -> RateSourceUnreachable:
    return RateSourceUnreachable(
        f"the {currency} rate for {on} is not stored and the NBP cannot be reached: {error}",
        currency=currency,
        on=on,
        fetch_start=target - rate_lookback(),
        fetch_end=target,
    )


def rate_on(*, currency: str = "EUR", on: date, now: datetime) -> Rate:
    """The table A mid rate that applies to a transaction executed on ``on`` (policy ``RATE_DAY``).

    Stored rates first; a gap costs one range request ``[target − NBP_LOOKBACK_DAYS, target]``.

    :raises RateNotYetPublished: the table is not out yet (today before publication, or the future);
        the previous table is NOT used instead.
    :raises RateSourceUnreachable: not stored and the NBP cannot be reached; nothing was stored.
    :raises RateNotFound: the NBP has no table in the look-back window.
    :raises liability.nbp.NbpBadRequest: the NBP refused the query (a bug of ours).
    """
    currency = _currency_code(currency)
    if not isinstance(on, date) or isinstance(on, datetime):
        raise TypeError(f"on must be a date (the Warsaw execution date), got {on!r}")
    target = rate_day_target(on, rate_day_policy())
    today = warsaw_date(now)
    if target > today:
        raise _missing(currency=currency, on=on, target=target, today=today)
    rate = rate_stored_on(currency=currency, target=target)
    if rate is not None:
        return rate
    try:
        rates_fetch_range(currency=currency, start=target - rate_lookback(), end=target, now=now)
    except NbpUnreachable as exc:
        raise _unreachable(currency=currency, on=on, target=target, error=exc) from exc
    rate = rate_stored_on(currency=currency, target=target)
    if rate is None:
        raise _missing(currency=currency, on=on, target=target, today=today)
    return rate


@dataclass
class ClaimRates:
    """The rates of a claim's dates, prefetched once; ``__call__`` is ``assess_liability``'s ``rate_on``."""

    currency: str
    today: date
    policy: str
    book: RateBook | None
    requests: int = 0
    fetch_error: Exception | None = None

    def rate(self, on: date) -> Rate:
        """The rate for an execution date, from the prefetched rates only.

        :raises RateNotYetPublished, RateSourceUnreachable, RateNotFound: as ``rate_on``.
        :raises LookupError: the date was not among those prefetched (a bug of the caller).
        """
        target = rate_day_target(on, self.policy)
        if target > self.today:
            raise _missing(currency=self.currency, on=on, target=target, today=self.today)
        if self.book is None or not self.book.start <= target <= self.book.end:
            raise LookupError(
                f"the {self.currency} rate for {on} was not prefetched; pass every date to rates_prefetch"
            )
        rate = self.book.resolve(target)
        if rate is not None:
            return rate
        if self.fetch_error is not None:
            raise _unreachable(currency=self.currency, on=on, target=target, error=self.fetch_error)
        raise _missing(currency=self.currency, on=on, target=target, today=self.today)

    def __call__(self, on: date) -> tuple[Decimal, str]:
        rate = self.rate(on)
        return rate.mid, rate.table_no


def rates_prefetch(*, currency: str = "EUR", dates: Iterable[date], now: datetime) -> ClaimRates:
    """Make sure the rates of all ``dates`` are stored, with at most one request per 93 days missing.

    Looks at storage first; the dates it cannot answer are fetched in one range
    ``[first − NBP_LOOKBACK_DAYS, last]`` split into 93-day requests. An unreachable NBP is not raised
    here but by the returned ``ClaimRates`` for the dates that need it.

    :raises liability.nbp.NbpBadRequest: the NBP refused the query (a bug of ours).
    """
    currency = _currency_code(currency)
    policy = rate_day_policy()
    today = warsaw_date(now)
    targets = sorted({rate_day_target(day, policy) for day in dates})
    targets = [target for target in targets if target <= today]  # future dates raise when asked
    if not targets:
        return ClaimRates(currency=currency, today=today, policy=policy, book=None)
    lookback = rate_lookback()
    book = rate_book_load(currency=currency, start=targets[0] - lookback, end=targets[-1])
    missing = book.unresolved(targets)
    requests, error = 0, None
    if missing:
        try:
            fetched = rates_fetch_range(
                currency=currency, start=missing[0] - lookback, end=missing[-1], now=now
            )
            requests = fetched.requests
        except NbpUnreachable as exc:
            error = exc
        book = rate_book_load(currency=currency, start=targets[0] - lookback, end=targets[-1])
    return ClaimRates(
        currency=currency, today=today, policy=policy, book=book, requests=requests, fetch_error=error
    )


def liability_assess(
    *,
    transactions: Iterable[TransactionFacts],
    reported_at: datetime,
    cause: str,
    findings: Findings,
    now: datetime,
    currency: str = "EUR",
) -> Assessment:
    """The liability of a claim (RULES.md section 3) with stored NBP rates and the project's policies.

    Only the dates under the 50 EUR cap need a rate; they are prefetched together (``rates_prefetch``),
    so a claim costs at most one NBP request per 93 days not yet stored. The window ``UUP-44-2`` uses
    ``liability.days.claim_window_end`` with the ``ROLL_FORWARD`` policy.

    :raises liability.api.LiabilityInputError: the claim is not valid (nothing computed).
    :raises RateUnavailable: (``RateNotYetPublished``, ``RateSourceUnreachable``, ``RateNotFound``) a
        capped transaction's rate cannot be had now; the workflow waits for it and assesses again.
    """
    transactions = list(transactions)
    policies = settings.KARTOSFERA_POLICIES
    window_end = partial(claim_window_end, roll=policies.get("ROLL_FORWARD", True))
    dates = dates_needing_rates(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        window_end=window_end,
    )
    claim_rates = rates_prefetch(currency=currency, dates=dates, now=now)
    return assess_liability(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        rate_on=claim_rates,
        window_end=window_end,
        rounding=policies.get("ROUNDING", "ROUND_HALF_UP"),
    )


def rates_load_fixture(*, path: Path, now: datetime) -> list[NbpRate]:
    """Store the published NBP rates of a fixture file (the NBP's own JSON format) as ``FIXTURE``.

    A rate already fetched from the NBP is kept; a synthetic one is replaced. Idempotent.
    """
    content = path.read_bytes()
    code = str(json.loads(content)["code"]).upper()
    rates = parse_rates(content, code=code, start=date.min, end=date.max)
    stored = []
    with transaction.atomic():
        for rate in rates:
            row = (
                ExchangeRate.objects.select_for_update()
                .filter(currency=code, table_type="A", effective_date=rate.effective_date)
                .first()
            )
            if row is not None and row.source != RateSource.SYNTHETIC:
                continue
            ExchangeRate.objects.update_or_create(
                currency=code,
                table_type="A",
                effective_date=rate.effective_date,
                defaults={
                    "table_no": rate.table_no,
                    "mid": rate.mid,
                    "source": RateSource.FIXTURE,
                    "fetched_at": now,
                },
            )
            stored.append(rate)
    return stored


def synthetic_mid(*, currency: str, day: date) -> Decimal:
    """A deterministic made-up EUR-like mid rate (4.2000-4.3499) for a demo date. Not an NBP rate."""
    digest = hashlib.sha256(f"{currency}:{day.isoformat()}".encode()).digest()
    return Decimal("4.2000") + Decimal(int.from_bytes(digest[:4], "big") % 1500) / 10000


def rates_seed_synthetic(*, currency: str, start: date, end: date, now: datetime) -> list[Rate]:
    """Store labelled SYNTHETIC rates for the publication days of ``start..end`` that have no rate.

    Demo data only: table ``SYNTHETIC-<date>``, source ``SYNTHETIC``; real rates are never touched.
    The range is recorded as covered by synthetic data, so the demo answers without the NBP. Idempotent.
    """
    currency = _currency_code(currency)
    stored = []
    with transaction.atomic():
        have = set(
            ExchangeRate.objects.filter(
                currency=currency, table_type="A", effective_date__range=(start, end)
            ).values_list("effective_date", flat=True)
        )
        day, rows = start, []
        while day <= end:
            if is_nbp_publication_day(day) and day not in have:
                rate = Rate(
                    currency=currency,
                    table_no=f"{SYNTHETIC_TABLE_PREFIX}{day.isoformat()}",
                    effective_date=day,
                    mid=synthetic_mid(currency=currency, day=day),
                    source=RateSource.SYNTHETIC,
                )
                rows.append(
                    ExchangeRate(
                        currency=currency,
                        table_type="A",
                        table_no=rate.table_no,
                        effective_date=day,
                        mid=rate.mid,
                        source=RateSource.SYNTHETIC,
                        fetched_at=now,
                    )
                )
                stored.append(rate)
            day += ONE_DAY
        ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True)
        _coverage_add(currency=currency, start=start, end=end, source=RateSource.SYNTHETIC, now=now)
    return stored
