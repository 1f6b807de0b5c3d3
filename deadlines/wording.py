"""A stored deadline explanation as a person reads it: its dates and instants in words, in the reader's
language, instants in Warsaw time (RULES.md section 2).

The explanation is stored with the case and in the audit log as the engine wrote it (``deadlines.steps``:
ISO dates, the end as an ISO instant), and that record stays as it is; this rewrites it only when it is
shown (the case page, the deadlines export), so a case computed before this wording reads the same way
as a new one.
"""

import re
from datetime import date, datetime
from functools import lru_cache

from kartosfera.formatting import format_long_date, format_moment, language_code

_INSTANT = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})"
# "i.e. before <the Warsaw midnight ending the due day> (midnight, Europe/Warsaw)", as steps.due_step says it.
_MIDNIGHT = {
    "en": re.compile(rf"i\.e\. before (?P<at>{_INSTANT}) \(midnight, Europe/Warsaw\)"),
    "pl": re.compile(rf"tj\. przed (?P<at>{_INSTANT}) \(północ czasu warszawskiego\)"),
}
_MIDNIGHT_TEXT = {
    "en": "i.e. before midnight at the start of {day}, Warsaw time",
    "pl": "tj. przed północą rozpoczynającą dzień {day} (czasu warszawskiego)",
}
_ANY_INSTANT = re.compile(_INSTANT)
_DATE = re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d:T])")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# Each date or instant in words, once per language: the same days recur in explanation after
# explanation (an export writes two per deadline row), and babel takes ~50 µs a date.
@lru_cache(maxsize=8192)
def _midnight_words(at: str, lang: str) -> str:
    return _MIDNIGHT_TEXT[lang].format(day=format_long_date(_instant(at), language=lang))


@lru_cache(maxsize=8192)
def _instant_words(at: str, lang: str) -> str:
    return format_moment(_instant(at), language=lang)


@lru_cache(maxsize=8192)
def _day_words(text: str, lang: str) -> str:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return text
    return format_long_date(value, language=lang)


def readable_explanation(text: str, *, language: str | None = "pl") -> str:
    """``text`` (an explanation or a step in ``language``) with every ISO date and instant in words:
    ``termin upływa z końcem dnia 7 grudnia 2026 (poniedziałek), tj. przed północą rozpoczynającą dzień
    8 grudnia 2026 (czasu warszawskiego)``. Text without ISO dates comes back unchanged."""
    return _readable(text, language_code(language))


# Whole explanations recur too: every claim received on one day has the same D+1 refund explanation.
@lru_cache(maxsize=4096)
def _readable(text: str, lang: str) -> str:
    text = _MIDNIGHT[lang].sub(lambda match: _midnight_words(match["at"], lang), text)
    text = _ANY_INSTANT.sub(lambda match: _instant_words(match[0], lang), text)
    return _DATE.sub(lambda match: _day_words(match[0], lang), text)
