"""Admin for stored letters: read-only, never added, changed or deleted here."""

from django.contrib import admin

from letters.models import Letter


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("id", "case", "letter_type", "version", "language", "issued_at", "dispatched_at")
    list_filter = ("letter_type", "dispatch_channel")
    search_fields = ("case__number", "sha256")
    list_select_related = ("case",)
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
