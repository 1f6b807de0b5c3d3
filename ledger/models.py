"""The ledger entry: one money movement of a dispute, written once, with its posting to the core system."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Acted
from kartosfera.models import choice_check, optional_link, pln_amount
from ledger.rules import LedgerKind


class LedgerEntry(Acted):
    """One money movement of a dispute, in PLN, positive; ``kind`` gives its direction.

    A transaction has at most one outstanding provisional refund (partial unique index on the
    refunds not reversed): a refund reversed in full when its claim was withdrawn (``reversed_by``,
    the REVERSAL entry) no longer holds the transaction, so a new claim about it can be refunded.
    Each other kind comes at most once per case; every entry has a unique idempotency key, so a
    retry, a double click or a concurrent worker finds the entry instead of writing a second one.
    ``disputed_amount`` is the transaction's disputed amount, so the database itself refuses an entry
    above it.

    The table keeps the name it had when the model lived in the disputes app (``disputes_ledgerentry``):
    the model moved, the data did not.
    """

    Kind = LedgerKind

    case = models.ForeignKey(
        "disputes.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    transaction = models.ForeignKey(
        "cards.Transaction",
        verbose_name=_("transaction"),
        on_delete=models.PROTECT,
        related_name="dispute_ledger_entries",
    )
    chargeback = optional_link("chargebacks.Chargeback", _("chargeback"), related_name="ledger_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    amount = pln_amount(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    disputed_amount = pln_amount(_("disputed amount"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    transition = optional_link("disputes.CaseTransition", _("transition"), related_name="ledger_entries")
    created_at = models.DateTimeField(_("created at"))
    reversed_by = optional_link("self", _("reversed by"), related_name="reverses", one_to_one=True)

    class Meta:
        db_table = "disputes_ledgerentry"
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "id"]
        constraints = [
            choice_check("kind", LedgerKind, name="ledger_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount__lte=models.F("disputed_amount")), name="ledger_amount_within_disputed"
            ),
            models.CheckConstraint(condition=Q(currency="PLN"), name="ledger_currency_pln"),
            models.UniqueConstraint(
                fields=["transaction"],
                condition=Q(kind="PROVISIONAL_REFUND", reversed_by__isnull=True),
                name="ledger_one_outstanding_provisional_refund",
            ),
            models.CheckConstraint(
                condition=Q(reversed_by__isnull=True) | Q(kind="PROVISIONAL_REFUND"),
                name="ledger_only_refunds_are_reversed",
            ),
            models.UniqueConstraint(
                fields=["case", "transaction", "kind"], name="ledger_one_kind_per_case_transaction"
            ),
            models.CheckConstraint(
                condition=Q(kind="CHARGEBACK_CREDIT", chargeback__isnull=False)
                | ~Q(kind="CHARGEBACK_CREDIT"),
                name="ledger_chargeback_credit_names_chargeback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.amount} {self.currency}"
