"""Staff views of the API's clients, amendments and the webhook delivery log (with a replay action)."""

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient, TransactionAmendment, WebhookDelivery, WebhookEndpoint
from api.webhooks import webhook_delivery_replay
from disputes.services import DisputeError
from kartosfera.admin import ReadOnlyAdmin
from kartosfera.clock import now


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "scopes", "rate_limit_per_minute", "created_at"]


@admin.register(TransactionAmendment)
class TransactionAmendmentAdmin(ReadOnlyAdmin):
    list_display = ["transaction", "changes", "client", "received_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "client", "event_types", "active", "created_at"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event__event_type"]
    actions = ["replay"]

    @admin.action(description=_("Send the selected deliveries again"))
    def replay(self, request: HttpRequest, queryset) -> None:
        for delivery in queryset:
            try:
                webhook_delivery_replay(delivery_id=delivery.pk, actor=request.user, now=now())
            except DisputeError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
        self.message_user(request, _("The deliveries will be sent again within a minute."), messages.SUCCESS)
