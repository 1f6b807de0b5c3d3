"""Reads of chargebacks: what the sweeps look for (each matches a partial index of ``Chargeback.Meta``)."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from chargebacks.models import Chargeback, ChargebackState


def chargebacks_filing_alert_due(*, now: datetime, within: timedelta) -> QuerySet[Chargeback]:
    """Drafted chargebacks whose filing window ends within ``within``, not alerted yet."""
    return Chargeback.objects.filter(
        state=ChargebackState.DRAFT, alerted_at__isnull=True, filing_due_at__lte=now + within
    )


__all__ = ["chargebacks_filing_alert_due"]
