"""The Polish catalogue speaks to every customer and member of staff, not only to men: a past-tense
or conditional form in the second person carries its feminine ending too ("wykonałeś(-aś)")."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "pl" / "LC_MESSAGES" / "django.po"
# "wykonałeś", "zauważyłeś", "powinieneś" not followed by "(-aś)": the masculine form alone.
MASCULINE_ONLY = re.compile(r"\w+(?:łeś|eneś)\b(?!\(-)")
# The customer's bank account is "rachunek", as in the letters; "konto" is only the portal sign-in.
ACCOUNT_AS_KONTO = re.compile(r"\bkon(?:to|ta|cie|tem)\b(?! w portalu)", re.IGNORECASE)


def _polish_texts() -> list[str]:
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="pl")
    return [
        text or ""
        for message in catalogue
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
    ]


def test_no_polish_text_addresses_only_men():
    texts = _polish_texts()

    assert texts, "the Polish catalogue was read"
    assert [found for text in texts for found in MASCULINE_ONLY.findall(text)] == []


def test_the_customers_bank_account_is_always_rachunek_never_konto():
    texts = _polish_texts()

    assert texts, "the Polish catalogue was read"
    assert [text for text in texts if ACCOUNT_AS_KONTO.search(text)] == []
    assert ACCOUNT_AS_KONTO.search("Oddamy 5 zł na Twoje konto") is not None
    assert ACCOUNT_AS_KONTO.search("Załóż konto w portalu. Kontakt") is None


def test_the_pattern_tells_the_masculine_form_alone_from_the_form_for_everyone():
    assert MASCULINE_ONLY.findall("Jeśli uważasz, że powinieneś je mieć") == ["powinieneś"]
    assert MASCULINE_ONLY.findall("których nie wykonałeś(-aś)") == []


def test_every_message_with_a_named_placeholder_is_marked_python_format():
    # msgfmt --check compares the placeholders of msgid and msgstr only for entries so marked, and
    # babel's reader adds the flag by itself, so the entries are read as written.
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")
    unmarked = [
        entry
        for entry in entries
        if re.search(r"%\(\w+\)[sdif]", _msgid(entry))
        and not any(line.startswith("#,") and "python-format" in line for line in entry.splitlines())
    ]

    assert unmarked == []


def _msgid(entry: str) -> str:
    """The msgid (and msgid_plural) lines of one catalogue entry, joined."""
    kept, inside = [], False
    for line in entry.splitlines():
        if line.startswith(("msgid ", "msgid_plural ")):
            inside = True
        elif line.startswith(("msgstr", "msgctxt", "#")):
            inside = False
        if inside:
            kept.append(line)
    return "".join(kept)
