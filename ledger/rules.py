"""The ledger's vocabulary: the kinds of money movement. Pure: no ORM, no clock, no I/O."""

from kartosfera.vocabulary import TextChoices
from kartosfera.vocabulary import gettext_lazy as _


class LedgerKind(TextChoices):
    """A money movement of a dispute, always a positive amount; the kind says its direction."""

    # D+1 (UUP-46-1): to the customer
    PROVISIONAL_REFUND = "PROVISIONAL_REFUND", _("Provisional refund (D+1)")
    # on acceptance: what the customer is still owed
    FINAL_REFUND = "FINAL_REFUND", _("Refund on acceptance")
    # the customer's share taken back after the final decision
    RECOVERY = "RECOVERY", _("Recovery of the customer's share")
    # a refund undone because the customer withdrew the claim
    REVERSAL = "REVERSAL", _("Reversal of a refund")
    # from the acquirer to the bank: the customer is not involved
    CHARGEBACK_CREDIT = "CHARGEBACK_CREDIT", _("Chargeback credit from the acquirer")
