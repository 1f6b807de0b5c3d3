from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from demo import SEEDERS, seed_demo
from demo import liability as demo
from liability.engine import Findings, TransactionFacts
from liability.models import ExchangeRate, RateSource
from liability.services import liability_assess, rate_on

NOW = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)  # a Saturday


@pytest.mark.django_db
def test_demo_stores_the_real_fixture_rates_and_labelled_synthetic_ones():
    lines = demo.seed(now=NOW)

    fixture = ExchangeRate.objects.filter(source=RateSource.FIXTURE).order_by("effective_date")
    assert [(r.table_no, r.mid) for r in fixture] == [
        ("096/A/NBP/2025", Decimal("4.2497")),
        ("099/A/NBP/2025", Decimal("4.2541")),
        ("102/A/NBP/2025", Decimal("4.2447")),
        ("114/A/NBP/2025", Decimal("4.2720")),
        ("172/A/NBP/2025", Decimal("4.2476")),
    ]
    synthetic = ExchangeRate.objects.filter(source=RateSource.SYNTHETIC)
    assert synthetic.exists()
    assert all(r.table_no == f"SYNTHETIC-{r.effective_date.isoformat()}" for r in synthetic)
    assert not synthetic.filter(effective_date=date(2025, 9, 5)).exists()  # the real rate is kept
    assert synthetic.order_by("effective_date").first().effective_date >= date(2025, 8, 21)
    assert synthetic.order_by("effective_date").last().effective_date == date(2026, 11, 20)
    assert "SYNTHETIC" in lines[0]


@pytest.mark.django_db
def test_demo_seed_is_idempotent():
    demo.seed(now=NOW)
    before = list(
        ExchangeRate.objects.order_by("pk").values_list("effective_date", "table_no", "mid", "source")
    )

    demo.seed(now=NOW)

    assert (
        list(ExchangeRate.objects.order_by("pk").values_list("effective_date", "table_no", "mid", "source"))
        == before
    )


@pytest.mark.django_db
def test_the_demo_answers_from_storage_and_shows_synthetic_rates_as_synthetic(nbp_server):
    nbp_server.stop()  # offline: the demo never needs the NBP
    demo.seed(now=NOW)

    sunday = rate_on(on=date(2026, 11, 1), now=NOW)
    result = liability_assess(
        transactions=[
            TransactionFacts(
                id="demo-1",
                amount=Decimal("300.00"),
                executed_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                sca_applied=True,
            )
        ],
        reported_at=datetime(2026, 11, 20, 20, 0, tzinfo=UTC),
        cause="STOLEN",
        findings=Findings(),
        now=NOW,
    )

    assert (sunday.table_no, sunday.synthetic) == ("SYNTHETIC-2026-10-30", True)
    line = result.lines[0]
    assert line.table == "SYNTHETIC-2026-11-20" and line.synthetic_rate
    assert "kurs SYNTETYCZNY SYNTHETIC-2026-11-20, nie pochodzi z tabeli NBP" in line.explanation_pl


@pytest.mark.django_db
def test_the_liability_seeder_is_registered():
    assert "demo.liability.seed" in SEEDERS

    lines = seed_demo(now=NOW)

    assert any("NBP EUR rates" in line for line in lines)
