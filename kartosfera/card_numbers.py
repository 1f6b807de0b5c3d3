"""Card numbers (PANs): the one place that says what looks like one and what is one. Pure: no Django.

Two questions, one owner:

- ``CARD_NUMBER_SHAPE``: thirteen digits in a row, optionally separated by single spaces or dashes,
  the shortest card number there is. What we *store* must not have this shape (a database check
  constraint, which cannot compute a checksum, and the forms that refuse such text before it gets
  there: ``looks_like_card_number``).
- ``card_number_spans``: the runs of 13 to 19 digits (single spaces or dashes between groups allowed)
  whose Luhn checksum holds: real card numbers. What we *write down* (log lines, audit entries) loses
  exactly these and nothing else, so a Celery task id, a UUID, a SHA-256 digest, a timestamp, an
  amount, a PESEL or an account number stays readable. A run glued to letters or digits (inside a
  hex digest, a UUID's groups, the fraction of a decimal number) is part of something else, not a
  card number.
"""

import re
from collections.abc import Callable

CARD_NUMBER_SHAPE = r"[0-9]([ -]?[0-9]){12}"
MIN_DIGITS, MAX_DIGITS = 13, 19

_SHAPE = re.compile(CARD_NUMBER_SHAPE)
# A maximal run of digit groups separated by one space or dash, standing on its own: not after a
# letter or digit (nor after one and a dash, as a UUID's groups are, nor after a decimal point), and
# not followed by one (nor by a dash and one, nor by a decimal point and a digit).
_RUN = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9A-Za-z]-)(?<![0-9]\.)"
    r"[0-9]+(?:[ -][0-9]+)*"
    r"(?![0-9A-Za-z])(?!-[0-9A-Za-z])(?!\.[0-9])"
)
_GROUP = re.compile(r"[0-9]+")


def looks_like_card_number(text: str) -> bool:
    """Whether ``text`` holds something shaped like a card number (refused before it is stored)."""
    return bool(_SHAPE.search(text))


def luhn_valid(digits: str) -> bool:
    """Whether the Luhn checksum of a string of digits holds (every payment card number's does)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card_number(digits: str) -> bool:
    return MIN_DIGITS <= len(digits) <= MAX_DIGITS and luhn_valid(digits)


def _printed_like_a_card(groups: list[str]) -> bool:
    """One group of digits, or groups as cards print them (4-4-4-4, 4-6-5, 4-4-4-4-3): the first of
    four digits, each of three to six (a UUID's 8-4-4-4-12 is not)."""
    if len(groups) == 1:
        return True
    return len(groups[0]) == 4 and all(3 <= len(group) <= 6 for group in groups)


def card_number_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a card number: (start, end) of each Luhn-valid 13-19 digit run, in order.

    A run of digit groups is searched, from the left, for the longest stretch of whole groups that
    is printed like a card number and whose checksum holds: a card number followed by its expiry
    year, or two numbers in a row, give the card number alone.
    """
    spans = []
    for run in _RUN.finditer(text):
        offset = run.start()
        groups = [(offset + match.start(), offset + match.end()) for match in _GROUP.finditer(run.group())]
        if sum(end - start for start, end in groups) < MIN_DIGITS:
            continue
        first = 0
        while first < len(groups):
            found = None
            for last in range(len(groups) - 1, first - 1, -1):
                stretch = [text[start:end] for start, end in groups[first : last + 1]]
                if _printed_like_a_card(stretch) and _is_card_number("".join(stretch)):
                    found = last
                    break
            if found is None:
                first += 1
            else:
                spans.append((groups[first][0], groups[found][1]))
                first = found + 1
    return spans


def replace_card_numbers(text: str, replacement: Callable[[str], str]) -> str:
    """``text`` with each card number (``card_number_spans``) replaced by ``replacement(number)``."""
    spans = card_number_spans(text)
    if not spans:
        return text
    parts, position = [], 0
    for start, end in spans:
        parts += [text[position:start], replacement(text[start:end])]
        position = end
    parts.append(text[position:])
    return "".join(parts)
