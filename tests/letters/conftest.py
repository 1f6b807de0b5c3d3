"""Fixtures for reading rendered letters back with pypdf."""

import io
import re
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from demo.letter_samples import sample_snapshot
from letters.rules import LetterType

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def _normalise(text: str) -> str:
    # babel puts no-break spaces in amounts ("1 234,56 zł"); lines wrap anywhere in a sentence.
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


@dataclass
class PdfReadback:
    """What a reader of the PDF sees: text, fonts, metadata."""

    text: str
    fonts: set[tuple[str, bool]]
    pdfa: dict[str, str]
    info: dict[str, str]
    lang: str | None
    page_count: int

    def says(self, sentence: str) -> bool:
        """Whether the text contains the sentence, whitespace normalised."""
        return _normalise(sentence) in self.text


def read_pdf(pdf_bytes: bytes) -> PdfReadback:
    """Read a PDF back: its text (normalised), fonts, PDF/A identification and metadata."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add((str(font["/BaseFont"]).split("+", 1)[-1], embedded))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    packet = xmp.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0]
    rdf = ElementTree.fromstring(packet)  # noqa: S314 (our own renderer's XMP, not untrusted input)
    pdfa = {
        name: element.attrib[PDFAID + name]
        for element in rdf.iter()
        for name in ("part", "conformance")
        if PDFAID + name in element.attrib
    }
    lang = reader.trailer["/Root"].get("/Lang")
    return PdfReadback(
        text=_normalise(" ".join(page.extract_text() for page in reader.pages)),
        fonts=fonts,
        pdfa=pdfa,
        info={key: str(value) for key, value in (reader.metadata or {}).items()},
        lang=str(lang) if lang is not None else None,
        page_count=len(reader.pages),
    )


@pytest.fixture
def readback():
    """``readback(pdf_bytes)`` → PdfReadback."""
    return read_pdf


@pytest.fixture
def partial_decision_snapshot():
    """Polish customer, 3 transactions, partly accepted: 212,71 zł at 4,2541 (099/A/NBP/2025)."""
    return sample_snapshot(LetterType.DECISION_PARTIALLY_ACCEPTED)
