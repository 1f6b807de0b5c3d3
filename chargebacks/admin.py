"""Staff view of chargebacks, read-only: every step goes through the case's services (disputes.services)."""

from django.contrib import admin

from chargebacks.models import Chargeback
from kartosfera.admin import ReadOnlyAdmin


@admin.register(Chargeback)
class ChargebackAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "transaction",
        "scheme",
        "reason_code",
        "amount",
        "state",
        "filing_due_on",
        "response_due_on",
    ]
    list_filter = ["state", "scheme"]
    search_fields = ["case__number", "acquirer_reference"]
    list_select_related = ["case", "transaction"]
