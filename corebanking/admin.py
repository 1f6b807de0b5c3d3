"""Staff views of the postings to the core banking system and the reconciliation's differences: read-only
(postings are written with their ledger entries and confirmed by the core system)."""

from django.contrib import admin

from corebanking.models import Posting, ReconciliationDifference
from kartosfera.admin import ReadOnlyAdmin


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = [
        "idempotency_key",
        "direction",
        "amount",
        "currency",
        "account",
        "status",
        "attempts",
        "recorded_at",
        "confirmed_at",
        "core_reference",
    ]
    list_filter = ["status", "direction"]
    search_fields = ["idempotency_key", "core_reference", "account"]
    date_hierarchy = "recorded_at"


@admin.register(ReconciliationDifference)
class ReconciliationDifferenceAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "kind", "idempotency_key", "ours", "theirs", "found_at", "resolved_at"]
    list_filter = ["kind", "business_date"]
    search_fields = ["idempotency_key"]
