"""Row ids as they arrive in forms and URLs. Pure: no Django.

A database row id is a positive 64-bit signed integer; a bigger number typed into a form or posted by
hand is refused as invalid here, never handed to the database to overflow (a server error).
"""

MAX_ID = 2**63 - 1


def parse_id(value: object) -> int:
    """The row id ``value`` names.

    :raises ValueError: not a whole number from 1 to ``MAX_ID``.
    """
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"not a row id: {value!r}")
    number = int(text)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"not a row id: {value!r}")
    return number
