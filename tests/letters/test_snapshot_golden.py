"""Stored snapshots keep their bytes: the fixtures in golden/ were written by the codec before pydantic.

A letter's snapshot is stored with its PDF and hashed; decoding a stored snapshot and encoding it again
must give the very same bytes (keys sorted, ``+02:00`` offsets, amounts as written, no ASCII escapes).
"""

import json
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from demo.letter_samples import sample_snapshot
from letters.rules import LetterType
from letters.snapshot import LetterSnapshot, SnapshotError

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = [(letter_type, language) for letter_type in LetterType for language in ("pl", "en")]


def _name(letter_type: LetterType, language: str) -> str:
    return f"{letter_type.value.lower()}.{language}"


@pytest.mark.parametrize(("letter_type", "language"), SAMPLES)
def test_a_sample_snapshot_encodes_to_the_stored_bytes(letter_type, language):
    stored = (GOLDEN / f"{_name(letter_type, language)}.json").read_bytes()

    assert sample_snapshot(letter_type, language=language).to_json().encode() == stored


@pytest.mark.parametrize(("letter_type", "language"), SAMPLES)
def test_stored_bytes_decode_to_the_sample_and_encode_back_to_themselves(letter_type, language):
    stored = (GOLDEN / f"{_name(letter_type, language)}.json").read_bytes()

    restored = LetterSnapshot.from_json(stored)

    assert restored == sample_snapshot(letter_type, language=language)
    assert restored.to_json().encode() == stored


@pytest.mark.parametrize(("letter_type", "language"), SAMPLES)
def test_to_dict_keeps_its_keys_in_their_order(letter_type, language):
    stored = (GOLDEN / f"{_name(letter_type, language)}.dict.json").read_bytes()

    restored = LetterSnapshot.from_dict(json.loads(stored))

    assert json.dumps(restored.to_dict()).encode() == stored
    assert json.dumps(sample_snapshot(letter_type, language=language).to_dict()).encode() == stored


def test_a_snapshot_stored_before_the_card_state_and_dispatch_rule_still_decodes():
    stored = json.loads((GOLDEN / "legacy_decision.stored.json").read_text())

    restored = LetterSnapshot.from_dict(stored)

    assert restored.case.card_state is None
    assert restored.decision.customer_share_recovered_after_dispatch is False
    assert restored.decision.customer_share_recovered_on.isoformat() == "2025-07-01"
    assert restored.to_json().encode() == (GOLDEN / "legacy_decision.json").read_bytes()


def _stored(letter_type: LetterType = LetterType.DECISION_PARTIALLY_ACCEPTED) -> dict:
    return json.loads((GOLDEN / f"{_name(letter_type, 'pl')}.dict.json").read_text())


def _set(data: dict, path: str, value: object) -> dict:
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("decision.outcome", "MAYBE", "unknown outcome 'MAYBE'"),
        ("case.card_state", "LOST", "unknown card state 'LOST'"),
        ("case.transactions.0.amount", 800, "amounts are strings in a snapshot, got 800"),
        ("case.transactions.0.amount", "800.001", "amount must be whole grosze, got 800.001"),
        ("case.transactions.0.executed_on", "23.05.2025", "executed_on: Invalid isoformat string"),
        ("case.card_masked", "4111111111111111", "masked card number"),
        ("case.transactions", [], "a case has at least one disputed transaction"),
        ("customer.language", "de", "language must be one of"),
        ("liability.bank_total", "0.00", "bank_total is not the sum"),
        ("liability.lines.0.nbp_table", "NBP 99", "nbp_table must look like 099/A/NBP/2025"),
        ("decision.customer_share_recovered_after_dispatch", "yes", "must be True or False"),
        ("bank.nip", "1234563219", "not a valid Polish tax id"),
        ("signatory.name", "", "name must not be empty"),
        ("signatory.name", 7, "name must be a str, got int"),
    ],
)
def test_a_stored_snapshot_with_a_malformed_value_is_refused(path, value, message):
    data = _set(_stored(), path, value)

    with pytest.raises(SnapshotError, match=re.escape(message)):
        LetterSnapshot.from_dict(data)


def test_a_part_built_in_python_is_an_instance_never_a_dict():
    sample = sample_snapshot(LetterType.CLAIM_ACKNOWLEDGEMENT)

    with pytest.raises(SnapshotError, match="bank must be BankIdentity, got dict"):
        replace(sample, bank=_stored()["bank"])
    with pytest.raises(SnapshotError, match="transactions items must be DisputedTransaction, got dict"):
        replace(sample.case, transactions=[_stored()["case"]["transactions"][0]])
    with pytest.raises(SnapshotError, match="issued_on must be a date, got str"):
        replace(sample, issued_on="2025-06-16")


def _partly_refunded(language: str) -> LetterSnapshot:
    """The rejected sample where only the first payment (800,00 zł) was refunded at D+1: that is charged."""
    sample = sample_snapshot(LetterType.DECISION_REJECTED, language=language)
    return replace(
        sample,
        refund=replace(sample.refund, amount=Decimal("800.00")),
        decision=replace(sample.decision, customer_share_to_recover=Decimal("800.00")),
    )


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_snapshot_with_the_amount_to_take_back_encodes_to_its_stored_bytes_and_back(language):
    stored = (GOLDEN / f"decision_rejected.partly_refunded.{language}.json").read_bytes()

    restored = LetterSnapshot.from_json(stored)

    assert _partly_refunded(language).to_json().encode() == stored
    assert restored == _partly_refunded(language)
    assert restored.to_json().encode() == stored
    assert json.loads(stored)["decision"]["customer_share_to_recover"] == "800.00"


@pytest.mark.parametrize(("letter_type", "language"), SAMPLES)
def test_a_snapshot_stored_before_the_amount_to_take_back_has_none_and_writes_none(letter_type, language):
    stored = (GOLDEN / f"{_name(letter_type, language)}.json").read_bytes()

    restored = LetterSnapshot.from_json(stored)

    if restored.decision is not None:
        assert restored.decision.customer_share_to_recover is None
    assert b"customer_share_to_recover" not in restored.to_json().encode()


def _bank_part_skipped(language: str) -> LetterSnapshot:
    """The partly accepted sample where the D+1 refund (2 050,00 zł) skipped the bank's 349,99 zł payment."""
    sample = sample_snapshot(LetterType.DECISION_PARTIALLY_ACCEPTED, language=language)
    return replace(
        sample,
        refund=replace(sample.refund, amount=Decimal("2050.00")),
        decision=replace(sample.decision, bank_share_to_credit=Decimal("349.99")),
    )


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_snapshot_with_the_bank_s_part_to_credit_encodes_to_its_stored_bytes_and_back(language):
    stored = (GOLDEN / f"decision_partially_accepted.bank_part_skipped.{language}.json").read_bytes()

    restored = LetterSnapshot.from_json(stored)

    assert _bank_part_skipped(language).to_json().encode() == stored
    assert restored == _bank_part_skipped(language)
    assert restored.to_json().encode() == stored
    assert json.loads(stored)["decision"]["bank_share_to_credit"] == "349.99"


@pytest.mark.parametrize(("letter_type", "language"), SAMPLES)
def test_a_snapshot_stored_before_the_bank_s_part_to_credit_has_none_and_writes_none(letter_type, language):
    stored = (GOLDEN / f"{_name(letter_type, language)}.json").read_bytes()

    restored = LetterSnapshot.from_json(stored)

    if restored.decision is not None:
        assert restored.decision.bank_share_to_credit is None
    assert b"bank_share_to_credit" not in restored.to_json().encode()
