import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.sanitise import REDACTED, is_secret_key, mask_card_numbers, sanitise, sanitise_text
from kartosfera.card_numbers import luhn_valid

# --- card numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111111111111111 blocked", "card ************1111 blocked"),
        ("4111 1111 1111 1111", "**** **** **** 1111"),
        ("4111-1111-1111-1111", "****-****-****-1111"),
        ("Amex 3782 822463 10005.", "Amex **** ****** *0005."),
        ("19 digits: 6011000990139424124", "19 digits: ***************4124"),
        ("PAN:5500000000000004;", "PAN:************0004;"),
        (
            "grouped with a trailing year 4111 1111 1111 1111 2027",
            "grouped with a trailing year **** **** **** 1111 2027",
        ),
    ],
)
def test_card_numbers_are_masked_to_their_last_four_digits(text, expected):
    assert mask_card_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "PESEL 85031412345",  # 11 digits: not a card number
        "+48 601 234 567",
        "2025-12-23 13:05",
        "table 099/A/NBP/2025, rate 4.2541",
        "amount 212.71 PLN",
        "NRB 61109010140000071219812874",  # 26 digits: an account number, longer than any card number
        "case 2025/000123",
        "12 digits 123456789012",  # shorter than any card number
        "ref 1234567812345678",  # 16 digits whose Luhn checksum fails: not a card number
        "task 1f0e6a54-6011-4000-8000-000000000006 succeeded",  # a UUID (a Celery task id)
        "uuid 12345678-1234-4111-1111-111111111111",  # digit groups of a UUID
        "sha256 66d857c541111111111111abababababababababababababababababababababab",
    ],
)
def test_text_without_a_card_number_is_left_alone(text):
    assert sanitise_text(text) == text


def with_check_digit(body: str) -> str:
    """``body`` and the digit that makes its Luhn checksum hold: a card number."""
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


card_numbers = st.text(alphabet="0123456789", min_size=12, max_size=18).map(with_check_digit)


@given(
    pan=card_numbers,
    before=st.text(max_size=40).map(lambda text: text + " "),
    after=st.text(max_size=40).map(lambda text: " " + text),
)
def test_no_card_number_survives_in_text(pan, before, after):
    sanitised = sanitise_text(before + pan + after)

    assert pan not in sanitised


@given(pan=card_numbers, key=st.sampled_from(["note", "x", "ref"]))
def test_no_card_number_survives_anywhere_in_json(pan, key):
    data = {
        key: f"customer read {pan} on the phone",
        "nested": [{"number": int(pan) if pan[0] != "0" else pan}, pan],
        f"key {pan}": True,
    }

    sanitised = json.dumps(sanitise(data))

    assert pan not in sanitised


# --- secret keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "pin",
        "PIN",
        "new_pin",
        "pin_block",
        "pinBlock",
        "otp",
        "otp_code",
        "sms_code",
        "smsCode",
        "verification_code",
        "password",
        "new_password1",
        "old_password",
        "hasło",
        "passcode",
        "cvv2",
        "CVC",
        "secret",
        "client_secret",
        "access_token",
        "csrfmiddlewaretoken",
        "api_key",
        "Authorization",
    ],
)
def test_the_value_of_a_secret_key_is_redacted(key):
    assert sanitise({key: "8462"}) == {key: REDACTED}
    assert sanitise({key: 8462}) == {key: REDACTED}
    assert sanitise({"outer": [{key: {"anything": "8462"}}]}) == {"outer": [{key: REDACTED}]}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pin_attempts", 3),
        ("pin_blocked", True),
        ("otp", None),
        ("password_changed_at", "2025-12-23T13:05:00Z"),
        ("token_id", 17),
        ("wallet_token_status", "SUSPENDED"),
        ("code", "START"),  # a deadline step code
        ("currency_code", "PLN"),
        ("reason_code", "4837"),  # a Mastercard chargeback reason code
        ("authorisation_code", "A1B2C3"),
        ("key", "ROLL_FORWARD"),
    ],
)
def test_a_key_that_describes_a_secret_or_is_no_secret_keeps_its_value(key, value):
    assert sanitise({key: value}) == {key: value}


@pytest.mark.parametrize(("value", "secret"), [("123456", True), ("A1B2C3", True), ("CALENDAR_DAYS", False)])
def test_a_bare_code_is_a_secret_when_it_has_a_digit(value, secret):
    assert is_secret_key("code", value) is secret


@given(
    key=st.sampled_from(["pin", "otp", "password", "sms_code", "cvv", "token", "secret", "new_pin"]),
    value=st.one_of(st.text(min_size=1), st.integers()),
)
def test_no_pin_otp_or_password_value_survives_its_key(key, value):
    assert sanitise({"form": {key: value}}) == {"form": {key: REDACTED}}


@pytest.mark.parametrize("key", ["pan", "card_number", "cardNumber", "primary_account_number"])
def test_a_card_number_key_is_masked_whatever_its_length(key):
    assert sanitise({key: "41111111111"}) == {key: "*******1111"}


# --- free text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("customer gave PIN 1234 on the phone", "customer gave PIN [REDACTED] on the phone"),
        ("Twój kod SMS: 839201.", "Twój kod SMS: [REDACTED]."),
        ("otp=839201", "otp=[REDACTED]"),
        ("password: hunter2-correct", "password: [REDACTED]"),
        ("hasło=Zażółć1!", "hasło=[REDACTED]"),
        ("the PIN was changed. Amount 1234 PLN", "the PIN was changed. Amount 1234 PLN"),
    ],
)
def test_pins_codes_and_passwords_in_free_text_are_removed(text, expected):
    assert sanitise_text(text) == expected


@given(otp=st.text(alphabet="0123456789", min_size=4, max_size=8))
def test_no_one_time_code_survives_a_message(otp):
    for template in ("Kod SMS: {}", "your code is {}", "OTP {} expired", "PIN: {}"):
        assert otp not in sanitise_text(template.format(otp))


def test_booleans_none_and_short_numbers_pass_unchanged():
    data = {"amount": "800.00", "count": 3, "flag": False, "nothing": None, "list": [1, "two"]}

    assert sanitise(data) == data


# --- file digests ----------------------------------------------------------------------------------------

# A SHA-256 whose hex holds a run of 14 decimal digits: the card-number rule alone would mask it.
DIGEST_WITH_A_DIGIT_RUN = "66d857c5" + "41111111111111" + "ab" * 21


@pytest.mark.parametrize(
    "digest",
    [DIGEST_WITH_A_DIGIT_RUN, DIGEST_WITH_A_DIGIT_RUN.upper(), "a" + "1" * 39, "f" + "2" * 127],
)
def test_a_hex_digest_keeps_every_character(digest):
    assert sanitise({"sha256": digest, "nested": [digest]}) == {"sha256": digest, "nested": [digest]}


def test_a_digest_inside_text_keeps_every_character_and_a_card_number_beside_it_is_masked():
    text = f"file {DIGEST_WITH_A_DIGIT_RUN} read by 4111111111111111"

    assert sanitise_text(text) == f"file {DIGEST_WITH_A_DIGIT_RUN} read by ************1111"


def test_a_text_with_a_secret_is_cleared_every_time_and_never_kept_as_clean():
    from audit import sanitise as module

    text = "PIN: 4821, karta 4111 1111 1111 1111"

    results = [sanitise_text(text) for _ in range(3)]

    assert all("4821" not in result and "4111 1111 1111 1111" not in result for result in results)
    assert len(set(results)) == 1
    assert text not in module._CLEAN_TEXTS
    assert sanitise_text("UUP-46-1") == "UUP-46-1" and "UUP-46-1" in module._CLEAN_TEXTS
