"""Rates stored without asking the NBP: the NBP's published tables from a fixture file (tests, the
demo), and labelled SYNTHETIC rates for the demo's dates that have none."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from liability.days import is_nbp_publication_day
from liability.explain import SYNTHETIC_TABLE_PREFIX
from liability.models import ExchangeRate, RateSource
from liability.nbp import NbpRate, parse_rates
from liability.selectors import Rate
from liability.services._fetch import ONE_DAY, coverage_add, currency_code


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
    currency = currency_code(currency)
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
        coverage_add(currency=currency, start=start, end=end, source=RateSource.SYNTHETIC, now=now)
    return stored
