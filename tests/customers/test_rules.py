from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customers.rules import (
    BankIdError,
    PeselError,
    PhoneError,
    Sex,
    generate_pesel,
    identifier_kind,
    normalise_mobile,
    normalise_polish_mobile,
    parse_bank_id,
    parse_pesel,
)

TODAY = date(2026, 11, 21)
WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def with_check_digit(first_ten: str) -> str:
    """Complete ten digits into a PESEL with a correct check digit (written here independently)."""
    total = sum(weight * int(digit) for weight, digit in zip(WEIGHTS, first_ten, strict=True))
    return first_ten + str((10 - total % 10) % 10)


@pytest.mark.parametrize(
    ("pesel", "today", "birth_date", "sex"),
    [
        ("44051401359", TODAY, date(1944, 5, 14), Sex.MALE),  # the textbook example
        ("02070803628", TODAY, date(1902, 7, 8), Sex.FEMALE),
        ("99923100014", TODAY, date(1899, 12, 31), Sex.MALE),  # 1800s: month + 80
        ("00222900009", TODAY, date(2000, 2, 29), Sex.FEMALE),  # 2000s: month + 20; 2000 is a leap year
        ("01320501547", TODAY, date(2001, 12, 5), Sex.FEMALE),
        ("21522900133", date(2200, 1, 1), date(2121, 12, 29), Sex.MALE),  # 2100s: month + 40
        ("00610101007", date(2200, 1, 1), date(2200, 1, 1), Sex.FEMALE),  # 2200s: month + 60, born "today"
        (" 44051401359 ", TODAY, date(1944, 5, 14), Sex.MALE),  # surrounding spaces are ignored
    ],
)
def test_valid_pesel_gives_birth_date_and_sex(pesel, today, birth_date, sex):
    result = parse_pesel(pesel, today=today)

    assert (result.number, result.birth_date, result.sex) == (pesel.strip(), birth_date, sex)


@pytest.mark.parametrize(
    ("pesel", "code"),
    [
        ("44051401358", "pesel_checksum"),
        ("44051401350", "pesel_checksum"),
        (with_check_digit("4413140135"), "pesel_month"),  # month 13
        (with_check_digit("0000010100"), "pesel_month"),  # month 00
        (with_check_digit("3033010100"), "pesel_month"),  # 2000s month 13
        (with_check_digit("9999010100"), "pesel_month"),  # 1800s month 19
        (with_check_digit("0002300123"), "pesel_date"),  # 30 February 1900
        (with_check_digit("0002290000"), "pesel_date"),  # 29 February 1900: not a leap year
        (with_check_digit("2522290000"), "pesel_date"),  # 29 February 2025
        (with_check_digit("4405000135"), "pesel_date"),  # day 00
        (with_check_digit("4405320135"), "pesel_date"),  # day 32
        (with_check_digit("4404310135"), "pesel_date"),  # 31 April
        (with_check_digit("3021010000"), "pesel_future"),  # 1 January 2030
        (with_check_digit("2631220000"), "pesel_future"),  # tomorrow
        ("4405140135a", "pesel_not_digits"),
        ("4405 1401359", "pesel_not_digits"),
        ("４４０５１４０１３５９", "pesel_not_digits"),  # full-width digits are not ASCII digits
        ("", "pesel_not_digits"),
        ("4405140135", "pesel_length"),
        ("440514013590", "pesel_length"),
    ],
)
def test_invalid_pesel_is_refused_with_a_specific_code(pesel, code):
    with pytest.raises(PeselError) as caught:
        parse_pesel(pesel, today=TODAY)

    assert caught.value.code == code


def test_pesel_born_today_is_valid():
    assert parse_pesel(with_check_digit("2631210000"), today=TODAY).birth_date == TODAY


def test_pesel_error_message_names_the_problem():
    with pytest.raises(PeselError) as caught:
        parse_pesel("4405140135", today=TODAY)

    assert str(caught.value) == "A PESEL number has 11 digits; this one has 10."
    assert caught.value.message == "A PESEL number has 11 digits; this one has %(length)s."
    assert caught.value.params == {"length": 10}


def test_generator_gives_known_pesel():
    assert generate_pesel(birth_date=date(1944, 5, 14), serial=67, sex=Sex.MALE) == "44051401359"


@pytest.mark.parametrize(
    ("birth_date", "serial"),
    [(date(1799, 12, 31), 0), (date(2300, 1, 1), 0), (date(2000, 1, 1), -1), (date(2000, 1, 1), 5000)],
)
def test_generator_refuses_what_a_pesel_cannot_encode(birth_date, serial):
    with pytest.raises(ValueError):
        generate_pesel(birth_date=birth_date, serial=serial, sex=Sex.FEMALE)


@given(
    birth_date=st.dates(min_value=date(1800, 1, 1), max_value=date(2299, 12, 31)),
    serial=st.integers(min_value=0, max_value=4999),
    sex=st.sampled_from(Sex),
)
def test_generated_pesel_always_validates_and_round_trips(birth_date, serial, sex):
    pesel = generate_pesel(birth_date=birth_date, serial=serial, sex=sex)

    result = parse_pesel(pesel, today=date(2299, 12, 31))

    assert (result.birth_date, result.sex, len(pesel)) == (birth_date, sex, 11)


@given(
    birth_date=st.dates(min_value=date(1800, 1, 1), max_value=date(2026, 11, 21)),
    serial=st.integers(min_value=0, max_value=4999),
    position=st.integers(min_value=0, max_value=10),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_caught_by_the_checksum(birth_date, serial, position, shift):
    pesel = generate_pesel(birth_date=birth_date, serial=serial, sex=Sex.MALE)
    typo = pesel[:position] + str((int(pesel[position]) + shift) % 10) + pesel[position + 1 :]

    with pytest.raises(PeselError) as caught:
        parse_pesel(typo, today=TODAY)

    assert caught.value.code == "pesel_checksum"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("601234567", "+48601234567"),
        ("601 234 567", "+48601234567"),
        ("601-234-567", "+48601234567"),
        ("+48 601 234 567", "+48601234567"),
        ("+48601234567", "+48601234567"),
        ("0048 601 234 567", "+48601234567"),
        ("48601234567", "+48601234567"),
        ("(+48) 512.345.678", "+48512345678"),
        ("882 000 111", "+48882000111"),
        ("450 123 456", "+48450123456"),
    ],
)
def test_polish_mobile_is_normalised_to_e164(raw, expected):
    assert normalise_polish_mobile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("22 123 45 67", "phone_not_mobile"),  # Warsaw landline
        ("+48 12 345 67 89", "phone_not_mobile"),  # Kraków landline
        ("60123456", "phone_format"),
        ("6012345678", "phone_format"),
        ("+48 601 234 5678", "phone_format"),
        ("+49 151 12345678", "phone_format"),
        ("601 234 56a", "phone_format"),
        ("", "phone_format"),
    ],
)
def test_not_a_polish_mobile_is_refused(raw, code):
    with pytest.raises(PhoneError) as caught:
        normalise_polish_mobile(raw)

    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("601 234 567", "+48601234567"),
        ("+380 67 123 4567", "+380671234567"),
        ("00380 67 123 4567", "+380671234567"),
        ("+49 151 1234 5678", "+4915112345678"),
    ],
)
def test_mobile_from_anywhere_is_e164(raw, expected):
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("+48 22 123 45 67", "phone_not_mobile"),
        ("+380 67", "phone_format"),
        ("+0 123 456 789", "phone_format"),
    ],
)
def test_mobile_from_anywhere_still_refuses_bad_numbers(raw, code):
    with pytest.raises(PhoneError) as caught:
        normalise_mobile(raw)

    assert caught.value.code == code


@pytest.mark.parametrize("value", ["40012345", " 40012345 "])
def test_bank_id_is_eight_digits(value):
    assert parse_bank_id(value) == "40012345"


@pytest.mark.parametrize("value", ["4001234", "400123456", "4001234a", "", "44051401359"])
def test_bank_id_other_than_eight_digits_is_refused(value):
    with pytest.raises(BankIdError) as caught:
        parse_bank_id(value)

    assert caught.value.code == "bank_id_format"


@pytest.mark.parametrize(
    ("identifier", "kind"),
    [
        ("44051401359", "PESEL"),
        ("40012345", "BANK_ID"),
        (" 40012345", "BANK_ID"),
        ("4001234", None),
        ("abc", None),
    ],
)
def test_identifier_kind_tells_pesel_from_bank_id(identifier, kind):
    assert identifier_kind(identifier) == kind
