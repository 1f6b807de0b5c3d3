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

from liability.services._claims import (
    ClaimRates,
    claim_rates_read,
    liability_assess,
    rate_on,
    rates_prefetch,
)
from liability.services._errors import (
    DateRange,
    RateNotFound,
    RateNotStored,
    RateNotYetPublished,
    RateSourceMalformed,
    RateSourceUnreachable,
    RateUnavailable,
)
from liability.services._fetch import RateFetchResult, nbp_client, rates_fetch_range
from liability.services._fixtures import rates_load_fixture, rates_seed_synthetic, synthetic_mid

__all__ = [
    "ClaimRates",
    "DateRange",
    "RateFetchResult",
    "RateNotFound",
    "RateNotStored",
    "RateNotYetPublished",
    "RateSourceMalformed",
    "RateSourceUnreachable",
    "RateUnavailable",
    "claim_rates_read",
    "liability_assess",
    "nbp_client",
    "rate_on",
    "rates_fetch_range",
    "rates_load_fixture",
    "rates_prefetch",
    "rates_seed_synthetic",
    "synthetic_mid",
]
