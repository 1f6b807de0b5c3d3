"""The chargeback's rules that need no database. Pure: no ORM, no clock, no I/O.

The scheme windows themselves (CB-VISA-10.4, CB-MC-4837, CB-MC-2P) are deadlines, computed by
``deadlines.rules.chargeback_due``; the chargeback's states and transitions are its model's
(``chargebacks.models.Chargeback``).
"""

from deadlines.rules import Scheme

# The fraud reason code of each scheme (RULES.md section 2).
REASON_CODES: dict[str, str] = {Scheme.VISA: "10.4", Scheme.MASTERCARD: "4837"}

__all__ = ["REASON_CODES"]
