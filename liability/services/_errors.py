"""The liability services' "no rate" outcomes: each a ``RateUnavailable`` naming the currency, the
date and the ranges to fetch before asking again; nothing is guessed."""

from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from typing import Any

from liability.selectors import rate_lookback

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

    def __reduce__(self) -> tuple[Callable[..., "RateUnavailable"], tuple[Any, ...]]:
        """Keyword-only arguments: say how to rebuild it (pickle, Celery results)."""
        rebuild = partial(
            type(self),
            currency=self.currency,
            on=self.on,
            fetch_start=self.fetch_start,
            fetch_end=self.fetch_end,
            fetch_ranges=self.fetch_ranges,
        )
        return rebuild, (str(self),)


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


def rate_error(
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
