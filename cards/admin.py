"""Staff views of cards and transactions: read-only, because every change to a card goes through a
service that records a CardEvent, and transactions come from the card processor. Products are
edited here. Only the last four digits and opaque tokens are ever shown, never a card number.
"""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cards.models import Card, CardEvent, CardProduct, Transaction, WalletToken
from kartosfera.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(CardProduct)
class CardProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "brand",
        "kind",
        "contactless_capable",
        "max_daily_cash_limit",
        "max_daily_pos_limit",
        "max_daily_internet_limit",
    ]
    list_filter = ["brand", "kind"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Cards refer to their product for good.
        return False


class CardEventInline(ReadOnlyInline):
    model = CardEvent
    fields = (
        "occurred_at",
        "kind",
        "channel",
        "actor",
        "from_status",
        "to_status",
        "reason",
    )
    ordering = ["-occurred_at", "-id"]


class WalletTokenInline(ReadOnlyInline):
    model = WalletToken
    fields = (
        "wallet",
        "device_name",
        "token_last4",
        "token_reference",
        "status",
        "created_at",
    )


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["masked", "brand", "product", "customer", "status", "expires_on", "cancelled_at"]
    list_filter = ["status", "brand", "product", "cancellation_reason"]
    search_fields = [
        "last4",
        "processor_token",
        "customer__last_name",
        "customer__pesel",
        "customer__bank_id",
    ]
    list_select_related = ["product", "customer"]
    fieldsets = [
        (
            None,
            {"fields": ["customer", "product", "brand", "masked", "last4", "processor_token", "expires_on"]},
        ),
        (_("Status"), {"fields": ["status", "cancelled_at", "cancellation_reason", "created_at"]}),
        (
            _("Settings"),
            {
                "fields": [
                    "three_ds_enabled",
                    "contactless_enabled",
                    "internet_enabled",
                    "foreign_enabled",
                    "atm_enabled",
                    "mobile_payments_enabled",
                ]
            },
        ),
        (
            _("Daily limits (PLN)"),
            {"fields": ["daily_cash_limit", "daily_pos_limit", "daily_internet_limit"]},
        ),
    ]
    readonly_fields = ["masked", "created_at"]
    inlines = [WalletTokenInline, CardEventInline]

    @admin.display(description=_("card number"), ordering="last4")
    def masked(self, card: Card) -> str:
        return card.masked


@admin.register(CardEvent)
class CardEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "card", "kind", "channel", "actor", "from_status", "to_status"]
    list_filter = ["kind", "channel"]
    search_fields = ["card__last4", "card__processor_token", "reason"]
    list_select_related = ["card", "actor"]
    date_hierarchy = "occurred_at"


@admin.register(WalletToken)
class WalletTokenAdmin(ReadOnlyAdmin):
    list_display = ["device_name", "wallet", "token_last4", "card", "status", "created_at"]
    list_filter = ["wallet", "status"]
    search_fields = ["token_reference", "token_last4", "device_name", "card__last4"]
    list_select_related = ["card"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "executed_at",
        "card",
        "merchant_name",
        "merchant_city",
        "channel",
        "original_amount",
        "original_currency",
        "amount_pln",
        "status",
        "sca_applied",
        "is_foreign",
    ]
    list_filter = ["channel", "status", "is_foreign", "sca_applied", "original_currency"]
    search_fields = [
        "merchant_name",
        "merchant_city",
        "authorisation_code",
        "processor_reference",
        "card__last4",
    ]
    list_select_related = ["card"]
    date_hierarchy = "executed_at"
    ordering = ["-executed_at", "-id"]
