"""The chargeback is the chargebacks app's model on the table it always had; its rules and reads."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from chargebacks.models import Chargeback, ChargebackDocument, ChargebackState
from chargebacks.rules import REASON_CODES
from chargebacks.selectors import chargebacks_filing_alert_due

pytestmark = pytest.mark.django_db


def test_the_models_keep_their_tables_and_answer_to_the_chargebacks_label():
    assert (Chargeback._meta.label, Chargeback._meta.db_table) == (
        "chargebacks.Chargeback",
        "disputes_chargeback",
    )
    assert (ChargebackDocument._meta.label, ChargebackDocument._meta.db_table) == (
        "chargebacks.ChargebackDocument",
        "disputes_chargebackdocument",
    )
    assert ContentType.objects.get_for_model(Chargeback).app_label == "chargebacks"
    assert Permission.objects.filter(
        content_type__app_label="chargebacks", codename="view_chargeback"
    ).exists()
    assert not ContentType.objects.filter(app_label="disputes", model__startswith="chargeback").exists()


def test_each_scheme_files_under_its_fraud_reason_codes():
    # Visa has a card-present (10.3) and a card-absent (10.4) fraud code, Mastercard's 4837 covers both;
    # at a cash machine, the chip liability shift (chargebacks.rules, tests/chargebacks/test_rules.py).
    assert {
        "VISA": frozenset({"10.1", "10.3", "10.4"}),
        "MASTERCARD": frozenset({"4837", "4870"}),
    } == REASON_CODES


def test_the_filing_alert_finds_a_draft_whose_window_ends_within_the_notice_once(case, theft):
    chargeback = case.chargebacks.get(transaction=theft.atm)
    assert chargeback.state == ChargebackState.DRAFT
    before = chargeback.filing_due_at - timedelta(days=14)

    assert chargeback in chargebacks_filing_alert_due(now=before, within=timedelta(days=14))
    assert chargeback not in chargebacks_filing_alert_due(
        now=before - timedelta(seconds=1), within=timedelta(days=14)
    )
    Chargeback.objects.filter(pk=chargeback.pk).update(alerted_at=before)
    assert chargeback not in chargebacks_filing_alert_due(now=before, within=timedelta(days=14))


@pytest.mark.parametrize(
    ("days_before", "hour", "closing"),
    [
        (15, 12, False),  # the window ends in more than 14 days
        (14, 23, False),  # 14 days before the due date: 14 days and a day left
        (13, 0, True),  # the last 14 Warsaw days, from their first midnight
        (13, 23, True),
        (0, 0, True),  # the due date itself, any hour
        (0, 23, True),
        (-1, 0, False),  # the midnight after the due date: missed, not closing
        (-2, 5, False),
    ],
)
def test_a_filing_window_is_closing_in_its_last_fourteen_warsaw_days_only(case, days_before, hour, closing):
    from datetime import datetime, time

    from chargebacks.selectors import filing_window_closing
    from kartosfera.legaltime import WARSAW

    chargeback = case.chargebacks.order_by("pk").first()
    day = chargeback.filing_due_on - timedelta(days=days_before)
    now = datetime.combine(day, time(hour, 0), tzinfo=WARSAW)

    found = Chargeback.objects.filter(
        filing_window_closing(now=now, within=timedelta(days=14)), pk=chargeback.pk
    )
    assert found.exists() is closing
    assert (chargeback in chargebacks_filing_alert_due(now=now, within=timedelta(days=14))) is closing
