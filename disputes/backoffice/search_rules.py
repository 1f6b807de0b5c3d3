"""What the back office's search box was given: a case number, a PESEL, a bank id, a phone number, a
card's last four digits, an amount, or words of a name or a merchant (pure: no ORM, no clock).

Names and merchants are compared folded: lower case with the Polish (and a few neighbouring)
diacritics taken off, so "wojcik", "WÓJCIK" and "Wójcik" find one another. The database folds its
column with the same table (``FOLDED_LETTERS``), so both sides agree letter for letter.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Each letter the search treats as its plain Latin letter, upper and lower case.
FOLDED_LETTERS: dict[str, str] = {
    **dict(zip("ąćęłńóśźż", "acelnoszz", strict=True)),
    **dict(zip("ĄĆĘŁŃÓŚŹŻ", "ACELNOSZZ", strict=True)),
    **dict(zip("áäčéěíöřšúüýž", "aaceeiorsuuyz", strict=True)),
    **dict(zip("ÁÄČÉĚÍÖŘŠÚÜÝŽ", "AACEEIORSUUYZ", strict=True)),
}
_FOLD = str.maketrans(FOLDED_LETTERS)

# Words shorter than this cannot be looked up by their letter triples (pg_trgm) alone.
MIN_WORD = 3
MAX_QUERY = 100
MAX_AMOUNT = Decimal("9999999999.99")
# Longer runs of digits are identifiers (a bank id, a phone, a PESEL), not amounts of a card claim.
MAX_AMOUNT_DIGITS = 7

_CASE_NUMBER = re.compile(r"^(?:RK\s*/\s*)?(\d{4})\s*/\s*(\d{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\u00a0\-()]")
_AMOUNT = re.compile(r"^(\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(?:zł|zl|pln)?$", re.IGNORECASE)


def fold(text: str) -> str:
    """``text`` folded for comparison: diacritics of FOLDED_LETTERS taken off, lower case."""
    return text.translate(_FOLD).lower()


@dataclass(frozen=True)
class SearchTerms:
    """Every reading of the query; a query can be read several ways (``1200``: last four or amount)."""

    case_number: str = ""
    pesel: str = ""
    bank_id: str = ""
    phone: str = ""
    last4: str = ""
    amount: Decimal | None = None
    words: tuple[str, ...] = field(default=())
    too_short: bool = False

    @property
    def kinds(self) -> list[str]:
        """The kinds of lookup this query makes, in a fixed order."""
        found = [
            name
            for name in ("case_number", "pesel", "bank_id", "phone", "last4", "amount")
            if getattr(self, name) not in ("", None)
        ]
        return [*found, "name", "merchant"] if self.words else found

    @property
    def text(self) -> str:
        """The folded words as one string (a merchant's name is matched as typed, words in order)."""
        return " ".join(self.words)


def parse_amount(text: str) -> Decimal | None:
    """An amount as analysts type it (``216,08``, ``1 216.08 zł``, ``216``), or None."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        return None
    whole = re.sub(r"[ \u00a0]", "", match.group(1))
    try:
        amount = Decimal(f"{whole}.{match.group(2) or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    return amount if Decimal(0) < amount <= MAX_AMOUNT else None


def _phone(digits: str, plus: bool) -> str:
    if plus:
        return f"+{digits}" if 8 <= len(digits) <= 15 else ""
    if len(digits) == 9:
        return f"+48{digits}"  # a Polish mobile typed without the country code
    if len(digits) == 11 and digits.startswith("48"):
        return f"+{digits}"
    return ""


def parse_query(raw: str) -> SearchTerms:
    """Every reading of a search box query (empty terms when there is nothing to look up)."""
    text = raw.strip()[:MAX_QUERY]
    if not text:
        return SearchTerms()
    number = _CASE_NUMBER.match(text)
    if number is not None:
        return SearchTerms(case_number=f"RK/{number.group(1)}/{int(number.group(2)):06d}")
    compact = _SEPARATORS.sub("", text)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if digits.isdigit():
        return SearchTerms(
            pesel=digits if len(digits) == 11 and not plus else "",
            bank_id=digits if len(digits) == 8 and not plus else "",
            phone=_phone(digits, plus),
            last4=digits if len(digits) == 4 and not plus else "",
            amount=parse_amount(digits) if not plus and len(digits) <= MAX_AMOUNT_DIGITS else None,
        )
    amount = parse_amount(text)
    if amount is not None:
        return SearchTerms(amount=amount)
    words = tuple(word for word in re.split(r"[\s,;]+", fold(text)) if word)
    if not any(len(word) >= MIN_WORD for word in words):
        return SearchTerms(too_short=True)
    return SearchTerms(words=words)
