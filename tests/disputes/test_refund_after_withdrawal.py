"""A transaction refunded, then reversed when its claim was withdrawn, can be claimed and refunded again.

The database keeps one OUTSTANDING provisional refund per transaction (a partial unique index on the
refunds not reversed): a withdrawn claim's reversed refund no longer counts, any other still does.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from disputes.selectors import case_net_refunded
from disputes.services import (
    TransactionAlreadyRefunded,
    case_assess_liability,
    case_close,
    case_decide,
    case_dispatch_reply,
    case_refund_provisionally,
    case_start_review,
    case_withdraw,
    chargeback_abandon,
    claim_create_draft,
    claim_submit,
)
from ledger.models import LedgerEntry
from liability.engine import Findings
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import make_theft, submitted_case, warsaw
from tests.disputes.helpers import ledger

pytestmark = pytest.mark.django_db

D800, D120, D45 = Decimal("800.00"), Decimal("120.00"), Decimal("45.00")

# The disputes side records the dispatch the letters app reports; these tests stand in for it.
LETTER = 1


def refund(case, analyst, *, day: int):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, day, 11, 0))
    return case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, day, 12, 0))


def new_claim(theft, transaction_ids, *, day: int):
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=transaction_ids,
        channel="PORTAL",
        cause="STOLEN",
        actor=theft.user,
        now=warsaw(2025, 6, day, 9, 0),
    )
    return claim_submit(case_id=draft.pk, actor=theft.user, now=warsaw(2025, 6, day, 9, 0))


def test_claim_refund_withdraw_new_claim_refund(case, theft, analyst, eur_rates):
    first = refund(case, analyst, day=26)
    withdrawn = case_withdraw(
        case_id=case.pk,
        reason="Syn użył karty, nie wiedziałam.",
        actor=theft.user,
        now=warsaw(2025, 5, 30, 9, 0),
    )
    # Later the customer finds the payments were not her son's after all, and a third one like them.
    third = TransactionFactory(
        card=theft.card,
        executed_at=warsaw(2025, 5, 23, 19, 50),
        amount_pln=D45,
        original_amount=D45,
        sca_applied=False,
        debited_on=theft.atm.debited_on,
        processed_on=theft.atm.processed_on,
    )
    again = new_claim(theft, [theft.atm.pk, theft.contactless.pk, third.pk], day=2)
    second = case_refund_provisionally(case_id=again.pk, actor=analyst, now=warsaw(2025, 6, 2, 12, 0))

    refunds = {e.transaction_id: e for e in first.entries}
    reversals = {e.transaction_id: e for e in withdrawn.entries}
    for tx in (theft.atm.pk, theft.contactless.pk):
        refunds[tx].refresh_from_db()
        assert refunds[tx].reversed_by == reversals[tx]
    assert withdrawn.case.transitions.get(name="withdraw").data["reversed_refunds"] == sorted(
        e.pk for e in first.entries
    )
    assert [(e.transaction_id, e.kind, e.amount) for e in second.entries] == [
        (theft.atm.pk, "PROVISIONAL_REFUND", D800),
        (theft.contactless.pk, "PROVISIONAL_REFUND", D120),
        (third.pk, "PROVISIONAL_REFUND", D45),
    ]
    assert all(e.reversed_by is None for e in second.entries)
    assert case_net_refunded(case=case) == {
        theft.atm.pk: Decimal("0.00"),
        theft.contactless.pk: Decimal("0.00"),
    }
    assert case_net_refunded(case=again) == {theft.atm.pk: D800, theft.contactless.pk: D120, third.pk: D45}
    # Once made, the refund is not made twice (a double click, a retried task).
    repeated = case_refund_provisionally(case_id=again.pk, actor=analyst, now=warsaw(2025, 6, 2, 12, 5))
    assert (repeated.created, repeated.entries) == (False, second.entries)


def test_a_refund_that_was_not_reversed_still_holds_its_transaction(case, theft, analyst, supervisor):
    refund(case, analyst, day=26)
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0), reason="Not detectable")
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 3, 15, 0),
        actor=None,
        now=warsaw(2025, 6, 3, 16, 0),
    )
    for chargeback in case.chargebacks.filter(state="DRAFT"):
        chargeback_abandon(
            chargeback_id=chargeback.pk, reason="no right", actor=analyst, now=warsaw(2025, 6, 4, 9)
        )
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 4, 10, 0))
    again = new_claim(theft, [theft.atm.pk], day=5)
    case_start_review(case_id=again.pk, actor=analyst, now=warsaw(2025, 6, 5, 11, 0))

    with pytest.raises(TransactionAlreadyRefunded):
        case_refund_provisionally(case_id=again.pk, actor=analyst, now=warsaw(2025, 6, 5, 12, 0))

    again.refresh_from_db()
    assert (again.state, again.refunded_at) == ("UNDER_REVIEW", None)
    assert ledger(again) == []


def entry(case, tx, kind, amount, key):
    return LedgerEntry.objects.create(
        case=case,
        transaction=tx,
        kind=kind,
        amount=amount,
        disputed_amount=amount,
        idempotency_key=key,
        created_at=warsaw(2025, 6, 1, 12, 0),
    )


def refused(**fields) -> bool:
    try:
        with transaction.atomic():
            entry(**fields)
    except IntegrityError:
        return True
    return False


def test_the_database_holds_one_outstanding_provisional_refund_per_transaction(eur_rates, analyst):
    cases = [submitted_case(make_theft(username=f"klient{n}"), analyst) for n in range(3)]
    tx = cases[0].disputed.first().transaction
    first = entry(cases[0], tx, "PROVISIONAL_REFUND", D800, "a")

    assert refused(case=cases[1], tx=tx, kind="PROVISIONAL_REFUND", amount=D800, key="b")

    first.reversed_by = entry(cases[0], tx, "REVERSAL", D800, "a-reversal")
    first.save()
    entry(cases[1], tx, "PROVISIONAL_REFUND", D800, "b")  # the reversed refund no longer counts

    assert refused(case=cases[2], tx=tx, kind="PROVISIONAL_REFUND", amount=D800, key="c")
    assert LedgerEntry.objects.filter(transaction=tx, kind="PROVISIONAL_REFUND").count() == 2


def test_only_a_provisional_refund_is_marked_reversed(eur_rates, analyst):
    case = submitted_case(make_theft(), analyst)
    tx = case.disputed.first().transaction
    reversal = entry(case, tx, "REVERSAL", D800, "reversal")
    final = entry(case, tx, "FINAL_REFUND", D800, "final")
    final.reversed_by = reversal

    with pytest.raises(IntegrityError), transaction.atomic():
        final.save()
