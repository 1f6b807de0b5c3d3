"""Keep one-time passwords, PINs and card numbers out of every log line. Pure: no Django.

The first defence is never to hand a secret to a logger; this filter is the second. It rewrites the
message of every record that passes a handler it is attached to (settings.LOGGING):

- a card number (a Luhn-valid run of 13 to 19 digits, ``kartosfera.card_numbers``) becomes
  ``[card number removed]``;
- a standalone group of exactly six digits, the shape of a one-time password, becomes ``[removed]``;
- ``pin=1234``, ``"code": "123456"``, ``old_password: ...``: any key naming a PIN, code, OTP or
  password loses its value.

Nothing else: a Celery task id, a UUID, a SHA-256 digest, a timestamp or an amount stays as it was,
so that an operator can match a log line to a task or a file.
"""

import logging
import re

from kartosfera.card_numbers import replace_card_numbers

# Standalone: not inside a word, a hex digest or a UUID, not the microseconds of a timestamp.
_SIX_DIGITS = re.compile(r"(?<![0-9A-Za-z.])[0-9]{6}(?![0-9A-Za-z])")
_SECRET_VALUE = re.compile(
    r"""(?P<key>\b\w*(?:pin|otp|code|password)\w*['"]?\s*[:=]\s*)"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s,;&}\]]+)""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with card numbers, six-digit codes and the values of secret fields removed."""
    text = _SECRET_VALUE.sub(lambda match: match.group("key") + "[removed]", text)
    text = replace_card_numbers(text, lambda _number: "[card number removed]")
    return _SIX_DIGITS.sub("[removed]", text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that rewrites each record's message with :func:`redact` (and never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what is there, redacted
            message = str(record.msg)
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = cleaned, None
        return True
