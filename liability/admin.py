"""Admin: stored NBP rates and the ranges known, read-only (they are evidence, never edited by hand)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kartosfera.admin import ReadOnlyAdmin
from liability.models import ExchangeRate, RateAbsence, RateCoverage


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ["effective_date", "currency", "mid", "table_label", "source", "fetched_at"]
    list_filter = ["currency", "source"]
    date_hierarchy = "effective_date"
    search_fields = ["table_no"]

    @admin.display(description=_("NBP table"), ordering="table_no")
    def table_label(self, obj: ExchangeRate) -> str:
        """The table number; a synthetic rate is marked so that nobody takes it for an NBP table."""
        if obj.is_synthetic:
            return format_html("{} <strong>{}</strong>", obj.table_no, _("SYNTHETIC, not an NBP rate"))
        return obj.table_no


@admin.register(RateCoverage)
class RateCoverageAdmin(ReadOnlyAdmin):
    list_display = ["currency", "start_on", "end_on", "source", "recorded_at"]
    list_filter = ["currency", "source"]


@admin.register(RateAbsence)
class RateAbsenceAdmin(ReadOnlyAdmin):
    list_display = ["day", "currency", "answers", "first_seen_at", "last_seen_at", "confirmed_at"]
    list_filter = ["currency"]
    date_hierarchy = "day"
