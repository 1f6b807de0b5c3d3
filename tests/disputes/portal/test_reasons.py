"""The decision's reasons in the customer's words (disputes.portal.reasons), from stored assessment lines."""

import json

import pytest

from disputes.portal.reasons import reason_for_customer
from liability.record import StoredInputs, StoredLine

INPUTS = {
    "transactions": [],
    "reported_at": "2026-11-21T21:40:00+01:00",
    "cause": "LOST",
    "findings": {},
    "rounding": "ROUND_HALF_UP",
}
LINE = {
    "transaction_id": "7",
    "customer": "0.00",
    "bank": "1856.22",
    "rate": None,
    "table": None,
    "synthetic_rate": False,
    "rate_date": None,
    "amount": "1856.22",
    "executed_at": "2026-11-20T18:05:00+01:00",
    "debited_on": "2026-11-21",
    "window_end": "2027-12-21",
    "cap": None,
    "remaining_eur_before": None,
    "remaining_eur_after": None,
    "explanation_pl": "Reguła wewnętrzna: klient ponosi 0,00 zł.",
    "explanation_en": "Internal rule: the customer bears PLN 0.00.",
}
# The demo's second capped payment: 32,193316 EUR of the cap left at 4,2541, 212,35 zł borne,
# 17,806684 EUR left (the analysts' text shows it to six decimals; the customer reads it to the cent).
SECOND_CAPPED = {
    "rule": "UUP-46-2-CAP",
    "customer": "212.35",
    "bank": "1643.87",
    "rate": "4.2541",
    "table": "228/A/NBP/2026",
    "rate_date": "2026-11-20",
    "cap": "136.95",
    "remaining_eur_before": "32.193316",
    "remaining_eur_after": "17.806684",
}
# The claim's payments as the assessment stored them: the capped one above ("7") and another.
PAYMENT = {"amount": "1856.22", "executed_at": "2026-11-20T18:05:00+01:00", "sca_applied": True}
CLAIM_OF_TWO = {
    "transactions": [
        PAYMENT | {"id": "6", "debited_on": "2026-11-21"},
        PAYMENT | {"id": "7", "debited_on": "2026-11-21"},
    ]
}


def reason(language: str, inputs: dict | None = None, capped_after: int = 0, **line: object) -> str:
    return reason_for_customer(
        line=StoredLine.model_validate_json(json.dumps(LINE | line)),
        inputs=StoredInputs.model_validate_json(json.dumps(INPUTS | (inputs or {}))),
        language=language,
        capped_after=capped_after,
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Twoja karta zaginęła, a tę transakcję wykonano, zanim to zgłosiłeś(-aś). W takiej sytuacji "
            "ponosisz najwyżej równowartość 50 EUR za całą reklamację. Przy tej transakcji z tego limitu "
            "zostało 32,19 EUR, czyli 136,95 zł po średnim kursie NBP z 20 listopada 2026 (4,2541 zł za "
            "1 euro). Dlatego ponosisz 212,35 zł, a bank 1 643,87 zł. Na transakcję z reklamacji wykonaną "
            "po tej zostaje 17,81 EUR limitu.",
        ),
        (
            "en",
            "Your card was lost and this payment was made before you reported it. In that case you bear at "
            "most the equivalent of EUR 50 for the whole claim. For this payment EUR 32.19 of that limit "
            "was left, which is PLN 136.95 at the NBP average rate of 20 November 2026 (4.2541 PLN per "
            "euro). So you bear PLN 212.35 and the bank bears PLN 1,643.87. EUR 17.81 of the limit remains "
            "for the claim's payment made after this one.",
        ),
    ],
)
def test_the_cap_reads_in_the_second_person_with_eur_to_the_cent_and_no_formula(db, language, expected):
    # A capped payment of the claim follows this one: what is left of the cap is for it.
    text = reason(language, CLAIM_OF_TWO, 1, **SECOND_CAPPED).replace("\xa0", " ").replace("\u202f", " ")

    assert text == expected
    assert "min(" not in text and "UUP" not in text and "17,806684" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Twoja karta zaginęła, a tę transakcję wykonano, zanim to zgłosiłeś(-aś). W takiej sytuacji "
            "ponosisz najwyżej równowartość 50 EUR za całą reklamację. Przy tej transakcji z tego limitu "
            "zostało 50,00 EUR, czyli 212,71 zł po średnim kursie NBP z 20 listopada 2026 (4,2541 zł za "
            "1 euro). Dlatego ponosisz 60,00 zł, a bank 0,00 zł.",
        ),
        (
            "en",
            "Your card was lost and this payment was made before you reported it. In that case you bear at "
            "most the equivalent of EUR 50 for the whole claim. For this payment EUR 50.00 of that limit "
            "was left, which is PLN 212.71 at the NBP average rate of 20 November 2026 (4.2541 PLN per "
            "euro). So you bear PLN 60.00 and the bank bears PLN 0.00.",
        ),
    ],
)
def test_a_claim_of_one_payment_is_not_told_what_remains_for_other_payments(db, language, expected):
    single = SECOND_CAPPED | {
        "amount": "60.00",
        "customer": "60.00",
        "bank": "0.00",
        "cap": "212.71",
        "remaining_eur_before": "50",
        "remaining_eur_after": "35.895917",
    }
    claim_of_one = {"transactions": [PAYMENT | {"id": "7", "amount": "60.00", "debited_on": "2026-11-21"}]}

    text = reason(language, claim_of_one, **single).replace("\xa0", " ").replace("\u202f", " ")

    assert text == expected
    assert "35,90" not in text and "35.90" not in text


def test_a_sample_rate_is_never_passed_off_as_an_nbp_rate(db):
    text = reason("pl", **(SECOND_CAPPED | {"table": "SYNTHETIC-2026-11-20"}))

    assert "po przykładowym kursie SYNTHETIC-2026-11-20 z 20 listopada 2026" in text
    assert "to nie jest kurs NBP" in text and "średnim kursie NBP" not in text


@pytest.mark.parametrize(
    ("rule", "findings", "expected"),
    [
        (
            "UUP-46-AFTER-REPORT",
            {},
            "Tę transakcję wykonano 20 listopada 2026, 18:05 (czasu warszawskiego), w chwili zgłoszenia "
            "karty (21 listopada 2026, 21:40) lub później, więc nic nie ponosisz: całą kwotę 1 856,22 zł "
            "ponosi bank.",
        ),
        (
            "UUP-46-UNDETECTABLE",
            {"bank_staff": True},
            "Szkodę spowodował nasz pracownik lub agent, więc nic nie ponosisz: całą kwotę 1 856,22 zł "
            "ponosi bank.",
        ),
        (
            "UUP-44-2-LATE",
            {},
            "Zgłosiłeś(-aś) tę transakcję 21 listopada 2026, po upływie 13 miesięcy od obciążenia rachunku "
            "21 listopada 2026 (termin minął 21 grudnia 2027), więc ponosisz całą kwotę 1 856,22 zł.",
        ),
        ("SOME-FUTURE-RULE", {}, "Reguła wewnętrzna: klient ponosi 0,00 zł."),
    ],
)
def test_each_rule_says_why_to_the_customer(db, rule, findings, expected):
    text = reason("pl", {"findings": findings}, rule=rule)

    assert text.replace("\xa0", " ").replace("\u202f", " ") == expected


def test_a_payment_after_the_cap_is_used_up_says_so_instead_of_a_zero_sum(db):
    used_up = SECOND_CAPPED | {
        "customer": "0.00",
        "bank": "1856.22",
        "cap": "0.00",
        "remaining_eur_before": "0",
        "remaining_eur_after": "0",
    }

    text = reason("pl", **used_up).replace("\xa0", " ")

    assert text == (
        "Twoja karta zaginęła, a tę transakcję wykonano, zanim to zgłosiłeś(-aś). W takiej sytuacji ponosisz "
        "najwyżej równowartość 50 EUR za całą reklamację, a wcześniejsze transakcje z reklamacji już ten "
        "limit wykorzystały, więc za tę nic nie ponosisz: całą kwotę 1 856,22 zł ponosi bank."
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Ktoś przejął dane Twojej karty i posłużył się nimi bez samej karty, a tę transakcję wykonano, "
            "zanim to zgłosiłeś(-aś).",
        ),
        (
            "en",
            "Someone took your card details and used them without the card, and this payment was made before "
            "you reported it.",
        ),
    ],
)
def test_misappropriated_card_details_are_not_told_as_a_card_taken_over(db, language, expected):
    # The customer still had the card: only its details were taken (liability.rules.Cause.MISAPPROPRIATED).
    text = reason(language, {"cause": "MISAPPROPRIATED"}, **SECOND_CAPPED)

    assert text.startswith(expected)
    assert "przywłaszczył Twoją kartę" not in text and "took over your card" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Nie mogłeś(-aś) zauważyć, że ktoś przejął dane Twojej karty, zanim wykonano tę transakcję, więc "
            "nic nie ponosisz: całą kwotę 1 856,22 zł ponosi bank.",
        ),
        (
            "en",
            "You could not have noticed that someone had taken your card details before this payment, so you "
            "bear nothing: the bank bears the whole PLN 1,856.22.",
        ),
    ],
)
def test_an_undetectable_misuse_of_card_details_is_not_told_as_a_lost_card(db, language, expected):
    # The customer never lost the card (Zofia's demo claim): only its details were taken.
    text = reason(
        language, {"cause": "MISAPPROPRIATED", "findings": {"undetectable": True}}, rule="UUP-46-UNDETECTABLE"
    )

    assert text.replace("\xa0", " ").replace("\u202f", " ") == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Do przejęcia danych Twojej karty doszło z winy naszego pracownika lub agenta, więc nic nie "
            "ponosisz: całą kwotę 1 856,22 zł ponosi bank.",
        ),
        (
            "en",
            "Our staff or agents caused your card details to be taken, so you bear nothing: the bank bears "
            "the whole PLN 1,856.22.",
        ),
    ],
)
def test_card_details_taken_through_our_staff_and_detectable_are_not_told_as_a_lost_card(
    db, language, expected
):
    # The customer kept the card and could have noticed, but the bank's staff let the details out.
    findings = {"bank_staff": True}

    text = reason(language, {"cause": "MISAPPROPRIATED", "findings": findings}, rule="UUP-46-UNDETECTABLE")

    assert text.replace("\xa0", " ").replace("\u202f", " ") == expected


def test_findings_that_do_not_make_the_undetectable_rule_fall_back_to_the_stored_explanation(db):
    text = reason("en", {"cause": "LOST"}, rule="UUP-46-UNDETECTABLE")

    assert text == "Internal rule: the customer bears PLN 0.00."


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("pl", "Dlatego ponosisz 212,35 zł, a bank 1 643,87 zł.", "17,81"),
        ("en", "So you bear PLN 212.35 and the bank bears PLN 1,643.87.", "17.81"),
    ],
)
def test_the_last_capped_payment_is_not_told_what_remains_for_the_payments_before_it(
    db, language, said, not_said
):
    # "7" is the later of the claim's two payments: the cap left after it is for no payment.
    text = reason(language, CLAIM_OF_TWO, 0, **SECOND_CAPPED).replace("\xa0", " ").replace("\u202f", " ")

    assert text.endswith(said)
    assert not_said not in text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("pl", "Na transakcje z reklamacji wykonane po tej zostaje 17,81 EUR limitu."),
        ("en", "EUR 17.81 of the limit remains for the claim's payments made after this one."),
    ],
)
def test_what_remains_of_the_cap_names_the_payments_after_this_one(db, language, said):
    text = reason(language, CLAIM_OF_TWO, 2, **SECOND_CAPPED).replace("\xa0", " ").replace("\u202f", " ")

    assert text.endswith(said)
