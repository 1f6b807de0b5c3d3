from django.contrib import admin

from kartosfera.admin import ReadOnlyAdmin
from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Read-only: operators see what waits and what failed; the sweep and the workers change rows."""

    list_display = ["pk", "task", "created_at", "published_at", "publish_attempts", "finished_at", "outcome"]
    list_filter = ["outcome", "task"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
