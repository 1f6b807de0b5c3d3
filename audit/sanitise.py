"""Keep card numbers, PINs, one-time codes and passwords out of the audit log. Pure: no Django.

``sanitise`` walks plain JSON data (the output of ``audit.canonical.to_json``) and:

- replaces the value of a secret key (``pin``, ``otp``, ``password``, ``cvv``, ``secret``, an access
  ``token``, an ``sms_code``...) by ``[REDACTED]``; a boolean or null stays (``pin_blocked: true``
  tells nothing), and so does a key that describes a secret without holding it (``token_id``,
  ``pin_attempts``, ``password_changed_at``);
- masks every card number, in any string, key or integer, to its last four digits: a Luhn-valid run
  of 13 to 19 digits, in groups separated by spaces or dashes or not (``kartosfera.card_numbers``,
  the rule the log redaction and the card forms share);
- in free text, removes the digits following a PIN or code word (``PIN: 1234``, ``kod SMS 123456``)
  and the word following ``password:``/``hasło=``;
- leaves a hex digest alone: a string that is all of a SHA-1, SHA-256 or SHA-512 in hex (40, 64 or
  128 hex characters, at least one a-f) is the fingerprint of a file, compared by the auditor with
  ``sha256sum``.

Secrets it errs on the side of removing too much (PCI DSS 3.3-3.4; RULES.md section 6: the PIN never
reaches a log); card numbers are recognised by their checksum, so identifiers and digests stay whole.
"""

import functools
import re
from typing import Any

from kartosfera.card_numbers import replace_card_numbers

REDACTED = "[REDACTED]"
MASK = "*"

# A key word that names a secret: the value of such a key is removed wherever the word stands,
# unless a describing word follows it (below).
_SECRET_WORDS = frozenset(
    {
        "pin",
        "pinblock",
        "otp",
        "totp",
        "hotp",
        "tan",
        "password",
        "passwd",
        "pwd",
        "passcode",
        "passphrase",
        "haslo",
        "hasło",
        "secret",
        "cvv",
        "cvv2",
        "cvc",
        "cvc2",
        "cvn",
        "cav",
        "token",
        "credential",
        "credentials",
        "cookie",
        "authorization",
        "sessionid",
        "apikey",
    }
)
# A word containing one of these is a secret word too (new_password1, csrfmiddlewaretoken).
_SECRET_SUBSTRINGS = ("password", "passwd", "passcode", "secret", "token", "apikey")
# Words that, following a secret word, make the key describe the secret rather than hold it.
_DESCRIBING_WORDS = frozenset(
    {
        "id",
        "ids",
        "pk",
        "count",
        "counter",
        "attempts",
        "tries",
        "status",
        "state",
        "type",
        "kind",
        "at",
        "on",
        "date",
        "changed",
        "set",
        "blocked",
        "locked",
        "required",
        "enabled",
        "verified",
        "valid",
        "expired",
        "expires",
        "expiry",
        "length",
        "policy",
        "reference",
        "ref",
        "device",
        "name",
        "suffix",
        "last4",
    }
)
# "code" holds a secret after these words (sms_code, verification_code) and, alone, when its value
# has a digit (an OTP "123456", not a step code "START"); after any other word (currency_code,
# reason_code, authorisation_code) it does not.
_SECRET_CODE_QUALIFIERS = frozenset(
    {
        "sms",
        "otp",
        "pin",
        "one",
        "time",
        "verification",
        "verify",
        "activation",
        "confirmation",
        "confirm",
        "security",
        "access",
        "reset",
        "recovery",
        "backup",
        "login",
        "signin",
        "mfa",
        "2fa",
        "tfa",
        "auth",
    }
)
# Keys that hold a card number: the value is masked to its last four digits, whatever its length.
_CARD_NUMBER_KEYS = frozenset(
    {("pan",), ("card", "number"), ("cardnumber",), ("primary", "account", "number")}
)
# "<qualifier>_key" holds a secret (api_key, private_key); "key" alone or other keys do not.
_SECRET_KEY_QUALIFIERS = frozenset({"api", "private", "secret", "signing", "encryption", "access", "master"})

_WORD_SPLIT = re.compile(r"[^0-9a-ząćęłńóśźż]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Free text: digits after a PIN/code word ("PIN: 1234", "kod SMS to 123456", "OTP=123456").
_CODE_IN_TEXT = re.compile(
    r"(?P<word>\b(?:pin|otp|tan|cvv2?|cvc2?|passcode|code|kod|kodu|kodem)\b[^0-9.;\n]{0,24}?)(?P<digits>[0-9]{3,8})(?![0-9])",
    re.IGNORECASE,
)
# Free text: the word after "password:" / "hasło=" / "secret:" / "token:".
_PASSWORD_IN_TEXT = re.compile(
    r"(?P<word>\b(?:password|passwd|pwd|hasło|haslo|secret|token|passphrase)\s*[:=]\s*)(?P<value>[^\s,;]+)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def _key_words(key: str) -> tuple[str, ...]:
    # Cached: an entry's keys come from a small vocabulary (field names), its values do not.
    return tuple(word for word in _WORD_SPLIT.split(_CAMEL.sub("_", key).lower()) if word)


def _is_secret_word(word: str) -> bool:
    return (
        word in _SECRET_WORDS
        or word.rstrip("0123456789") in _SECRET_WORDS
        or any(part in word for part in _SECRET_SUBSTRINGS)
    )


def is_card_number_key(key: str) -> bool:
    """Whether ``key`` names a card number (``pan``, ``card_number``, ``cardNumber``)."""
    return _key_words(key) in _CARD_NUMBER_KEYS


def is_secret_key(key: str, value: Any = None) -> bool:
    """Whether the value of ``key`` (``value`` decides for a bare ``code``) must not be stored."""
    verdict = _secret_by_key(key)
    if verdict is None:  # a bare "code": an OTP when its value has a digit, a step code otherwise
        return any(char.isdigit() for char in str(value))
    return verdict


@functools.lru_cache(maxsize=4096)
def _secret_by_key(key: str) -> bool | None:
    """``is_secret_key`` as far as the key alone decides it; None for a bare ``code``."""
    words = _key_words(key)
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if _is_secret_word(word) and following not in _DESCRIBING_WORDS:
            return True
        if word == "key" and index > 0 and words[index - 1] in _SECRET_KEY_QUALIFIERS:
            return True
        if word == "code" and following not in _DESCRIBING_WORDS:
            if index > 0 and words[index - 1] in _SECRET_CODE_QUALIFIERS:
                return True
            if index == 0 and following is None:
                return None
    return False


def _mask_digits(text: str) -> str:
    digits = sum(char.isdigit() for char in text)
    kept = 0
    masked = []
    for char in reversed(text):
        if char.isdigit():
            kept += 1
            masked.append(char if kept <= 4 else MASK)
        else:
            masked.append(char)
    return "".join(reversed(masked)) if digits > 4 else MASK * len(text)


def mask_card_numbers(text: str) -> str:
    """``text`` with every card number masked to its last four digits."""
    return replace_card_numbers(text, _mask_digits)


# A whole string that is a hex digest (SHA-1, SHA-256, SHA-512) with at least one letter in it.
_HEX_DIGEST = re.compile(r"(?=[0-9]*[a-f])(?:[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})", re.IGNORECASE)


# Short texts found clean (nothing to remove) before: an entry repeats its keys, rule ids, dates and
# labels, and every request the same ones. Only clean texts are kept, so no secret stays in memory.
_CLEAN_TEXTS: set[str] = set()
_CLEAN_TEXT_MAX_LENGTH = 200
_CLEAN_TEXTS_MAX = 8192
# Every rule below needs an ASCII digit (a card number, a code) or a label's ":" or "=" (a password):
# text with none of them is left as it is without running them.
_MAY_HOLD_A_SECRET = re.compile(r"[0-9:=]")
# An integer below 13 digits cannot be a card number.
_SHORTER_THAN_A_CARD_NUMBER = 10**12


def sanitise_text(text: str) -> str:
    """Free text without card numbers, the digits of a PIN or code, or a password after its label."""
    if not _MAY_HOLD_A_SECRET.search(text) or text in _CLEAN_TEXTS:
        return text
    cleared = _sanitise_text(text)
    if cleared == text and len(text) <= _CLEAN_TEXT_MAX_LENGTH:
        if len(_CLEAN_TEXTS) >= _CLEAN_TEXTS_MAX:
            _CLEAN_TEXTS.clear()
        _CLEAN_TEXTS.add(text)
    return cleared


def _sanitise_text(text: str) -> str:
    if _HEX_DIGEST.fullmatch(text):
        return text
    text = _PASSWORD_IN_TEXT.sub(lambda match: match.group("word") + REDACTED, text)
    text = _CODE_IN_TEXT.sub(lambda match: match.group("word") + REDACTED, text)
    return mask_card_numbers(text)


def _sanitise_item(key: str, value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if is_card_number_key(key):
        return _mask_digits(str(value)) if isinstance(value, str | int) else sanitise(value)
    if is_secret_key(key, value):
        return REDACTED
    return sanitise(value)


def sanitise(value: Any) -> Any:
    """Plain JSON data with secrets removed and card numbers masked (see the module docstring)."""
    if isinstance(value, str):
        return sanitise_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if -_SHORTER_THAN_A_CARD_NUMBER < value < _SHORTER_THAN_A_CARD_NUMBER:
            return value
        text = str(value)
        masked = mask_card_numbers(text)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {sanitise_text(key): _sanitise_item(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [sanitise(item) for item in value]
    return value
