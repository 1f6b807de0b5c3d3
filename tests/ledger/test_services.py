"""The ledger writes an entry once per idempotency key, with its posting, and refuses another case's."""

from decimal import Decimal

import pytest

from corebanking.models import Posting
from ledger.models import LedgerEntry
from ledger.rules import LedgerKind
from ledger.services import Entry, LedgerEntryConflict, idempotency_key, ledger_entries_write
from tests.disputes.conftest import RECEIVED_AT

pytestmark = pytest.mark.django_db


def test_an_entry_is_written_once_with_its_posting_and_found_again_by_its_key(case, theft, analyst):
    entry = Entry(theft.atm.pk, LedgerKind.PROVISIONAL_REFUND, Decimal("800.00"), Decimal("800.00"))

    first = ledger_entries_write([(case, entry, None)], actor=analyst, now=RECEIVED_AT)
    again = ledger_entries_write([(case, entry, None)], actor=analyst, now=RECEIVED_AT)

    (written,) = first.new
    assert first.entries == [written]
    assert written.idempotency_key == f"case:{case.pk}:tx:{theft.atm.pk}:PROVISIONAL_REFUND"
    assert written.idempotency_key == idempotency_key(case.pk, entry)
    assert (written.case_id, written.kind, written.amount, written.actor) == (
        case.pk,
        "PROVISIONAL_REFUND",
        Decimal("800.00"),
        analyst,
    )
    assert again.new == []
    assert again.entries == [written]
    assert list(Posting.objects.filter(ledger_entry=written).values_list("amount", "direction")) == [
        (Decimal("800.00"), "CREDIT")
    ]


def test_an_entry_the_database_refuses_refuses_the_whole_write_and_nothing_is_written(case, theft, analyst):
    refund = Entry(theft.atm.pk, LedgerKind.PROVISIONAL_REFUND, Decimal("800.00"), Decimal("800.00"))
    ledger_entries_write([(case, refund, None)], actor=analyst, now=RECEIVED_AT)
    chargeback = case.chargebacks.get(transaction=theft.atm)
    # Another key (it names a chargeback), the same outstanding refund of the same transaction.
    twice = Entry(
        theft.atm.pk, LedgerKind.PROVISIONAL_REFUND, Decimal("800.00"), Decimal("800.00"), chargeback.pk
    )
    also = Entry(theft.contactless.pk, LedgerKind.PROVISIONAL_REFUND, Decimal("120.00"), Decimal("120.00"))

    with pytest.raises(LedgerEntryConflict):
        ledger_entries_write([(case, also, None), (case, twice, None)], actor=analyst, now=RECEIVED_AT)

    assert list(case.ledger_entries.values_list("transaction_id", "kind")) == [
        (theft.atm.pk, "PROVISIONAL_REFUND")
    ]
    assert Posting.objects.filter(ledger_entry__case=case).count() == 1


def test_nothing_asked_writes_nothing(analyst):
    assert ledger_entries_write([], actor=analyst, now=RECEIVED_AT) == ledger_entries_write(
        [], actor=analyst, now=RECEIVED_AT
    )
    assert not LedgerEntry.objects.exists()
