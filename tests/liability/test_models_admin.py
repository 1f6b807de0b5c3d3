from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from liability.models import ExchangeRate, RateSource

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def rate(**fields) -> ExchangeRate:
    values = {
        "currency": "EUR",
        "table_no": "099/A/NBP/2025",
        "effective_date": date(2025, 5, 23),
        "mid": Decimal("4.2541"),
        "source": RateSource.NBP,
        "fetched_at": NOW,
    } | fields
    return ExchangeRate.objects.create(**values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"source": RateSource.SYNTHETIC},  # a synthetic rate with an NBP-like number
        {"table_no": "SYNTHETIC-2025-05-23"},  # an NBP rate labelled synthetic
        {"mid": Decimal("0")},
    ],
)
def test_the_database_refuses_unlabelled_synthetic_rates_and_non_positive_mids(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        rate(**fields)

    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_one_rate_per_currency_table_and_day():
    rate()

    with pytest.raises(IntegrityError), transaction.atomic():
        rate(table_no="100/A/NBP/2025")

    assert ExchangeRate.objects.count() == 1


@pytest.mark.django_db
def test_mid_keeps_the_nbps_decimals():
    rate()

    assert ExchangeRate.objects.get().mid == Decimal("4.2541")


@pytest.mark.django_db
def test_admin_lists_rates_read_only_and_marks_synthetic_ones(admin_client):
    rate()
    rate(table_no="SYNTHETIC-2026-11-20", effective_date=date(2026, 11, 20), source=RateSource.SYNTHETIC)

    listing = admin_client.get("/admin/liability/exchangerate/").content.decode()
    rows = [chunk.split("</tr>")[0] for chunk in listing.split("<tr")[1:]]
    synthetic_row = next(row for row in rows if "SYNTHETIC-2026-11-20" in row)
    nbp_row = next(row for row in rows if "099/A/NBP/2025" in row)

    assert "SYNTETYCZNY, to nie jest kurs NBP" in synthetic_row
    assert "SYNTETYCZNY (dane demonstracyjne, to nie jest kurs NBP)" in synthetic_row  # the source column
    assert "SYNTETYCZNY" not in nbp_row
    assert admin_client.get("/admin/liability/exchangerate/add/").status_code == 403


def test_str_labels_synthetic_rates():
    row = ExchangeRate(
        currency="EUR",
        table_no="SYNTHETIC-2026-11-20",
        effective_date=date(2026, 11, 20),
        mid=Decimal("4.2311"),
        source=RateSource.SYNTHETIC,
    )

    assert str(row) == "EUR 2026-11-20 4.2311 (SYNTHETIC-2026-11-20) SYNTHETIC"
