"""The pre-subset letter font must not lose a glyph: what goes in comes out of the PDF as text."""

from dataclasses import replace

from fontTools.ttLib import TTFont

from demo.letter_samples import sample_snapshot
from letters.rendering import render_letter_pdf
from letters.rules import LetterType
from letters.versioning import FONTS

POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
TYPOGRAPHY = "€ „cytat” ‚pół’ – — … • § № ™ × ÷ ± ° ½ « » 1 234,56 zł"
CENTRAL_EUROPE = "Dvořák Őrség Šťastný Ščerba Grünwald Ærøskøbing Ştefănescu Țară"


def _letter_saying(text: str):
    snapshot = sample_snapshot(LetterType.DECISION_PARTIALLY_ACCEPTED)
    return replace(snapshot, decision=replace(snapshot.decision, factual_grounds=text))


def test_every_polish_letter_and_the_typography_come_out_of_the_pdf(readback):
    text = f"{POLISH} {TYPOGRAPHY} {CENTRAL_EUROPE}"

    pdf = readback(
        render_letter_pdf(
            letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=_letter_saying(text)
        ).pdf_bytes
    )

    assert pdf.says(text)
    assert [char for char in POLISH + "€„”" if char not in pdf.text] == []


def test_the_pdf_embeds_only_the_project_font(readback):
    pdf = readback(
        render_letter_pdf(
            letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=_letter_saying(POLISH + TYPOGRAPHY)
        ).pdf_bytes
    )

    assert pdf.fonts == {("Kartosfera-Sans", True), ("Kartosfera-Sans-Bold", True)}


def test_a_character_outside_the_letter_font_falls_back_and_is_not_lost(readback):
    # A Ukrainian customer's name in Cyrillic: not in Kartosfera Sans; DejaVu Sans has it.
    name = "Олена Шевченко"

    pdf = readback(
        render_letter_pdf(
            letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=_letter_saying(name)
        ).pdf_bytes
    )

    assert pdf.says(name)
    assert all(embedded for _, embedded in pdf.fonts)
    assert len(pdf.fonts) > 2


def test_the_letter_font_is_renamed_and_covers_the_polish_alphabet():
    for path in FONTS:
        font = TTFont(path)
        names = {record.nameID: record.toUnicode() for record in font["name"].names if record.platformID == 3}
        cmap = font.getBestCmap()

        assert names[1] == "Kartosfera Sans"
        assert "DejaVu" not in names[1] and "Vera" not in names[4] and "Bitstream" not in names[6]
        assert [char for char in POLISH + "€„”–—•" if ord(char) not in cmap] == []
        assert len(font.getGlyphOrder()) < 500  # the point of shipping it: cheap to subset per render
