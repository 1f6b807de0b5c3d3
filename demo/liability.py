"""Demo data: the real EUR table A rates of the fixture, and labelled SYNTHETIC rates for the rest.

The demo's transactions span the last ~14 months; the NBP is not asked (the demo must run offline),
so every other publication day in that span gets a rate stored as source SYNTHETIC with table
``SYNTHETIC-<date>``, shown as synthetic in the admin and in every liability explanation.
"""

from datetime import datetime
from pathlib import Path

from kartosfera.legaltime import warsaw_date
from liability.days import add_months, final_tables_through
from liability.services import rates_load_fixture, rates_seed_synthetic

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "nbp_eur_2025.json"
DEMO_MONTHS = 15


def seed(*, now: datetime) -> list[str]:
    """Store the fixture rates and synthetic rates for the demo window; idempotent."""
    today = warsaw_date(now)
    start = add_months(today, -DEMO_MONTHS)
    end = final_tables_through(today, today_published=False)
    real = rates_load_fixture(path=FIXTURE, now=now)
    synthetic = rates_seed_synthetic(currency="EUR", start=start, end=end, now=now)
    return [
        f"NBP EUR rates: {len(real)} real table A rates stored from {FIXTURE.name}; "
        f"{len(synthetic)} new SYNTHETIC rates (demo only, labelled SYNTHETIC-<date>) for {start}..{end}"
    ]
