"""Card transactions as the processor reports them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cards.models._base import not_pan_like, outside_reference
from cards.models._cards import Card
from cards.models._wallets import WalletToken
from kartosfera.models import choice_check, optional_link, pln_amount


class TransactionChannel(models.TextChoices):
    CONTACTLESS = "CONTACTLESS", _("Contactless")
    CHIP_POS = "CHIP_POS", _("Card terminal (chip)")
    INTERNET = "INTERNET", _("Internet")
    ATM = "ATM", _("Cash machine (ATM)")


class TransactionStatus(models.TextChoices):
    AUTHORISED = "AUTHORISED", _("Authorised (pending)")
    SETTLED = "SETTLED", _("Settled")
    REVERSED = "REVERSED", _("Reversed")


class Transaction(models.Model):
    """A card transaction as the processor reports it: authorised, then settled (debited) or reversed.

    ``amount_pln`` is what the account is (or, while authorised, will be) debited; ``debited_on`` and
    ``processed_on`` exist exactly when the transaction is settled. ``is_foreign`` is computed by the
    database from the merchant's country, so it can never disagree with it.
    """

    Channel = TransactionChannel
    Status = TransactionStatus

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="transactions"
    )
    wallet_token = optional_link(
        WalletToken,
        _("wallet token"),
        related_name="transactions",
        help_text=_("The phone or watch that paid, when the payment was made with a wallet."),
    )
    processor_reference = outside_reference(
        _("processor reference"), help_text=_("The card processor's identifier of the transaction.")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=TransactionChannel.choices)
    merchant_name = models.CharField(_("merchant"), max_length=100)
    mcc = models.CharField(_("merchant category code (MCC)"), max_length=4)
    merchant_city = models.CharField(_("merchant city"), max_length=100, blank=True)
    merchant_country = models.CharField(
        _("merchant country"), max_length=2, default="PL", help_text=_("ISO 3166-1 alpha-2 code.")
    )
    is_foreign = models.GeneratedField(
        # A Q is an expression at runtime (conditional); django-stubs accepts only Expression here.
        expression=~Q(merchant_country="PL"),  # type: ignore[arg-type]
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("abroad"),
    )
    # Three decimals: a few currencies (BHD, KWD, JOD, OMR, TND) have minor units of 1/1000.
    original_amount = models.DecimalField(_("original amount"), max_digits=15, decimal_places=3)
    original_currency = models.CharField(_("original currency"), max_length=3, default="PLN")
    amount_pln = pln_amount(
        _("amount in PLN"), help_text=_("The amount debited from the account in PLN (held while authorised).")
    )
    executed_at = models.DateTimeField(_("executed at"))
    debited_on = models.DateField(
        _("debited on"), null=True, blank=True, help_text=_("The Warsaw date the account was debited.")
    )
    processed_on = models.DateField(
        _("processed on"),
        null=True,
        blank=True,
        help_text=_("The scheme processing (clearing) date; chargeback windows run from it."),
    )
    sca_applied = models.BooleanField(_("strong customer authentication applied"))
    authorisation_code = models.CharField(
        _("authorisation code"), max_length=6, blank=True, help_text=_("Empty for offline transactions.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        indexes = [
            models.Index(fields=["card", "-executed_at"], name="transaction_card_history_idx"),
            models.Index(fields=["card", "channel", "-executed_at"], name="transaction_card_channel_idx"),
            models.Index(fields=["card", "is_foreign", "-executed_at"], name="transaction_card_foreign_idx"),
            models.Index(fields=["processed_on"], name="transaction_processed_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pln__gt=0),
                name="transaction_amount_pln_positive",
                violation_error_message=_("The amount must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(original_amount__gt=0), name="transaction_original_amount_positive"
            ),
            models.CheckConstraint(condition=Q(mcc__regex=r"^[0-9]{4}$"), name="transaction_mcc_is_4_digits"),
            models.CheckConstraint(
                condition=Q(merchant_country__regex=r"^[A-Z]{2}$"), name="transaction_country_is_iso_alpha2"
            ),
            models.CheckConstraint(
                condition=Q(original_currency__regex=r"^[A-Z]{3}$"), name="transaction_currency_is_iso_4217"
            ),
            choice_check("channel", TransactionChannel, name="transaction_channel_valid"),
            choice_check("status", TransactionStatus, name="transaction_status_valid"),
            # Settled means debited: both dates are known. Pending or reversed means not debited.
            models.CheckConstraint(
                condition=Q(status="SETTLED", debited_on__isnull=False, processed_on__isnull=False)
                | (~Q(status="SETTLED") & Q(debited_on__isnull=True, processed_on__isnull=True)),
                name="transaction_settled_iff_debited",
            ),
            not_pan_like("processor_reference", "transaction"),
            not_pan_like("merchant_name", "transaction"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_name} {self.amount_pln} PLN ({self.executed_at:%Y-%m-%d %H:%M})"
