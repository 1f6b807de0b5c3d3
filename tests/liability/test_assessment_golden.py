"""Stored assessments keep their form: the fixtures in golden/ were written before the pydantic codec.

``LiabilityAssessment.result`` holds ``Assessment.to_dict()``; replaying a stored result must give the
same lines and totals, and its ``to_dict()`` the same JSON, key for key and in the same order.
"""

import json
from pathlib import Path

import pytest

from liability.engine import replay_agrees, replay_assessment

HERE = Path(__file__).parent
STORED = [*sorted((HERE / "golden").glob("*.json")), HERE / "engine1_assessment.json"]


@pytest.mark.parametrize("path", STORED, ids=lambda path: path.stem)
def test_a_stored_result_replays_to_the_same_json(path):
    text = path.read_text()
    stored = json.loads(text)

    replayed = replay_assessment(stored)

    assert replayed.to_dict() == stored
    # engine1_assessment.json was written indented and unescaped, the golden files as json.dumps writes
    pretty = {"indent": 1, "ensure_ascii": False} if "\n" in text else {}
    assert json.dumps(replayed.to_dict(), **pretty) == text.rstrip("\n")
    assert str(replayed.customer_total) == stored["customer_total"]
    assert str(replayed.bank_total) == stored["bank_total"]
    assert [line.rule for line in replayed.lines] == [line["rule"] for line in stored["lines"]]


@pytest.mark.parametrize("path", STORED, ids=lambda path: path.stem)
def test_a_record_stored_before_a_wording_change_still_agrees_and_keeps_its_words(path):
    stored = json.loads(path.read_text())
    # As if the explanations' wording changed after the result was stored.
    stored["lines"][0]["explanation_pl"] = "Brzmienie sprzed zmiany tekstu."
    stored["lines"][0]["explanation_en"] = "The wording before the text changed."

    assert replay_agrees(stored) is True
    assert replay_assessment(stored).to_dict() != stored  # the replay speaks today's wording
    assert stored["lines"][0]["explanation_en"] == "The wording before the text changed."


@pytest.mark.parametrize(
    ("field", "value"),
    [("customer_total", "0.01"), ("bank_total", "0.01"), ("rule", "UUP-46-NO-SCA"), ("customer", "0.01")],
)
def test_a_record_whose_figures_or_reason_code_differ_does_not_agree(field, value):
    stored = json.loads((HERE / "golden" / "cap_three_days.json").read_text())
    if field in stored:
        stored[field] = value
    else:
        stored["lines"][0][field] = value

    assert replay_agrees(stored) is False
