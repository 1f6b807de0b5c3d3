"""Admin for the bank's calendar overrides: every save and delete goes through ``deadlines.services``."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from deadlines.calendar import OverrideChangesNothing, OverrideKind
from deadlines.models import CalendarOverride
from deadlines.selectors import bank_calendar
from deadlines.services import calendar_override_remove, calendar_override_set


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["day", "kind", "reason"]

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("day") or self.instance.day
        kind = cleaned.get("kind")
        if day and kind:
            try:
                bank_calendar().check_override(day, kind)
            except OverrideChangesNothing as refused:
                lang = (get_language() or "pl")[:2]
                if refused.kind is OverrideKind.CLOSED:
                    message = _("%(day)s is not a business day anyway (%(why)s): a closure changes nothing.")
                else:
                    message = _("%(day)s is a business day already (%(why)s): an open day changes nothing.")
                raise forms.ValidationError(
                    message,
                    code="changes_nothing",
                    params={"day": day.isoformat(), "why": refused.why.text(lang)},
                ) from None
        return cleaned


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    form = CalendarOverrideForm
    list_display = ["day", "kind", "reason", "created_by", "updated_at"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Moving an override to another day is a removal and an addition: two calendar changes.
        return [*self.readonly_fields, "day"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = calendar_override_set(day=obj.day, kind=obj.kind, reason=obj.reason, actor=request.user)
        obj.pk = saved.pk
        obj.created_by = saved.created_by
        obj.created_at, obj.updated_at = saved.created_at, saved.updated_at
        obj._state.adding = False

    def delete_model(self, request, obj):
        calendar_override_remove(day=obj.day, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for day in queryset.values_list("day", flat=True):
                calendar_override_remove(day=day, actor=request.user)
