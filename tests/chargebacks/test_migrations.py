"""Splitting chargebacks and the ledger off disputes moves models, not data: the migrations run both ways
over a database with rows, and the content types (with their permissions and grants) are renamed in place."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chargebacks.models import Chargeback
from ledger.models import LedgerEntry

BEFORE_THE_SPLIT = [
    ("disputes", "0013_case_channel_label_of_the_one_vocabulary"),
    ("corebanking", "0001_initial"),
    ("chargebacks", None),
    ("ledger", None),
]
MOVED = {"chargeback": "chargebacks", "chargebackdocument": "chargebacks", "ledgerentry": "ledger"}


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _moved_types() -> dict[str, tuple[int, str]]:
    return {
        model: (pk, app_label)
        for pk, app_label, model in ContentType.objects.filter(model__in=MOVED).values_list(
            "pk", "app_label", "model"
        )
    }


@pytest.mark.django_db(transaction=True)
def test_the_split_renames_the_content_types_in_place_both_ways_and_the_grants_and_rows_stay(case, analyst):
    chargebacks, entries = Chargeback.objects.count(), LedgerEntry.objects.count()
    assert chargebacks > 0
    view = Permission.objects.get(content_type__app_label="chargebacks", codename="view_chargeback")
    auditors, _ = Group.objects.get_or_create(name="chargeback readers")
    auditors.permissions.add(view)
    types = _moved_types()
    assert {model: app for model, (_pk, app) in types.items()} == MOVED

    _migrate(BEFORE_THE_SPLIT)
    assert _moved_types() == {model: (pk, "disputes") for model, (pk, _app) in types.items()}
    assert list(auditors.permissions.values_list("content_type__app_label", "codename")) == [
        ("disputes", "view_chargeback")
    ]

    _migrate(None)
    assert _moved_types() == types
    assert list(auditors.permissions.values_list("pk", flat=True)) == [view.pk]
    assert (Chargeback.objects.count(), LedgerEntry.objects.count()) == (chargebacks, entries)
