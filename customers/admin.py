from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, CustomerEvent, Notification, OtpChallenge, User
from kartosfera.admin import ReadOnlyAdmin, ReadOnlyInline

admin.site.register(User, UserAdmin)


class CustomerEventInline(ReadOnlyInline):
    """The customer's portal history, read-only: services write it."""

    model = CustomerEvent
    fields = (
        "occurred_at",
        "kind",
        "actor",
        "data",
    )
    ordering = ["-occurred_at", "-id"]


@admin.register(OtpChallenge)
class OtpChallengeAdmin(ReadOnlyAdmin):
    """Text-message codes, for support ("I got no code"): state only, read-only, never the code."""

    list_display = [
        "created_at",
        "customer",
        "purpose",
        "subject",
        "send_count",
        "attempts",
        "verified_at",
        "consumed_at",
        "voided_at",
    ]
    list_filter = ["purpose"]
    search_fields = ["customer__pesel", "customer__bank_id", "customer__last_name", "subject"]
    list_select_related = ["customer"]
    readonly_fields = (
        "customer",
        "purpose",
        "subject",
        "operation",
        "phone",
        "created_at",
        "last_sent_at",
        "expires_at",
        "send_count",
        "attempts",
        "verified_at",
        "consumed_at",
        "voided_at",
    )
    fields = readonly_fields
    ordering = ["-created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The messages sent to customers, for support ("I got no text"): read-only, services write them."""

    list_display = ["created_at", "customer", "kind", "channel", "recipient", "sent_at", "attempts"]
    list_filter = ["kind", "channel", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["customer__pesel", "customer__bank_id", "customer__last_name"]
    list_select_related = ["customer"]
    readonly_fields = (
        "customer",
        "kind",
        "channel",
        "recipient",
        "language",
        "subject",
        "body",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    )
    fields = readonly_fields
    ordering = ["-created_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Staff look customers up and register those without a PESEL under a bank identification number."""

    list_display = ["full_name", "kind", "pesel", "bank_id", "mobile_phone", "email", "preferred_language"]
    list_filter = ["kind", "preferred_language"]
    search_fields = ["pesel", "bank_id", "last_name", "first_name", "email", "mobile_phone", "company_name"]
    ordering = ["last_name", "first_name"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
    inlines = [CustomerEventInline]
    fieldsets = [
        (None, {"fields": ["kind", "company_name", "first_name", "last_name", "birth_date"]}),
        (
            _("Identification"),
            {
                "fields": ["pesel", "bank_id"],
                "description": _(
                    "Enter the PESEL. For a customer without one (a non-resident), leave it empty "
                    "and enter the bank identification number instead."
                ),
            },
        ),
        (_("Contact"), {"fields": ["mobile_phone", "email", "preferred_language"]}),
        (_("Portal"), {"fields": ["user", "created_at"]}),
    ]

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, customer: Customer) -> str:
        return customer.full_name
