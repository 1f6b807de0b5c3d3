"""Which states hold a case's transactions (one open case per transaction), named state by state.

``OPEN_STATES`` is written as the reply clock's states plus DEEMED_ACCEPTED; this pins the result, so a
change to the reply clock cannot silently change which cases block a new claim on a transaction.
"""

from disputes.models import CaseState
from disputes.models._base import OPEN_STATES


def test_the_open_states_are_the_submitted_unfinished_ones():
    assert set(OPEN_STATES) == {
        CaseState.SUBMITTED,
        CaseState.UNDER_REVIEW,
        CaseState.PROVISIONALLY_REFUNDED,
        CaseState.REFUND_WITHHELD,
        CaseState.AWAITING_CUSTOMER,
        CaseState.DECIDED,
        CaseState.DEEMED_ACCEPTED,
    }
    assert not {CaseState.DRAFT, CaseState.CLOSED, CaseState.WITHDRAWN} & set(OPEN_STATES)
