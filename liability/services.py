"""Writes of the liability app: NBP rates fetched and stored, and the liability of a claim.

What callers use:

- ``liability_assess(transactions=, reported_at=, cause=, findings=, now=)``: the liability of a claim
  from STORED rates only (it never calls the NBP, so a request may run it); a missing rate raises a
  ``RateUnavailable`` naming the ranges to fetch (``liability.tasks.fetch_rates``);
- ``rates_fetch_range(currency=, start=, end=, now=)``: what the Celery task and ``nbp_backfill`` run;
  it asks the NBP only for the days storage does not know;
- ``rate_on(currency=, on=, now=)`` and ``rates_prefetch(...)``: the same answers, fetching what is
  missing first (tasks and commands only, never a request).

Every "no rate" outcome is a ``RateUnavailable`` naming the currency and the date; nothing is guessed.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from kartosfera.legaltime import warsaw_date
from kartosfera.policies import current_policies
from liability.days import claim_window_end, final_tables_through, is_nbp_publication_day, rate_day_target
from liability.engine import Assessment, Findings, TransactionFacts, assess_liability, dates_needing_rates
from liability.explain import SYNTHETIC_TABLE_PREFIX
from liability.models import ExchangeRate, RateAbsence, RateCoverage, RateSource
from liability.nbp import MAX_DAYS_PER_QUERY, NbpBadAnswer, NbpClient, NbpRate, NbpUnreachable, parse_rates
from liability.selectors import Rate, RateBook, rate_book_load, rate_day_policy, rate_lookback

logger = logging.getLogger(__name__)

ONE_DAY = timedelta(days=1)


DateRange = tuple[date, date]


class RateUnavailable(Exception):
    """No rate can be given for ``currency`` on ``on``; nothing was guessed.

    ``fetch_ranges`` are the ranges to fetch (one ``liability.tasks.fetch_rates`` each) before asking
    again: for a claim, every range its missing rates need, so one round of fetches completes it.
    ``fetch_start``/``fetch_end`` span them. Subclasses say why.
    """

    def __init__(
        self,
        message: str,
        *,
        currency: str,
        on: date,
        fetch_start: date,
        fetch_end: date,
        fetch_ranges: Iterable[DateRange] | None = None,
    ) -> None:
        super().__init__(message)
        self.currency, self.on = currency, on
        self.fetch_start, self.fetch_end = fetch_start, fetch_end
        self.fetch_ranges = tuple(fetch_ranges) if fetch_ranges else ((fetch_start, fetch_end),)

    def __reduce__(
        self,
    ) -> tuple[
        Callable[..., "RateUnavailable"], tuple[Any, ...]
    ]:  # keyword-only arguments: say how to rebuild it (pickle, Celery results)
        return _rebuild_error, (
            type(self),
            str(self),
            self.currency,
            self.on,
            self.fetch_start,
            self.fetch_end,
            self.fetch_ranges,
        )


def _rebuild_error(
    cls: type[RateUnavailable],
    message: str,
    currency: str,
    on: date,
    fetch_start: date,
    fetch_end: date,
    fetch_ranges: Iterable[DateRange] | None = None,
) -> RateUnavailable:
    return cls(
        message,
        currency=currency,
        on=on,
        fetch_start=fetch_start,
        fetch_end=fetch_end,
        fetch_ranges=fetch_ranges,
    )


class RateNotYetPublished(RateUnavailable):
    """The table for that date is not out yet (today before ~12:15 Warsaw, or a future date)."""


class RateNotStored(RateUnavailable):
    """The rate is not stored yet. Reading storage never asks the NBP: fetch ``fetch_ranges`` (a task)."""


class RateSourceUnreachable(RateUnavailable):
    """The rate is not stored and the NBP could not be reached: retry later (``fetch_rates`` does)."""


class RateSourceMalformed(RateUnavailable):
    """The rate is not stored and the NBP's answer was malformed (not table A): retried a few times."""


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
    """What one fetch stored: new and corrected rates, the days now known, the HTTP requests made.

    ``asked`` are the ranges the NBP was asked about (only days storage did not know);
    ``lacking`` the publication days the answers lacked and that are not yet taken as "no table".
    """

    currency: str
    start: date
    end: date
    covered_through: date | None = None
    created: list[NbpRate] = field(default_factory=list)
    updated: list[NbpRate] = field(default_factory=list)
    unchanged: int = 0
    requests: int = 0
    asked: list[DateRange] = field(default_factory=list)
    lacking: list[date] = field(default_factory=list)


def _check_storable(rates: list[NbpRate]) -> None:
    """Refuse a rate the ``mid`` column cannot hold exactly: it would be rounded silently.

    :raises NbpBadAnswer:
    """
    column = ExchangeRate._meta.get_field("mid")
    places, digits = column.decimal_places, column.max_digits
    for rate in rates:
        normal = rate.mid.normalize()
        exponent = normal.as_tuple().exponent
        decimals = max(0, -exponent)  # type: ignore[operator]
        whole_digits = max(0, normal.adjusted() + 1)
        if decimals > places or whole_digits > digits - places:
            raise NbpBadAnswer(
                f"table {rate.table_no} of {rate.effective_date}: mid {rate.mid} does not fit the "
                f"{digits} digits with {places} decimals stored; refused, not rounded"
            )


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
    if rates:
        RateAbsence.objects.filter(
            currency=currency, table_type="A", day__in=[rate.effective_date for rate in rates]
        ).delete()
    return result


def _absence_confirmed(*, currency: str, day: date, now: datetime) -> bool:
    """Note that an answer lacked ``day``'s table; True once two answers far enough apart lacked it."""
    row, created = RateAbsence.objects.select_for_update().get_or_create(
        currency=currency, table_type="A", day=day, defaults={"first_seen_at": now, "last_seen_at": now}
    )
    if created:
        return False
    row.answers += 1
    row.last_seen_at = max(row.last_seen_at, now)
    wait = timedelta(hours=settings.NBP_ABSENCE_CONFIRM_HOURS)
    if row.confirmed_at is None and row.last_seen_at - row.first_seen_at >= wait:
        row.confirmed_at = now
    row.save(update_fields=["answers", "last_seen_at", "confirmed_at"])
    return row.confirmed_at is not None


def _cover_answered(
    *, currency: str, start: date, end: date, rates: list[NbpRate], book: RateBook, now: datetime
) -> list[date]:
    """Record ``start..end`` as known after an answer, except publication days the answer lacked.

    Such a day is covered ("no table that day") only once confirmed (``_absence_confirmed``); until
    then it stays unknown and is asked again. Returns the days left unknown.
    """
    answered = {rate.effective_date for rate in rates}
    pieces, lacking, piece_start, day = [], [], start, start
    while day <= end:
        unexplained = (
            is_nbp_publication_day(day)
            and day not in answered
            and not book.is_known(day)  # neither stored nor covered before
        )
        if unexplained and not _absence_confirmed(currency=currency, day=day, now=now):
            lacking.append(day)
            if piece_start < day:
                pieces.append((piece_start, day - ONE_DAY))
            piece_start = day + ONE_DAY
        day += ONE_DAY
    if piece_start <= end:
        pieces.append((piece_start, end))
    for piece_start, piece_end in pieces:
        _coverage_add(currency=currency, start=piece_start, end=piece_end, source=RateSource.NBP, now=now)
    if lacking:
        logger.warning(
            "NBP %s answer for %s..%s lacks the table of publication day(s) %s: not taken as days "
            "without a table until confirmed",
            currency,
            start,
            end,
            ", ".join(day.isoformat() for day in lacking),
        )
    return lacking


def _known_through(book: RateBook, start: date, end: date) -> date | None:
    """The last day ``d`` of ``start..end`` such that every day ``start..d`` is known, or None."""
    runs = book.unknown_runs(start, end)
    if not runs:
        return end
    first_unknown = runs[0][0]
    return first_unknown - ONE_DAY if first_unknown > start else None


def rates_fetch_range(
    *, currency: str, start: date, end: date, now: datetime, refresh: bool = False
) -> RateFetchResult:
    """Fetch the table A rates of ``start..end`` that storage does not know, and store them.

    Only the unknown days are asked, 93 days a request: a stored date is never asked again, and a
    range storage knows whole costs no request (``refresh=True``, for ``nbp_backfill --refresh``,
    asks the whole range to pick up corrections). Days after today are not asked. Days become known
    up to the last day whose tables are final; a publication day an answer lacked stays unknown
    until confirmed (``RateAbsence``). Idempotent.

    :raises liability.nbp.NbpUnreachable: the NBP did not answer; nothing was stored.
    :raises liability.nbp.NbpBadAnswer: the answer was malformed, or a rate does not fit the column
        exactly; nothing was stored.
    :raises liability.nbp.NbpBadRequest: the NBP refused the query as malformed.
    """
    currency = _currency_code(currency)
    today = warsaw_date(now)
    end = min(end, today)
    if start > end:
        return RateFetchResult(currency=currency, start=start, end=end)
    book = rate_book_load(currency=currency, start=start, end=end)
    asked = [(start, end)] if refresh else book.unknown_runs(start, end)
    rates: list[NbpRate] = []
    requests = 0
    if asked:
        # The HTTP requests are made outside any database transaction: no lock is held while waiting.
        with nbp_client() as client:
            for first, last in asked:
                rates.extend(client.rates(currency, first, last))
            requests = client.requests_sent
        _check_storable(rates)
    final_through = final_tables_through(today, today_published=any(r.effective_date == today for r in rates))
    lacking: list[date] = []
    with transaction.atomic():
        result = _store_nbp_rates(currency=currency, start=start, end=end, rates=rates, now=now)
        for first, last in asked:
            if first <= min(last, final_through):
                lacking += _cover_answered(
                    currency=currency,
                    start=first,
                    end=min(last, final_through),
                    rates=rates,
                    book=book,
                    now=now,
                )
    result.covered_through = _known_through(
        rate_book_load(currency=currency, start=start, end=end), start, end
    )
    result.requests, result.asked, result.lacking = requests, asked, lacking
    logger.info(
        "NBP %s %s..%s: asked %s, %d new, %d corrected, %d unchanged, %d requests",
        currency,
        start,
        end,
        ", ".join(f"{a}..{b}" for a, b in asked) or "nothing (all stored)",
        len(result.created),
        len(result.updated),
        result.unchanged,
        requests,
    )
    return result


def _rate_error(
    cls: type[RateUnavailable],
    message: str,
    *,
    currency: str,
    on: date,
    target: date,
    ranges: Iterable[DateRange] = (),
) -> RateUnavailable:
    ranges = tuple(ranges) or ((target - rate_lookback(), target),)
    return cls(
        message,
        currency=currency,
        on=on,
        fetch_start=min(first for first, _ in ranges),
        fetch_end=max(last for _, last in ranges),
        fetch_ranges=ranges,
    )


@dataclass
class ClaimRates:
    """The stored rates of a claim's dates, read once; ``__call__`` is ``assess_liability``'s ``rate_on``.

    ``fetch_ranges`` are what the dates storage cannot answer need fetched (``needs``: per target).
    ``fetch_error`` is set when a fetch was tried (``rates_prefetch``) and failed.
    """

    currency: str
    today: date
    policy: str
    book: RateBook | None
    fetch_ranges: tuple[DateRange, ...] = ()
    needs: dict[date, DateRange] = field(default_factory=dict)
    requests: int = 0
    fetch_error: Exception | None = None

    def rate(self, on: date) -> Rate:
        """The rate for an execution date, from what was read only; never asks the NBP.

        :raises RateNotYetPublished, RateNotStored, RateSourceUnreachable, RateSourceMalformed,
            RateNotFound: no rate; the error names every range the claim needs fetched.
        :raises LookupError: the date was not among those read (a bug of the caller).
        """
        target = rate_day_target(on, self.policy)
        error = partial(_rate_error, currency=self.currency, on=on, target=target, ranges=self.fetch_ranges)
        if target > self.today:
            raise error(RateNotYetPublished, f"the NBP table A of {target} is not published yet")
        if self.book is None or not self.book.start <= target <= self.book.end:
            raise LookupError(
                f"the {self.currency} rate for {on} was not read; pass every date to claim_rates_read"
            )
        rate = self.book.resolve(target)
        if rate is not None:
            return rate
        what = f"the {self.currency} rate for {on} (table of {target} or the last before)"
        if target not in self.needs:
            start = target - rate_lookback()
            raise error(RateNotFound, f"the NBP has no table A for {self.currency} from {start} to {target}")
        if isinstance(self.fetch_error, NbpBadAnswer):
            raise error(
                RateSourceMalformed,
                f"{what} is not stored and the NBP's answer is malformed: {self.fetch_error}",
            )
        if self.fetch_error is not None:
            raise error(
                RateSourceUnreachable,
                f"{what} is not stored and the NBP cannot be reached: {self.fetch_error}",
            )
        if target == self.today and is_nbp_publication_day(target):
            raise error(RateNotYetPublished, f"{what} is not stored: today's table may not be published yet")
        raise error(
            RateNotStored, f"{what} is not stored yet; fetch {self.needs[target][0]}..{self.needs[target][1]}"
        )

    def __call__(self, on: date) -> tuple[Decimal, str]:
        rate = self.rate(on)
        return rate.mid, rate.table_no


def claim_rates_read(*, currency: str = "EUR", dates: Iterable[date], now: datetime) -> ClaimRates:
    """The stored rates of all ``dates`` (policy ``RATE_DAY``), read at once; never asks the NBP.

    The dates storage cannot answer raise when asked, with the ranges to fetch for the whole claim
    (at most one request per 93 days missing, none for a stored date).
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
    ranges, needs = book.fetch_plan(targets, lookback=lookback, max_days=MAX_DAYS_PER_QUERY)
    return ClaimRates(
        currency=currency, today=today, policy=policy, book=book, fetch_ranges=tuple(ranges), needs=needs
    )


def rates_prefetch(*, currency: str = "EUR", dates: Iterable[date], now: datetime) -> ClaimRates:
    """``claim_rates_read`` after fetching what storage is missing: for tasks and commands, never requests.

    Only the missing ranges are asked (at most one request per 93 days missing, none for a stored
    date). An unreachable NBP or a malformed answer is not raised here but by the returned
    ``ClaimRates`` for the dates that need it.

    :raises liability.nbp.NbpBadRequest: the NBP refused the query (a bug of ours).
    """
    dates = list(dates)
    read = claim_rates_read(currency=currency, dates=dates, now=now)
    if not read.fetch_ranges:
        return read
    requests, error = 0, None
    for start, end in read.fetch_ranges:
        try:
            requests += rates_fetch_range(currency=read.currency, start=start, end=end, now=now).requests
        except (NbpUnreachable, NbpBadAnswer) as exc:
            error = exc
            break
    fetched = claim_rates_read(currency=currency, dates=dates, now=now)
    fetched.requests, fetched.fetch_error = requests, error
    return fetched


def rate_on(*, currency: str = "EUR", on: date, now: datetime) -> Rate:
    """The table A mid rate that applies to a transaction executed on ``on`` (policy ``RATE_DAY``).

    Stored rates first; a gap costs one range request over the days storage does not know (at most
    ``[target − NBP_LOOKBACK_DAYS, target]``). For tasks and commands: it may call the NBP.

    :raises RateNotYetPublished: the table is not out yet (today before publication, or the future);
        the previous table is NOT used instead.
    :raises RateSourceUnreachable: not stored and the NBP cannot be reached; nothing was stored.
    :raises RateSourceMalformed: not stored and the NBP's answer was malformed; nothing was stored.
    :raises RateNotStored: the answer lacked the day's table (not yet confirmed as a day without one).
    :raises RateNotFound: the NBP has no table in the look-back window.
    :raises liability.nbp.NbpBadRequest: the NBP refused the query (a bug of ours).
    """
    if not isinstance(on, date) or isinstance(on, datetime):
        raise TypeError(f"on must be a date (the Warsaw execution date), got {on!r}")
    return rates_prefetch(currency=currency, dates=[on], now=now).rate(on)


def liability_assess(
    *,
    transactions: Iterable[TransactionFacts],
    reported_at: datetime,
    cause: str,
    findings: Findings,
    now: datetime,
    currency: str = "EUR",
) -> Assessment:
    """The liability of a claim (RULES.md section 3) with STORED NBP rates and the project's policies.

    Never calls the NBP, so a request (a claim's submission, an analyst's assessment) may run it.
    Only the dates under the 50 EUR cap need a rate; they are read together (``claim_rates_read``).
    The window ``UUP-44-2`` uses ``liability.days.claim_window_end`` with the ``ROLL_FORWARD`` policy.

    :raises liability.engine.LiabilityInputError: the claim is not valid (nothing computed).
    :raises RateUnavailable: (``RateNotStored``, ``RateNotYetPublished``, ``RateNotFound``) a capped
        transaction's rate is not stored; ``fetch_ranges`` are what the whole claim needs fetched
        (``liability.tasks.fetch_rates``). The workflow waits for them and assesses again.
    """
    transactions = list(transactions)
    policies = current_policies()
    window_end = partial(claim_window_end, roll=policies.roll_forward)
    dates = dates_needing_rates(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        window_end=window_end,
    )
    claim_rates = claim_rates_read(currency=currency, dates=dates, now=now)
    return assess_liability(
        transactions=transactions,
        reported_at=reported_at,
        cause=cause,
        findings=findings,
        rate_on=claim_rates,
        window_end=window_end,
        rounding=policies.rounding,
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
