"""NBP table A rates fetched and stored: only the days storage does not know are asked, and the
days an answer covers are recorded as known (``RateCoverage``), so a stored date is never asked
again."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction

from kartosfera.legaltime import warsaw_date
from liability.days import final_tables_through, is_nbp_publication_day
from liability.models import ExchangeRate, RateAbsence, RateCoverage, RateSource
from liability.nbp import NbpBadAnswer, NbpClient, NbpRate
from liability.selectors import RateBook, rate_book_load
from liability.services._errors import DateRange

logger = logging.getLogger("liability.services")

ONE_DAY = timedelta(days=1)


def currency_code(currency: str) -> str:
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


def coverage_add(*, currency: str, start: date, end: date, source: str, now: datetime) -> None:
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
        coverage_add(currency=currency, start=piece_start, end=piece_end, source=RateSource.NBP, now=now)
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
    currency = currency_code(currency)
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
