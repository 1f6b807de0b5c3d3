"""Where the D+1 refund stands for the customer's "What happens next" (claim_status.claim_refund).

The claim of tests/disputes/conftest.py, received on Monday 26 May 2025: its 920,00 zł refund is due by
the end of Tuesday 27 May (Warsaw), so it is late from midnight, 28 May 00:00 Warsaw time.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from disputes.models import Case
from disputes.portal.claim_status import (
    REFUND_DUE,
    REFUND_KEPT,
    REFUND_LATE,
    REFUND_MADE,
    REFUND_NOTHING,
    REFUND_PART_KEPT,
    REFUND_REVERSED,
    REFUND_TAKEN_BACK,
    REFUND_WITHHELD,
    ClaimClocks,
    ClaimOutcome,
    claim_refund,
)
from disputes.services import case_refund_provisionally, case_start_review, case_withdraw
from tests.disputes.conftest import REFUND_DUE_AT, make_theft, submitted_case, warsaw
from tests.disputes.helpers import confirm_postings

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


NET_OF_CAP = "NET_OF_CAP"
FULL_THEN_RECOVER = "FULL_THEN_RECOVER"
DUE_AND_LATE = [(warsaw(2025, 5, 26, 10, 0), REFUND_DUE), (REFUND_DUE_AT, REFUND_LATE)]


def _policy(settings, policy: str) -> None:
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": policy}


@pytest.mark.parametrize(("at", "status"), DUE_AND_LATE)
@pytest.mark.parametrize(
    ("policy", "promised"),
    [
        (FULL_THEN_RECOVER, Decimal("920.00")),  # everything reported in time
        (NET_OF_CAP, Decimal("707.29")),  # the bank's share of the estimate: 587,29 + 120,00 zł
    ],
)
def test_the_refund_promised_is_what_the_refund_service_credits_under_each_policy(
    case, analyst, settings, at, status, policy, promised
):
    _policy(settings, policy)

    refund = claim_refund(case=case, outcome=None, now=at)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    made = case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))

    assert (refund.status, refund.amount, refund.day) == (status, promised, date(2025, 5, 27))
    assert sum((entry.amount for entry in made.entries), Decimal("0.00")) == promised


@pytest.mark.parametrize(("at", "status"), DUE_AND_LATE)
def test_under_net_of_cap_without_an_estimate_the_refund_is_promised_without_an_amount(
    case, settings, at, status
):
    _policy(settings, NET_OF_CAP)
    case.assessments.filter(kind="ESTIMATE").delete()

    refund = claim_refund(case=case, outcome=None, now=at)
    with translation.override("pl"):
        page = render_to_string(
            "portal/claims/_deadlines.html",
            {
                "clocks": ClaimClocks(refund=refund, reply=False, withdrawn_on=None),
                "appeal_bank": {"phone": "800"},
            },
        )

    assert (refund.status, refund.amount, refund.day) == (status, None, date(2025, 5, 27))
    assert "część kwoty reklamacji, za którą odpowiada bank, najpóźniej do końca 27 maja 2025" in page
    assert not re.search(r"\d\s*zł", page)  # no amount at all


def test_under_net_of_cap_a_bank_share_of_nothing_promises_no_refund(case, settings):
    _policy(settings, NET_OF_CAP)
    estimate = case.assessments.get(kind="ESTIMATE")
    for line in estimate.result["lines"]:
        line["bank"] = "0.00"
    estimate.save(update_fields=["result"])

    assert claim_refund(case=case, outcome=None, now=warsaw(2025, 5, 26, 10, 0)).status == REFUND_NOTHING


def test_a_refund_made_or_withheld_is_never_late(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case.refresh_from_db()
    made = claim_refund(case=case, outcome=None, now=warsaw(2025, 6, 2, 9, 0))

    withheld = Case(state="UNDER_REVIEW", refund_owed=True, refund_due_at=REFUND_DUE_AT)
    withheld.refund_withheld_at = warsaw(2025, 5, 27, 9, 0)

    assert (made.status, made.day) == (REFUND_MADE, date(2025, 5, 26))
    assert claim_refund(case=withheld, outcome=None, now=warsaw(2025, 6, 2, 9, 0)).status == REFUND_WITHHELD


def test_a_refund_confirmed_on_a_later_day_is_dated_the_day_it_reached_the_account(case, analyst):
    # Booked late on Monday, confirmed by the core system on Tuesday: the customer's text message is
    # dated Tuesday, and so is the claim page (the day the money reached the account).
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 23, 50))
    case.refresh_from_db()
    pending = claim_refund(case=case, outcome=None, now=warsaw(2025, 5, 27, 0, 5))
    confirm_postings(at=warsaw(2025, 5, 27, 0, 10))
    case.refresh_from_db()

    made = claim_refund(case=case, outcome=None, now=warsaw(2025, 5, 27, 9, 0))

    assert (pending.day, pending.posting_pending) == (date(2025, 5, 26), True)
    assert (made.status, made.day, made.posting_pending) == (REFUND_MADE, date(2025, 5, 27), False)


def test_a_refund_not_owed_is_neither_promised_nor_late(case):
    Case.objects.filter(pk=case.pk).update(refund_owed=False)
    case.refresh_from_db()

    assert claim_refund(case=case, outcome=None, now=warsaw(2025, 6, 2, 9, 0)).status == REFUND_NOTHING


def test_a_withdrawal_reports_the_refund_taken_back_or_nothing(case, theft, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_withdraw(case_id=case.pk, reason="Znalazłam kartę.", actor=theft.user, now=warsaw(2025, 5, 29, 8, 0))
    case.refresh_from_db()

    # Withdrawn before the D+1 refund was made: nothing was refunded, so nothing is taken back.
    other = make_theft(username="beata")
    unrefunded = submitted_case(other, other.user)
    case_withdraw(case_id=unrefunded.pk, reason="Pomyłka.", actor=other.user, now=warsaw(2025, 5, 26, 11, 0))
    unrefunded.refresh_from_db()

    refund = claim_refund(case=case, outcome=None, now=warsaw(2025, 6, 2, 9, 0))
    nothing = claim_refund(case=unrefunded, outcome=None, now=warsaw(2025, 6, 2, 9, 0))

    assert (nothing.status, nothing.amount, nothing.taken_back, nothing.taken_back_on) == (
        REFUND_NOTHING,
        Decimal("0.00"),
        Decimal("0.00"),
        None,
    )
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
