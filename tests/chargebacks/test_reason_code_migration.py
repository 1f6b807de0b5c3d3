"""Drafts opened before the reason code followed the transaction's channel take their channel's code when
the migration runs; filed chargebacks keep theirs (history), and reversing the migration changes nothing."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from chargebacks.models import Chargeback, ChargebackState
from chargebacks.rules import fraud_right

migration = import_module("chargebacks.migrations.0002_drafts_take_the_reason_code_of_their_channel")
BEFORE = [("chargebacks", "0001_initial")]
AFTER = [("chargebacks", "0002_drafts_take_the_reason_code_of_their_channel")]


def _migrate(targets) -> None:
    """Migrate to ``targets``; ``None``: every app's latest migration, as the other tests expect."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(
    ("scheme", "channel", "stored", "expected"),
    [
        # The card-absent code on a card-present or cash machine transaction: the channel's default.
        ("VISA", "CONTACTLESS", "10.4", "10.3"),
        ("VISA", "CHIP_POS", "10.4", "10.3"),
        ("VISA", "ATM", "10.4", "10.1"),
        ("MASTERCARD", "ATM", "4837", "4870"),
        # A code the channel allows stays.
        ("VISA", "INTERNET", "10.4", "10.4"),
        ("VISA", "CONTACTLESS", "10.3", "10.3"),
        ("MASTERCARD", "CONTACTLESS", "4837", "4837"),
        ("MASTERCARD", "ATM", "4870", "4870"),
        # A scheme or channel the rules do not know: left for filing to explain.
        ("AMEX", "ATM", "10.4", "10.4"),
        ("VISA", "TELEPORT", "10.4", "10.4"),
    ],
)
def test_the_code_a_draft_should_carry(scheme, channel, stored, expected):
    assert migration.reason_code_of_channel(scheme, channel, stored) == expected


@pytest.mark.django_db(transaction=True)
def test_stale_drafts_take_their_channels_code_and_filed_chargebacks_keep_theirs(case):
    drafts = list(Chargeback.objects.filter(case=case).select_related("transaction").order_by("pk"))
    assert len(drafts) >= 2
    filed, *rest = drafts
    stale = {}
    for cb in drafts:
        # What a draft opened before the change holds: a code its channel does not allow.
        wrong = next(
            code
            for code in ("10.4", "10.1", "4870", "4837")
            if code not in fraud_right(scheme=cb.scheme, channel=cb.transaction.channel).codes
            and code[0] == ("1" if cb.scheme == "VISA" else "4")
        )
        stale[cb.pk] = wrong
        Chargeback.objects.filter(pk=cb.pk).update(reason_code=wrong)
    Chargeback.objects.filter(pk=filed.pk).update(state=ChargebackState.FILED, filed_at=timezone.now())

    try:
        _migrate(BEFORE)
        _migrate(AFTER)
        after = dict(Chargeback.objects.filter(case=case).values_list("pk", "reason_code"))
        # Reversing is a no-op: the drafts keep the code they were given.
        _migrate(BEFORE)
        reversed_ = dict(Chargeback.objects.filter(case=case).values_list("pk", "reason_code"))
    finally:
        # Back to the latest schema (later migrations add columns the transactional tests after this use).
        _migrate(None)

    assert reversed_ == after
    assert dict(Chargeback.objects.filter(case=case).values_list("pk", "reason_code")) == after
    assert after[filed.pk] == stale[filed.pk]
    for cb in rest:
        assert after[cb.pk] == fraud_right(scheme=cb.scheme, channel=cb.transaction.channel).default
