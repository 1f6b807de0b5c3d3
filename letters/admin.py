"""Admin for stored letters and held letter requests: read-only, never added, changed or deleted here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kartosfera.admin import ReadOnlyAdmin
from letters.models import Letter, LetterRequestHold


class _ReadOnlyAdmin(ReadOnlyAdmin):
    """Evidence and its history: shown, never added, changed or deleted here."""

    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Letter)
class LetterAdmin(_ReadOnlyAdmin):
    list_display = (
        "id",
        "case",
        "letter_type",
        "version",
        "language",
        "issued_at",
        "dispatched_at",
        "withdrawn_at",
    )
    list_filter = ("letter_type", "dispatch_channel")
    search_fields = ("case__number", "sha256")
    list_select_related = ("case",)


@admin.register(LetterRequestHold)
class LetterRequestHoldAdmin(_ReadOnlyAdmin):
    """The letters needing attention: what blocks each, for staff to fix (the sweep then issues it)."""

    list_display = (
        "letter_request",
        "case_number",
        "reason",
        "held_at",
        "attempts",
        "last_attempt_at",
        "released_at",
    )
    list_filter = (("released_at", admin.EmptyFieldListFilter), "reason")
    search_fields = ("letter_request__case__number",)
    list_select_related = ("letter_request", "letter_request__case")

    @admin.display(description=_("case"), ordering="letter_request__case__number")
    def case_number(self, obj: LetterRequestHold) -> str:
        return obj.letter_request.case.number or str(obj.letter_request.case_id)
