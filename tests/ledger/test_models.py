"""The ledger entry is the ledger app's model on the table it always had."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_the_model_keeps_its_table_and_answers_to_the_ledger_label():
    assert (LedgerEntry._meta.label, LedgerEntry._meta.db_table) == (
        "ledger.LedgerEntry",
        "disputes_ledgerentry",
    )
    assert ContentType.objects.get_for_model(LedgerEntry).app_label == "ledger"
    assert Permission.objects.filter(content_type__app_label="ledger", codename="view_ledgerentry").exists()
    assert not ContentType.objects.filter(app_label="disputes", model="ledgerentry").exists()
