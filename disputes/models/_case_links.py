"""The transactions a case disputes, and the yearly sequence of case numbers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cards.models import Transaction
from disputes.models._case import Case
from kartosfera.models import pln_amount


class CaseTransaction(models.Model):
    """One disputed transaction of a case, with its reporting window (UUP-44-2).

    ``is_open`` mirrors whether the case holds the transaction (submitted, not withdrawn or closed);
    the services keep it in step, and a partial unique index lets a transaction be in one open case.
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="disputed")
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="dispute_links"
    )
    amount = pln_amount(_("disputed amount (PLN)"))
    is_open = models.BooleanField(_("in an open case"), default=False)
    window_end_on = models.DateField(_("reporting window ends on"), null=True, blank=True)
    window_rule = models.CharField(_("window rule"), max_length=20, blank=True)
    out_of_window = models.BooleanField(_("reported out of time"), default=False)

    class Meta:
        verbose_name = _("disputed transaction")
        verbose_name_plural = _("disputed transactions")
        ordering = ["transaction__executed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "transaction"], name="case_transaction_once_per_case"),
            models.UniqueConstraint(
                fields=["transaction"], condition=Q(is_open=True), name="case_transaction_one_open_case"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="case_transaction_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.transaction_id}"


class CaseNumberSequence(models.Model):
    """The last case number given in a year (RK/<year>/<number>), taken under a row lock."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
