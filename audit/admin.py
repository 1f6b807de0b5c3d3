"""The audit log in the admin: read only for everybody, superusers included."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.models import HASHED_FIELDS, AuditEntry
from kartosfera.admin import ReadOnlyAdmin

# Every field is shown, and every field is read only: the sequence, what the hash covers in the order
# it covers it (``HASHED_FIELDS``: the JSON ones pretty-printed, the actor id as the user), the links.
_SHOWN_AS = {"actor_id": "actor", "before": "before_json", "after": "after_json", "data": "data_json"}
_FIELDS = ("sequence", *(_SHOWN_AS.get(name, name) for name in HASHED_FIELDS), "previous_hash", "entry_hash")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Entries can be searched and read (``audit.view_auditentry``); nobody adds, changes or deletes."""

    list_display = [
        "sequence",
        "recorded_at",
        "action",
        "actor_repr",
        "role",
        "channel",
        "ip_address",
        "object_repr",
    ]
    list_filter = ["action", "role", "channel"]
    search_fields = [
        "=sequence",
        "action",
        "actor_repr",
        "object_repr",
        "=object_id",
        "=ip_address",
        "=request_id",
    ]
    date_hierarchy = "recorded_at"
    ordering = ["-sequence"]
    actions = None
    fields = _FIELDS
    readonly_fields = _FIELDS

    @staticmethod
    def _json(value: object) -> str:
        return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))

    @admin.display(description=_("before"))
    def before_json(self, entry: AuditEntry) -> str:
        return self._json(entry.before)

    @admin.display(description=_("after"))
    def after_json(self, entry: AuditEntry) -> str:
        return self._json(entry.after)

    @admin.display(description=_("data"))
    def data_json(self, entry: AuditEntry) -> str:
        return self._json(entry.data)
