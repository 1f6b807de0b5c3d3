"""The Polish catalogue speaks to every customer and member of staff, not only to men: a past-tense
or conditional form in the second person carries its feminine ending too ("wykonałeś(-aś)")."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "pl" / "LC_MESSAGES" / "django.po"
# "wykonałeś", "zauważyłeś", "powinieneś" not followed by "(-aś)": the masculine form alone.
MASCULINE_ONLY = re.compile(r"\w+(?:łeś|eneś)\b(?!\(-)")


def test_no_polish_text_addresses_only_men():
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="pl")
    texts = [
        text
        for message in catalogue
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
    ]

    assert texts, "the Polish catalogue was read"
    assert [found for text in texts for found in MASCULINE_ONLY.findall(text or "")] == []


def test_the_pattern_tells_the_masculine_form_alone_from_the_form_for_everyone():
    assert MASCULINE_ONLY.findall("Jeśli uważasz, że powinieneś je mieć") == ["powinieneś"]
    assert MASCULINE_ONLY.findall("których nie wykonałeś(-aś)") == []
