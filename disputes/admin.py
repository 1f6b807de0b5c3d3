"""Staff views of dispute cases, read-only: every change goes through a service in disputes.services,
which checks the workflow's guards and permissions and writes the history. The back office comes later.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chargebacks.models import Chargeback
from disputes.models import (
    Case,
    CaseEvent,
    CaseLetterRequest,
    CaseTransaction,
    CaseTransition,
    Evidence,
    LiabilityAssessment,
)
from kartosfera.admin import ReadOnlyAdmin, ReadOnlyInline
from ledger.models import LedgerEntry


class DisputedInline(ReadOnlyInline):
    model = CaseTransaction
    fields = (
        "transaction",
        "amount",
        "window_end_on",
        "window_rule",
        "out_of_window",
        "is_open",
    )


class TransitionInline(ReadOnlyInline):
    model = CaseTransition
    fields = (
        "occurred_at",
        "name",
        "from_state",
        "to_state",
        "actor",
        "actor_kind",
        "letter_required",
        "reason",
    )
    ordering = ["occurred_at", "id"]


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("occurred_at", "kind", "actor", "data")
    ordering = ["occurred_at", "id"]


class LedgerInline(ReadOnlyInline):
    model = LedgerEntry
    fields = (
        "created_at",
        "transaction",
        "kind",
        "amount",
        "currency",
        "idempotency_key",
        "reversed_by",
        "actor",
    )


class AssessmentInline(ReadOnlyInline):
    model = LiabilityAssessment
    fields = (
        "created_at",
        "kind",
        "customer_total",
        "bank_total",
        "rate_tables",
        "synthetic_rates_used",
        "actor",
    )


class ChargebackInline(ReadOnlyInline):
    model = Chargeback
    fields = ["transaction", "scheme", "reason_code", "amount", "state", "filing_due_on", "response_due_on"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("uploaded_at", "kind", "original_name", "size", "sha256", "uploaded_by")


class LetterInline(ReadOnlyInline):
    model = CaseLetterRequest
    fields = ("requested_at", "letter_type", "fulfilled_at")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "customer",
        "card",
        "state",
        "outcome",
        "refund_due_on",
        "reply_due_on",
        "reply_rule",
        "out_of_window",
        "estimate_status",
        "assignee",
    ]
    list_filter = ["state", "outcome", "channel", "cause", "reply_regime", "out_of_window", "estimate_status"]
    search_fields = ["number", "customer__last_name", "customer__pesel", "customer__bank_id", "card__last4"]
    list_select_related = ["customer", "card", "assignee"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Case._meta.concrete_fields]
    fieldsets = [
        (
            None,
            {"fields": ["number", "customer", "card", "channel", "cause", "category", "state", "outcome"]},
        ),
        (
            _("Customer's account"),
            {
                "fields": [
                    "loss_noticed_at",
                    "card_whereabouts",
                    "access_to_card_and_phone",
                    "card_in_mobile_wallet",
                    "police_notified",
                    "police_reference",
                    "customer_account",
                ]
            },
        ),
        (
            _("Deadlines"),
            {
                "fields": [
                    "received_at",
                    "reported_at",
                    "found_at",
                    "reply_regime",
                    "refund_owed",
                    "refund_due_on",
                    "refund_rule",
                    "reply_due_on",
                    "reply_rule",
                    "reply_extended",
                    "expected_reply_on",
                    "window_end_on",
                    "out_of_window",
                    "deadline_explanations",
                ]
            },
        ),
        (
            _("Money"),
            {"fields": ["disputed_amount", "estimate_status", "customer_share", "bank_share", "refunded_at"]},
        ),
    ]
    inlines = [
        DisputedInline,
        AssessmentInline,
        LedgerInline,
        ChargebackInline,
        EvidenceInline,
        TransitionInline,
        EventInline,
        LetterInline,
    ]


@admin.register(CaseLetterRequest)
class CaseLetterRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "case", "letter_type", "fulfilled_at"]
    list_filter = ["letter_type"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
