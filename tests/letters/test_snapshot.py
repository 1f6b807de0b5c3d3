import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from demo.letter_samples import sample_snapshot
from letters.rules import LetterType
from letters.snapshot import (
    CaseDetails,
    DisputedTransaction,
    LetterSnapshot,
    Liability,
    LiabilityLine,
    SnapshotError,
)
from letters.snapshot_fields import mask_card


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("letter_type", list(LetterType))
def test_every_sample_snapshot_survives_a_json_round_trip(letter_type, language):
    snapshot = sample_snapshot(letter_type, language=language)

    restored = LetterSnapshot.from_json(snapshot.to_json())

    assert restored == snapshot
    assert restored.to_json() == snapshot.to_json()


def test_json_carries_amounts_as_strings_dates_iso_and_the_schema_version():
    snapshot = sample_snapshot(LetterType.DECISION_PARTIALLY_ACCEPTED)

    data = json.loads(snapshot.to_json())

    assert data["schema_version"] == 1
    assert data["issued_on"] == "2025-06-16"
    assert data["case"]["transactions"][0] == {
        "reference": "TX-2025-0523-01",
        "executed_on": "2025-05-23",
        "merchant": "Elektro-Świat, Kraków",
        "amount": "800.00",
    }
    first_line = data["liability"]["lines"][0]
    assert (first_line["customer_share"], first_line["eur_rate"], first_line["nbp_table"]) == (
        "212.71",
        "4.2541",
        "099/A/NBP/2025",
    )
    assert data["decision"]["outcome"] == "PARTIALLY_ACCEPTED"


def test_an_instant_keeps_its_second_and_offset_through_json():
    snapshot = sample_snapshot(LetterType.CARD_CANCELLATION)

    data = json.loads(snapshot.to_json())
    restored = LetterSnapshot.from_dict(data)

    assert data["cancellation"]["reported_at"] == "2025-05-26T07:45:12+02:00"
    assert restored.cancellation.reported_at == datetime(2025, 5, 26, 5, 45, 12, tzinfo=ZoneInfo("UTC"))


def test_another_schema_version_is_refused():
    data = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT).to_dict() | {"schema_version": 2}

    with pytest.raises(SnapshotError, match="schema version 2"):
        LetterSnapshot.from_dict(data)


def test_an_unknown_field_is_refused():
    data = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT).to_dict()
    data["customer"]["pesel"] = "90010112345"

    with pytest.raises(SnapshotError, match=r"Customer has no fields \['pesel'\]"):
        LetterSnapshot.from_dict(data)


def test_a_json_number_amount_is_refused():
    data = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT).to_dict()
    data["case"]["transactions"][0]["amount"] = 800.0

    with pytest.raises(SnapshotError, match="amounts are strings"):
        LetterSnapshot.from_dict(data)


def _transaction(**changes):
    values = {
        "reference": "T1",
        "executed_on": date(2025, 5, 23),
        "merchant": "Sklep",
        "amount": Decimal("1.00"),
    }
    return DisputedTransaction(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": 1.5}, "float"),
        ({"amount": Decimal("1.005")}, "whole grosze"),
        ({"amount": Decimal("-1.00")}, "negative"),
        ({"executed_on": datetime(2025, 5, 23, 12, 0)}, "must be a date"),
        ({"merchant": " "}, "must not be empty"),
    ],
)
def test_a_malformed_transaction_is_refused(changes, message):
    with pytest.raises(SnapshotError, match=message):
        _transaction(**changes)


def test_a_full_card_number_is_refused():
    with pytest.raises(SnapshotError, match="masked card number"):
        CaseDetails(
            number="R1",
            received_on=date(2025, 5, 26),
            card_masked="4111111111111111",
            transactions=(_transaction(),),
        )


def test_mask_card_shows_the_last_four_digits_only():
    assert mask_card("1234") == "•••• 1234"
    with pytest.raises(SnapshotError):
        mask_card("12345")


def test_a_naive_report_time_is_refused():
    snapshot = sample_snapshot(LetterType.CARD_CANCELLATION)

    with pytest.raises(SnapshotError, match="timezone-aware"):
        replace(snapshot.cancellation, reported_at=datetime(2025, 5, 26, 7, 45, 12))


def test_liability_totals_must_be_the_sum_of_the_lines():
    line = LiabilityLine(
        transaction_reference="T1",
        rule_id="UUP-46-BANK",
        customer_share=Decimal("0.00"),
        bank_share=Decimal("1.00"),
        explanation_pl="Bank",
        explanation_en="Bank",
    )

    with pytest.raises(SnapshotError, match="bank_total is not the sum"):
        Liability(lines=(line,), customer_total=Decimal("0.00"), bank_total=Decimal("2.00"))


def test_a_rate_comes_with_its_nbp_table_and_date():
    with pytest.raises(SnapshotError, match="go together"):
        LiabilityLine(
            transaction_reference="T1",
            rule_id="UUP-46-2-CAP",
            customer_share=Decimal("1.00"),
            bank_share=Decimal("0.00"),
            explanation_pl="limit",
            explanation_en="cap",
            eur_rate=Decimal("4.2541"),
        )


def test_the_bank_tax_id_is_checked():
    bank = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT).bank

    with pytest.raises(SnapshotError, match="not a valid Polish tax id"):
        replace(bank, nip="1234563219")
