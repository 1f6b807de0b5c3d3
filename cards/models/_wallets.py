"""Cards provisioned to phone and watch wallets."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from cards.models._base import ProtectedStateModel, four_digits, not_pan_like, outside_reference
from cards.models._cards import Card
from kartosfera import clock
from kartosfera.models import choice_check


class Wallet(models.TextChoices):
    APPLE_PAY = "APPLE_PAY", "Apple Pay"
    GOOGLE_PAY = "GOOGLE_PAY", "Google Pay"
    GARMIN_PAY = "GARMIN_PAY", "Garmin Pay"
    FITBIT_PAY = "FITBIT_PAY", "Fitbit Pay"
    XIAOMI_PAY = "XIAOMI_PAY", "Xiaomi Pay"


class WalletTokenStatus(models.TextChoices):
    # A wallet asked to add the card; it pays only once the customer confirms with a texted code.
    PENDING = "PENDING", _("Waiting for your confirmation")
    # A context of its own: Polish agrees in gender ("aktywna karta", "aktywny token").
    ACTIVE = "ACTIVE", pgettext_lazy("wallet token status", "Active")
    SUSPENDED = "SUSPENDED", _("Suspended")
    REMOVED = "REMOVED", _("Removed")


class WalletToken(ProtectedStateModel):
    """A card provisioned to a phone or watch wallet: the wallet's token reference, never a card number."""

    Wallet = Wallet
    Status = WalletTokenStatus

    card = models.ForeignKey(
        Card, verbose_name=_("card"), on_delete=models.PROTECT, related_name="wallet_tokens"
    )
    wallet = models.CharField(_("wallet"), max_length=16, choices=Wallet.choices)
    device_name = models.CharField(_("device name"), max_length=100)
    token_reference = outside_reference(
        _("token reference"), help_text=_("The token service's opaque reference to this device's token.")
    )
    token_last4 = models.CharField(
        _("token last four digits"), max_length=4, help_text=_("As the wallet app shows them.")
    )
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, protected=True
    )
    created_at = models.DateTimeField(_("added at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("wallet token")
        verbose_name_plural = _("wallet tokens")
        constraints = [
            four_digits("token_last4", "wallettoken"),
            not_pan_like("token_reference", "wallettoken"),
            models.CheckConstraint(condition=~Q(token_reference=""), name="wallettoken_reference_present"),
            choice_check("wallet", Wallet, name="wallettoken_wallet_valid"),
            choice_check("status", WalletTokenStatus, name="wallettoken_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_wallet_display()} — {self.device_name} (•••• {self.token_last4})"

    @transition(field=status, source=Status.PENDING, target=Status.ACTIVE)
    def confirm(self) -> None:
        """The customer confirmed, with a code, the wallet's request to add the card."""

    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self) -> None:
        """Stop payments from this device until resumed."""

    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self) -> None:
        """Allow payments from this device again."""

    @transition(field=status, source=[Status.PENDING, Status.ACTIVE, Status.SUSPENDED], target=Status.REMOVED)
    def remove(self) -> None:
        """Remove the device for good (also when the card is cancelled, RULES.md section 6)."""
