"""The rates of a claim read from storage at once, and the liability of a claim: what a request may
run, since it never calls the NBP (``rates_prefetch`` and ``rate_on`` fetch first: tasks and
commands only)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Unpack

from kartosfera.legaltime import warsaw_date
from kartosfera.policies import current_policies
from liability.days import claim_window_end, is_nbp_publication_day, rate_day_target
from liability.engine import Assessment, ClaimFacts, assess_liability_reading_rates
from liability.nbp import MAX_DAYS_PER_QUERY, NbpBadAnswer, NbpUnreachable
from liability.selectors import Rate, RateBook, rate_book_load, rate_day_policy, rate_lookback
from liability.services import _errors as no_rate
from liability.services._errors import DateRange, rate_error
from liability.services._fetch import currency_code, rates_fetch_range


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
        error = partial(rate_error, currency=self.currency, on=on, target=target, ranges=self.fetch_ranges)
        if target > self.today:
            raise error(no_rate.RateNotYetPublished, f"the NBP table A of {target} is not published yet")
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
            raise error(
                no_rate.RateNotFound, f"the NBP has no table A for {self.currency} from {start} to {target}"
            )
        if isinstance(self.fetch_error, NbpBadAnswer):
            raise error(
                no_rate.RateSourceMalformed,
                f"{what} is not stored and the NBP's answer is malformed: {self.fetch_error}",
            )
        if self.fetch_error is not None:
            raise error(
                no_rate.RateSourceUnreachable,
                f"{what} is not stored and the NBP cannot be reached: {self.fetch_error}",
            )
        if target == self.today and is_nbp_publication_day(target):
            raise error(
                no_rate.RateNotYetPublished, f"{what} is not stored: today's table may not be published yet"
            )
        raise error(
            no_rate.RateNotStored,
            f"{what} is not stored yet; fetch {self.needs[target][0]}..{self.needs[target][1]}",
        )

    def __call__(self, on: date) -> tuple[Decimal, str]:
        rate = self.rate(on)
        return rate.mid, rate.table_no


def claim_rates_read(*, currency: str = "EUR", dates: Iterable[date], now: datetime) -> ClaimRates:
    """The stored rates of all ``dates`` (policy ``RATE_DAY``), read at once; never asks the NBP.

    The dates storage cannot answer raise when asked, with the ranges to fetch for the whole claim
    (at most one request per 93 days missing, none for a stored date).
    """
    currency = currency_code(currency)
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


def liability_assess(*, now: datetime, currency: str = "EUR", **claim: Unpack[ClaimFacts]) -> Assessment:
    """The liability of a claim (RULES.md section 3) with STORED NBP rates and the project's policies.

    Never calls the NBP, so a request (a claim's submission, an analyst's assessment) may run it.
    Only the dates under the 50 EUR cap need a rate; they are read together (``claim_rates_read``).
    The window ``UUP-44-2`` uses ``liability.days.claim_window_end`` with the ``ROLL_FORWARD`` policy.

    :raises liability.engine.LiabilityInputError: the claim is not valid (nothing computed).
    :raises RateUnavailable: (``RateNotStored``, ``RateNotYetPublished``, ``RateNotFound``) a capped
        transaction's rate is not stored; ``fetch_ranges`` are what the whole claim needs fetched
        (``liability.tasks.fetch_rates``). The workflow waits for them and assesses again.
    """
    policies = current_policies()
    return assess_liability_reading_rates(
        read_rates=lambda dates: claim_rates_read(currency=currency, dates=dates, now=now),
        window_end=partial(claim_window_end, roll=policies.roll_forward),
        rounding=policies.rounding,
        **claim,
    )
