"""Identity rules for customers: PESEL, the bank-assigned id, mobile numbers. Pure, no Django.

Errors carry a stable ``code``, an English message template and its ``params``. The template is
the gettext msgid: the Django layer translates it (Polish in ``locale/pl``), so the words live once.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kartosfera.vocabulary import gettext_noop

PESEL_LENGTH = 11
PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)

# Month offset in a PESEL -> first year of its century (Dz.U. 2024 poz. 1022, art. 15).
_CENTURY_BY_MONTH_OFFSET = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}
_MONTH_OFFSET_BY_CENTURY = {century: offset for offset, century in _CENTURY_BY_MONTH_OFFSET.items()}

BANK_ID_LENGTH = 8

# Polish mobile numbering ranges (UKE plan): the first two digits of a 9-digit national number.
# Fixed-line area codes never start with these, so a landline (no SMS) is told apart.
POLISH_MOBILE_PREFIXES = frozenset(
    {"45", "50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"}
)
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


class RuleError(ValueError):
    """A value that breaks an identity rule: ``code`` for programs, ``message`` % ``params`` for people."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


class PeselError(RuleError):
    """A PESEL that is malformed, fails its checksum or encodes an impossible date of birth."""


class BankIdError(RuleError):
    """A bank-assigned identification number that is malformed."""


class PhoneError(RuleError):
    """A phone number that is not a mobile number the bank can send text messages to."""


class Sex(StrEnum):
    FEMALE = "FEMALE"
    MALE = "MALE"


@dataclass(frozen=True, slots=True)
class Pesel:
    """A validated PESEL with what it encodes."""

    number: str
    birth_date: date
    sex: Sex


def parse_pesel(value: str, *, today: date) -> Pesel:
    """Validate a PESEL against ``today`` and return its date of birth and sex.

    :raises PeselError: codes ``pesel_not_digits``, ``pesel_length``, ``pesel_checksum``,
        ``pesel_month``, ``pesel_date``, ``pesel_future``.
    """
    number = value.strip() if isinstance(value, str) else ""
    if not number.isascii() or not number.isdigit():
        raise PeselError("pesel_not_digits", gettext_noop("A PESEL number consists of digits only."))
    if len(number) != PESEL_LENGTH:
        raise PeselError(
            "pesel_length",
            gettext_noop("A PESEL number has 11 digits; this one has %(length)s."),
            length=len(number),
        )
    digits = [int(char) for char in number]
    if pesel_check_digit(number[:10]) != digits[10]:
        raise PeselError(
            "pesel_checksum",
            gettext_noop("This PESEL number's check digit is wrong; please check for a typing mistake."),
        )
    birth_date = _pesel_birth_date(digits)
    if birth_date > today:
        raise PeselError(
            "pesel_future",
            gettext_noop("This PESEL number encodes a date of birth in the future (%(birth_date)s)."),
            birth_date=birth_date.isoformat(),
        )
    sex = Sex.MALE if digits[9] % 2 else Sex.FEMALE
    return Pesel(number=number, birth_date=birth_date, sex=sex)


def pesel_check_digit(first_ten: str) -> int:
    """The check digit for the first ten digits of a PESEL (weights 1,3,7,9,1,3,7,9,1,3)."""
    total = sum(weight * int(digit) for weight, digit in zip(PESEL_WEIGHTS, first_ten, strict=True))
    return (10 - total % 10) % 10


def _pesel_birth_date(digits: list[int]) -> date:
    two_digit_year = digits[0] * 10 + digits[1]
    encoded_month = digits[2] * 10 + digits[3]
    day = digits[4] * 10 + digits[5]
    century_and_month = [
        (century, encoded_month - offset)
        for offset, century in _CENTURY_BY_MONTH_OFFSET.items()
        if 1 <= encoded_month - offset <= 12
    ]
    if not century_and_month:
        raise PeselError(
            "pesel_month",
            gettext_noop("This PESEL number encodes no valid month (%(month)s)."),
            month=f"{encoded_month:02d}",
        )
    century, month = century_and_month[0]
    year = century + two_digit_year
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise PeselError(
            "pesel_date",
            gettext_noop("This PESEL number encodes a day that does not exist (%(date)s)."),
            date=f"{year:04d}-{month:02d}-{day:02d}",
        )
    return date(year, month, day)


def generate_pesel(*, birth_date: date, serial: int, sex: Sex) -> str:
    """A valid PESEL for a date of birth (1800-2299), a serial 0-4999 and a sex (demo and test data)."""
    century = birth_date.year - birth_date.year % 100
    if century not in _MONTH_OFFSET_BY_CENTURY:
        raise ValueError(f"PESEL encodes dates of birth from 1800 to 2299, not {birth_date.isoformat()}")
    if not 0 <= serial <= 4999:
        raise ValueError(f"serial must be 0-4999, got {serial}")
    month = birth_date.month + _MONTH_OFFSET_BY_CENTURY[century]
    # Digits 7-10: a 4-digit ordinal whose parity is the sex (odd = male).
    ordinal = serial * 2 + (1 if Sex(sex) is Sex.MALE else 0)
    first_ten = f"{birth_date.year % 100:02d}{month:02d}{birth_date.day:02d}{ordinal:04d}"
    return first_ten + str(pesel_check_digit(first_ten))


def parse_bank_id(value: str) -> str:
    """Validate a bank-assigned identification number (8 digits; for customers without a PESEL).

    :raises BankIdError: code ``bank_id_format``.
    """
    number = value.strip() if isinstance(value, str) else ""
    if len(number) != BANK_ID_LENGTH or not number.isascii() or not number.isdigit():
        raise BankIdError(
            "bank_id_format", gettext_noop("A bank identification number consists of exactly 8 digits.")
        )
    return number


def masked_identifier(number: str) -> str:
    """A PESEL or bank id as shown on screen, only its last four digits visible: ``••••••• 1234``."""
    return f"{'•' * (len(number) - 4)} {number[-4:]}" if len(number) > 4 else "•••"


def identifier_kind(identifier: str) -> str | None:
    """Which kind of customer identifier this looks like: ``"PESEL"``, ``"BANK_ID"`` or None.

    The two never collide: a PESEL has 11 digits, a bank id 8.
    """
    number = identifier.strip() if isinstance(identifier, str) else ""
    if not number.isascii() or not number.isdigit():
        return None
    return {PESEL_LENGTH: "PESEL", BANK_ID_LENGTH: "BANK_ID"}.get(len(number))


def normalise_polish_mobile(raw: str) -> str:
    """Turn a Polish mobile number as people type it (``601 234 567``, ``+48 601-234-567``,
    ``0048601234567``) into E.164 (``+48601234567``).

    :raises PhoneError: codes ``phone_format``, ``phone_not_mobile``.
    """
    compact = _PHONE_SEPARATORS.sub("", raw) if isinstance(raw, str) else ""
    if compact.startswith("+48"):
        national = compact[3:]
    elif compact.startswith("0048"):
        national = compact[4:]
    elif len(compact) == 11 and compact.startswith("48"):
        national = compact[2:]
    else:
        national = compact
    if len(national) != 9 or not national.isascii() or not national.isdigit():
        raise PhoneError(
            "phone_format",
            gettext_noop("A Polish mobile number has 9 digits, optionally preceded by +48."),
        )
    if national[:2] not in POLISH_MOBILE_PREFIXES:
        raise PhoneError(
            "phone_not_mobile",
            gettext_noop("This is not a Polish mobile number; we can only send text messages to a mobile."),
        )
    return "+48" + national


def normalise_mobile(raw: str) -> str:
    """E.164 for a mobile number: Polish numbers are checked as Polish mobiles, others by E.164 shape.

    :raises PhoneError: codes ``phone_format``, ``phone_not_mobile``.
    """
    compact = _PHONE_SEPARATORS.sub("", raw) if isinstance(raw, str) else ""
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+") or compact.startswith("+48"):
        return normalise_polish_mobile(compact)
    if not _E164.match(compact):
        raise PhoneError(
            "phone_format",
            gettext_noop(
                "A phone number from abroad starts with + and the country code (at most 15 digits)."
            ),
        )
    return compact
