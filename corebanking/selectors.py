"""Reads of the core banking postings for the back office."""

from django.db.models import QuerySet

from corebanking.models import Posting, ReconciliationDifference


def postings_latest(*, limit: int = 200) -> QuerySet[Posting]:
    return Posting.objects.select_related("ledger_entry__case").order_by("-recorded_at", "-pk")[:limit]


def differences_open() -> QuerySet[ReconciliationDifference]:
    return ReconciliationDifference.objects.filter(resolved_at__isnull=True).order_by("-business_date", "pk")
