"""Render a letter to an archival PDF: the one function the case workflow calls.

    rendered = render_letter_pdf(letter_type=LetterType.DECISION_PARTIALLY_ACCEPTED, snapshot=snapshot)
    rendered.pdf_bytes, rendered.sha256, rendered.template_version, rendered.page_count

The PDF is PDF/A-3b with its fonts embedded, its text extractable, and title, author and language
set. Rendering is deterministic: the same snapshot and template version give the same bytes, so a
stored letter can be proved by rendering it again.

Speed (docs/PERFORMANCE.md, "Letters"): the letter font is a pre-subset copy of DejaVu Sans shipped
in ``letters/assets/fonts``, so the per-render font subsetting is cheap; the font configuration and
the parsed stylesheet are built once per process and reused by every render.
"""

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from django.utils import translation
from fontTools.misc.timeTools import epoch_diff
from fontTools.ttLib import TTFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from letters.context import letter_context
from letters.rules import LetterType, check_letter_data, parse_letter_type
from letters.snapshot import LetterSnapshot
from letters.versioning import ASSETS_DIR, FONTS, STYLESHEET, template_version

# PDF/A-3b: archival, fonts embedded, sRGB output intent. Level 3 (over 2) lets a later step attach
# the data snapshot to the PDF as an associated file without changing anything else.
PDF_VARIANT = "pdf/a-3b"

# Options for every render. Measured on the two-page decision letter (bench/letters_bench.py,
# docs/PERFORMANCE.md): none changes the time beyond the noise; full_fonts takes the PDF from 26.7 kB
# to 62.6 kB and uncompressed_pdf to 93 kB; hinting changes nothing (the letter font carries no
# hinting); optimize_images has nothing to do (no raster images). So: WeasyPrint's defaults.
PDF_OPTIONS = {"pdf_variant": PDF_VARIANT, "full_fonts": False, "hinting": False, "uncompressed_pdf": False}


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    """A rendered letter, ready to be stored immutably next to its snapshot."""

    pdf_bytes: bytes
    sha256: str
    template_version: str
    page_count: int


class _AssetsOnlyFetcher(URLFetcher):
    """Fetch the letter's own assets and nothing else: no network, no file outside letters/assets."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(ASSETS_DIR):
            raise ValueError(f"a letter may only load its own assets, not {url}")
        return super().fetch(url, headers)


class _WithoutFontToolsNotice(logging.Filter):
    """Drop WeasyPrint's per-render notice that it subsets with fontTools (no libharfbuzz-subset).

    With the pre-subset letter font, fontTools subsetting is cheap; the notice would otherwise be
    logged twice for every letter of a 10,000-letter batch.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in str(record.msg)


@dataclass(slots=True)
class _Engine:
    """What every render in this process shares: fonts, the parsed stylesheet, the URL fetcher."""

    font_config: FontConfiguration
    stylesheet: CSS
    url_fetcher: URLFetcher


_engine: _Engine | None = None
_engine_lock = threading.Lock()
_inherited_engines: list[_Engine] = []


def _pin_font_timestamps() -> None:
    """Make subset fonts carry the letter font's own date instead of the time of rendering.

    fontTools stamps every font it saves (WeasyPrint subsets on each render) with the current time
    unless SOURCE_DATE_EPOCH is set (reproducible-builds.org); without this the same letter rendered
    a second later would have other bytes and another SHA-256. A deployment's own value is kept.
    """
    modified = TTFont(FONTS[0], lazy=True)["head"].modified
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(modified + epoch_diff))


def _build_engine() -> _Engine:
    _pin_font_timestamps()
    font_config = FontConfiguration()
    url_fetcher = _AssetsOnlyFetcher(allowed_protocols=("file",), fail_on_errors=True)
    stylesheet = CSS(filename=str(STYLESHEET), font_config=font_config, url_fetcher=url_fetcher)
    return _Engine(font_config=font_config, stylesheet=stylesheet, url_fetcher=url_fetcher)


def _engine_for_this_process() -> _Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _build_engine()
    return _engine


def _forget_parent_engine() -> None:
    """In a forked child (a Celery prefork worker), build a fresh engine instead of the parent's.

    The parent's font configuration holds copies of the fonts in a temporary folder that it deletes
    when it is finalised; the child keeps its copy of that object alive and disowns the folder, so
    that the child never deletes files the parent still uses.
    """
    global _engine
    if _engine is not None:
        _engine.font_config._folder = None  # the folder is the parent's to delete, not ours
        _inherited_engines.append(_engine)
        _engine = None


os.register_at_fork(after_in_child=_forget_parent_engine)
logging.getLogger("weasyprint").addFilter(_WithoutFontToolsNotice())


def render_letter_html(*, letter_type: LetterType | str, snapshot: LetterSnapshot) -> str:
    """The letter as HTML in the customer's language (what the PDF is made from)."""
    kind = parse_letter_type(letter_type)
    check_letter_data(letter_type=kind, snapshot=snapshot)
    with translation.override(snapshot.language):
        return render_to_string(kind.template_name, letter_context(letter_type=kind, snapshot=snapshot))


def render_letter_pdf(*, letter_type: LetterType | str, snapshot: LetterSnapshot) -> RenderedLetter:
    """Render one letter from its snapshot to a PDF/A-3b document.

    :raises letters.rules.LetterDataError: the snapshot cannot make this letter (a missing section,
        a delay notice promising a reply after the extended deadline, a payment date more than 30 days
        after the reply, an unknown letter type...). Nothing is rendered.
    """
    kind = parse_letter_type(letter_type)
    pdf_bytes, page_count = html_to_pdf(render_letter_html(letter_type=kind, snapshot=snapshot))
    return RenderedLetter(
        pdf_bytes=pdf_bytes,
        sha256=hashlib.sha256(pdf_bytes).hexdigest(),
        template_version=template_version(kind),
        page_count=page_count,
    )


def html_to_pdf(html: str, **option_overrides: object) -> tuple[bytes, int]:
    """Letter HTML to PDF bytes and page count with the shared engine (overrides: for the benchmark)."""
    options = {**PDF_OPTIONS, **option_overrides}
    engine = _engine_for_this_process()
    document = HTML(string=html, base_url=str(ASSETS_DIR) + "/", url_fetcher=engine.url_fetcher).render(
        stylesheets=[engine.stylesheet], font_config=engine.font_config, **options
    )
    return document.write_pdf(**options), len(document.pages)
