"""The read-only admin the apps share: rows their services write, which staff look at and never edit."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """View permission only: no add, change or delete from the admin (a model admin or an inline)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A model admin that lists and shows rows; adding, changing and deleting go through the services."""


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Rows shown in a table on their parent's page: the fields listed, each read only, no blank rows."""

    extra = 0

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return flatten_fieldsets([(None, {"fields": self.fields or ()})])
