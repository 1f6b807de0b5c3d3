"""Where the D+1 refund stands for the customer's "What happens next" (portal selectors, claim_refund).

The claim of tests/disputes/conftest.py, received on Monday 26 May 2025: its 920,00 zł refund is due by
the end of Tuesday 27 May (Warsaw), so it is late from midnight, 28 May 00:00 Warsaw time.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from disputes.models import Case
from disputes.portal.selectors import (
    REFUND_DUE,
    REFUND_KEPT,
    REFUND_LATE,
    REFUND_MADE,
    REFUND_NOTHING,
    REFUND_PART_KEPT,
    REFUND_REVERSED,
    REFUND_TAKEN_BACK,
    REFUND_WITHHELD,
    ClaimOutcome,
    claim_refund,
)
from disputes.services import case_refund_provisionally, case_start_review, case_withdraw
from tests.disputes.conftest import REFUND_DUE_AT, warsaw

pytestmark = pytest.mark.django_db

MICROSECOND = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (warsaw(2025, 5, 26, 10, 0), REFUND_DUE),
        (REFUND_DUE_AT - MICROSECOND, REFUND_DUE),  # 27 May, 23:59:59.999999 Warsaw: still in time
        (REFUND_DUE_AT, REFUND_LATE),  # midnight: the due day is over
        (warsaw(2025, 12, 7, 12, 0), REFUND_LATE),
    ],
)
def test_a_refund_still_owed_is_due_until_its_day_ends_then_late(case, at, status):
    refund = claim_refund(case=case, outcome=None, now=at)

    assert (refund.status, refund.amount, refund.day) == (status, Decimal("920.00"), date(2025, 5, 27))


def test_a_refund_made_or_withheld_is_never_late(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case.refresh_from_db()
    made = claim_refund(case=case, outcome=None, now=warsaw(2025, 6, 2, 9, 0))

    withheld = Case(state="UNDER_REVIEW", refund_owed=True, refund_due_at=REFUND_DUE_AT)
    withheld.refund_withheld_at = warsaw(2025, 5, 27, 9, 0)

    assert (made.status, made.day) == (REFUND_MADE, date(2025, 5, 26))
    assert claim_refund(case=withheld, outcome=None, now=warsaw(2025, 6, 2, 9, 0)).status == REFUND_WITHHELD


def test_a_refund_not_owed_is_neither_promised_nor_late(case):
    Case.objects.filter(pk=case.pk).update(refund_owed=False)
    case.refresh_from_db()

    assert claim_refund(case=case, outcome=None, now=warsaw(2025, 6, 2, 9, 0)).status == REFUND_NOTHING


def test_a_withdrawal_reports_the_refund_taken_back_or_nothing(case, theft, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_withdraw(case_id=case.pk, reason="Znalazłam kartę.", actor=theft.user, now=warsaw(2025, 5, 29, 8, 0))
    case.refresh_from_db()

    refund = claim_refund(case=case, outcome=None, now=warsaw(2025, 6, 2, 9, 0))

    assert (refund.status, refund.amount, refund.day, refund.taken_back_on) == (
        REFUND_REVERSED,
        Decimal("920.00"),
        date(2025, 5, 26),
        date(2025, 5, 29),
    )


def decided(*, refunded: str, recovered: str = "0.00", to_recover: str = "0.00") -> ClaimOutcome:
    """A decision on a 920,00 zł claim refunded on 26 May, as claim_outcome would give it."""
    return ClaimOutcome(
        outcome="PARTIALLY_ACCEPTED",
        decided_on=date(2025, 6, 10),
        lines=(),
        customer_total=Decimal(recovered) + Decimal(to_recover),
        bank_total=Decimal("920.00") - Decimal(recovered) - Decimal(to_recover),
        provisional_refund=Decimal(refunded),
        refunded_on=date(2025, 5, 26) if Decimal(refunded) else None,
        credited_on_decision=Decimal("0.00"),
        recovered=Decimal(recovered),
        recovered_on=date(2025, 6, 11) if Decimal(recovered) else None,
        to_recover=Decimal(to_recover),
        reply_dispatched_at=None,
        card_masked="•••• 0000",
    )


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (decided(refunded="920.00"), (REFUND_KEPT, "920.00", "0.00", None)),
        (decided(refunded="920.00", to_recover="212.71"), (REFUND_PART_KEPT, "707.29", "212.71", None)),
        (
            decided(refunded="920.00", recovered="212.71"),
            (REFUND_PART_KEPT, "707.29", "212.71", date(2025, 6, 11)),
        ),
        (decided(refunded="920.00", to_recover="920.00"), (REFUND_TAKEN_BACK, "0.00", "920.00", None)),
        (decided(refunded="0.00"), (REFUND_NOTHING, "0.00", "0.00", None)),  # withheld: the decision says it
    ],
)
def test_after_the_decision_the_refund_is_kept_or_taken_back_as_the_decision_says(case, outcome, expected):
    refund = claim_refund(case=case, outcome=outcome, now=warsaw(2025, 6, 12, 9, 0))

    status, kept, taken_back, taken_back_on = expected
    assert (refund.status, refund.kept, refund.taken_back, refund.taken_back_on) == (
        status,
        Decimal(kept),
        Decimal(taken_back),
        taken_back_on,
    )
