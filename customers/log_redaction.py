"""Keep one-time passwords, PINs and card numbers out of every log line. Pure: no Django.

The first defence is never to hand a secret to a logger; this filter is the second. It rewrites the
message of every record that passes a handler it is attached to (settings.LOGGING):

- anything that could be a card number (13+ digits, the pattern of ``cards.rules``) becomes
  ``[card number removed]``;
- a standalone group of exactly six digits, the shape of a one-time password, becomes ``[removed]``;
- ``pin=1234``, ``"code": "123456"``, ``old_password: ...``: any key naming a PIN, code, OTP or
  password loses its value.
"""

import logging
import re

from cards.rules import PAN_LIKE_PATTERN

# The shortest card number has 13 digits, the longest 19: take all of it. A decimal number with a
# short whole part ("succeeded in 0.016555837999987943s", Celery's task runtimes) is matched first, as
# a whole, and kept: its fraction is no card number.
_PAN_LIKE = re.compile(
    r"(?P<decimal>(?<![0-9])[0-9]{1,12}\.[0-9]+)|" + PAN_LIKE_PATTERN + r"(?:[ -]?[0-9]){0,6}"
)
# Not after a dot: the microseconds of a timestamp are not a code.
_SIX_DIGITS = re.compile(r"(?<![0-9.])[0-9]{6}(?![0-9])")
_SECRET_VALUE = re.compile(
    r"""(?P<key>\b\w*(?:pin|otp|code|password)\w*['"]?\s*[:=]\s*)"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s,;&}\]]+)""",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with card numbers, six-digit codes and the values of secret fields removed."""
    text = _SECRET_VALUE.sub(lambda match: match.group("key") + "[removed]", text)
    text = _PAN_LIKE.sub(lambda match: match.group("decimal") or "[card number removed]", text)
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
