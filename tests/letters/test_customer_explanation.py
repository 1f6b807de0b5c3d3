"""A letter words the EUR left of the 50 EUR cap to the cent, as the portal; the record keeps 6 decimals."""

import json
from pathlib import Path

from letters.sections import customer_explanation
from liability.record import StoredAssessment

STORED = Path(__file__).parents[1] / "liability" / "golden" / "cap_three_days.json"


def test_a_cap_line_in_a_letter_shows_the_eur_left_to_the_cent_and_the_record_keeps_its_words():
    stored = StoredAssessment.parse(json.loads(STORED.read_text()))
    first, second, no_sca, _third = stored.lines

    assert first.explanation_pl.endswith("pozostaje ≈ 26,468927 EUR limitu.")  # the record, unchanged
    assert customer_explanation(stored, first, "pl") == (
        "Limit 50 EUR na całą reklamację (instrument utracony): 50,00 EUR × 4,2497 (tabela 096/A/NBP/2025) "
        "= 212,49\xa0zł; klient ponosi min(100,00\xa0zł; 212,49\xa0zł) = 100,00\xa0zł, bank 0,00\xa0zł; "
        "na transakcje wykonane po tej pozostaje ≈ 26,47 EUR limitu."
    )
    assert customer_explanation(stored, second, "en").startswith(
        "50 EUR cap for the whole claim (instrument lost): ≈ EUR 26.47 × 4.2541 (table 099/A/NBP/2025)"
    )
    assert customer_explanation(stored, second, "en").endswith(
        "≈ EUR 0.00 of the cap remains for the payment made after this one."
    )
    # The cent is marked approximate where it is not exact (26.468927 × 4.2541 is 112.60, not 26.47 ×
    # 4.2541 = 112.61), not where it is (the whole 50,00); 0,000344 EUR left reads '≈ 0,00'.
    assert "): 50,00 EUR ×" in customer_explanation(stored, first, "pl")
    assert customer_explanation(stored, second, "pl").endswith(
        "na transakcję wykonaną po tej pozostaje ≈ 0,00 EUR limitu."
    )
    # A line naming no EUR says what the record says.
    assert customer_explanation(stored, no_sca, "pl") == no_sca.explanation_pl


def test_what_a_payment_leaves_of_the_cap_is_said_for_the_capped_payments_after_it_alone():
    stored = StoredAssessment.parse(json.loads(STORED.read_text()))
    first, second, _no_sca, third = stored.lines

    assert [stored.capped_after(line) for line in (first, second, third)] == [2, 1, 0]
    # The last capped payment leaves its 0,000344 EUR to no payment: it is not told what remains.
    assert customer_explanation(stored, third, "pl").endswith(
        "klient ponosi min(33,33\xa0zł; 0,00\xa0zł) = 0,00\xa0zł, bank 33,33\xa0zł."
    )
    assert "remains" not in customer_explanation(stored, third, "en")
    assert third.explanation_pl.endswith("pozostaje ≈ 0,000344 EUR limitu.")  # the record, unchanged


def test_a_claim_of_one_capped_payment_is_not_told_what_remains_of_the_cap():
    stored = StoredAssessment.parse(json.loads(STORED.read_text()))
    alone = stored.model_copy(update={"lines": stored.lines[:1]})

    assert customer_explanation(alone, alone.lines[0], "en").endswith(
        "the customer bears min(PLN\xa0100.00, PLN\xa0212.49) = PLN\xa0100.00, the bank PLN\xa00.00."
    )
