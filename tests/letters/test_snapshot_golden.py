"""Stored snapshots keep their bytes: the fixtures in golden/ were written by the codec before pydantic.

A letter's snapshot is stored with its PDF and hashed; decoding a stored snapshot and encoding it again
must give the very same bytes (keys sorted, ``+02:00`` offsets, amounts as written, no ASCII escapes).
"""

import json
from pathlib import Path

import pytest

from demo.letter_samples import sample_snapshot
from letters.rules import LetterType
from letters.snapshot import LetterSnapshot

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
