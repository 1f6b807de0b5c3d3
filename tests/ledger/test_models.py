"""The ledger entry is the ledger app's model on the table it always had; the database holds its limits."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from ledger.models import LedgerEntry
from tests.disputes.conftest import RECEIVED_AT
from tests.disputes.helpers import ledger

pytestmark = pytest.mark.django_db


def test_the_model_keeps_its_table_and_answers_to_the_ledger_label():
    assert (LedgerEntry._meta.label, LedgerEntry._meta.db_table) == (
        "ledger.LedgerEntry",
        "disputes_ledgerentry",
    )
    assert ContentType.objects.get_for_model(LedgerEntry).app_label == "ledger"
    assert Permission.objects.filter(content_type__app_label="ledger", codename="view_ledgerentry").exists()
    assert not ContentType.objects.filter(app_label="disputes", model="ledgerentry").exists()


def _entry(case, tx, key, **extra):
    values = {
        "case": case,
        "transaction": tx,
        "kind": "PROVISIONAL_REFUND",
        "amount": tx.amount_pln,
        "disputed_amount": tx.amount_pln,
        "idempotency_key": key,
        "created_at": RECEIVED_AT,
    }
    return LedgerEntry.objects.create(**(values | extra))


def test_the_database_refuses_a_second_provisional_refund_of_a_transaction(case, theft):
    _entry(case, theft.atm, "first")

    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(case, theft.atm, "second")
    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(case, theft.contactless, "first")  # the same idempotency key
    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(case, theft.contactless, "third", amount=Decimal("120.01"))  # above the disputed amount
    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(case, theft.contactless, "fourth", amount=Decimal("0.00"))

    assert ledger(case) == [(theft.atm.pk, "PROVISIONAL_REFUND", Decimal("800.00"))]
