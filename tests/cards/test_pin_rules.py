from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cards.rules import PinError, check_pin

BIRTH = date(1985, 3, 14)


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("1111", "pin_trivial"),
        ("0000", "pin_trivial"),
        ("1234", "pin_trivial"),
        ("4321", "pin_trivial"),
        ("6789", "pin_trivial"),
        ("9876", "pin_trivial"),
        ("1212", "pin_trivial"),
        ("1122", "pin_trivial"),
        ("1985", "pin_birth_date"),
        ("1403", "pin_birth_date"),
        ("0314", "pin_birth_date"),
        ("123", "pin_format"),
        ("12345", "pin_format"),
        ("12a4", "pin_format"),
        ("١٢٣٤", "pin_format"),
    ],
)
def test_refused_pins(pin, code):
    with pytest.raises(PinError) as raised:
        check_pin(pin, pin, birth_date=BIRTH)

    assert raised.value.code == code


@pytest.mark.parametrize("pin", ["5829", "1379", "8052", "1986", "7090", "2468"])
def test_accepted_pins(pin):
    assert check_pin(pin, pin, birth_date=BIRTH) is None


def test_the_repetition_must_match():
    with pytest.raises(PinError) as raised:
        check_pin("5829", "5828", birth_date=BIRTH)

    assert raised.value.code == "pin_mismatch"


@given(st.sampled_from("0123456789"))
def test_no_repeated_digit_is_accepted(digit):
    with pytest.raises(PinError):
        check_pin(digit * 4, digit * 4, birth_date=None)
