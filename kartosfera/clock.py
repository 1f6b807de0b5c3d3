"""The one place that reads the clock. Domain code takes ``now`` as an argument instead."""

from datetime import date, datetime

from django.utils import timezone

from kartosfera.legaltime import warsaw_date


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return timezone.now()


def today_warsaw() -> date:
    """Today's date in Europe/Warsaw, the zone of every legal date."""
    return warsaw_date(now())
