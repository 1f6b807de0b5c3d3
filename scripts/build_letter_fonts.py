"""Build the letter font "Kartosfera Sans" from DejaVu Sans: a pre-subset, renamed copy.

WeasyPrint subsets every font it embeds on every render. Subsetting DejaVu Sans (6,253 glyphs, hinted)
costs about 0.2 s a page; subsetting this copy, which holds only the glyphs a letter can contain,
costs a small fraction of that. The copy is renamed because the Bitstream Vera and Arev licences
allow modified copies only under a name without "Bitstream", "Vera", "Tavmjong Bah" or "Arev"; the
licence text travels with it (letters/assets/fonts/LICENSE-DejaVu.txt) and in its own name table.

Run once when the character set changes, and commit the result:

    .venv/bin/python scripts/build_letter_fonts.py [/path/to/dejavu/folder]

The output is deterministic for a given DejaVu release and fontTools version.
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "letters" / "assets" / "fonts"
DEFAULT_SOURCE_DIR = Path("/usr/share/fonts/truetype/dejavu")

FAMILY = "Kartosfera Sans"
SOURCES = {"Regular": "DejaVuSans.ttf", "Bold": "DejaVuSans-Bold.ttf"}

# Every character a letter may contain. Names and addresses of EU customers are in Latin script:
# Basic Latin, Latin-1 (German, French, Scandinavian...), Latin Extended-A (Polish, Czech,
# Hungarian...), the Romanian comma-below letters; plus the typography of a Polish letter.
# Anything else still renders: the letter stylesheet falls back to DejaVu Sans for it.
UNICODE_RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement: no-break space, §, «», ×, accented letters
    (0x0100, 0x017F),  # Latin Extended-A: ą ć ę ł ń ś ź ż and the rest of Central Europe
    (0x0218, 0x021B),  # Ș ș Ț ț (Romanian)
    (0x02C6, 0x02C7),  # modifier circumflex, caron
    (0x02D8, 0x02DD),  # breve, dot above, ring, ogonek, small tilde, double acute
    (0x2002, 0x200B),  # en/em/thin/hair/figure spaces, zero-width space
    (0x2010, 0x2027),  # hyphens, dashes, quotes „ ” ‚ ’ « », †, •, …, and so on
    (0x202F, 0x202F),  # narrow no-break space (babel's grouping separator in some locales)
    (0x2030, 0x203A),  # per mille, primes, single guillemets
    (0x2044, 0x2044),  # fraction slash
    (0x20AC, 0x20AC),  # €
    (0x2116, 0x2116),  # numero sign
    (0x2122, 0x2122),  # trade mark
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x25A0, 0x25A1),  # squares (check boxes)
]


def unicodes() -> list[int]:
    """Every code point the letter font must cover."""
    return [code for start, end in UNICODE_RANGES for code in range(start, end + 1)]


def rename(font: TTFont, style: str) -> None:
    """Give the font its own family name; keep the copyright and licence records as they are."""
    full_name = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    postscript = f"{FAMILY.replace(' ', '')}-{style}"
    names = {
        1: FAMILY,
        2: style,
        3: f"Kartosfera: {postscript} (from DejaVu Sans 2.37)",
        4: full_name,
        6: postscript,
        16: FAMILY,
        17: style,
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (11, 14):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English (US)
        table.setName(value, name_id, 1, 0, 0)  # Macintosh, Roman, English
    table.setName(
        "Derived from DejaVu Sans, which is (c) Bitstream and Tavmjong Bah; see the licence.", 10, 3, 1, 0x409
    )


def build(source_dir: Path) -> list[Path]:
    """Subset and rename each style; return the files written."""
    options = subset.Options()
    options.hinting = False  # WeasyPrint drops hinting on embedding anyway (hinting=False)
    # fontTools, which WeasyPrint subsets with when libharfbuzz-subset is missing, decompiles GSUB and
    # GPOS on every render before dropping them: about 45 ms a font with them, 16 ms without
    # (docs/PERFORMANCE.md). Kerning is kept in the legacy 'kern' table, which HarfBuzz applies when
    # there is no GPOS; the only GSUB feature lost is the fi/fl ligature, which also makes the
    # extracted text plainer.
    options.drop_tables += ["FFTM", "MATH", "GSUB", "GPOS", "GDEF"]
    options.legacy_kern = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False  # deterministic output
    written = []
    FONT_DIR.mkdir(parents=True, exist_ok=True)
    for style, file_name in SOURCES.items():
        font = TTFont(source_dir / file_name, recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes())
        subsetter.subset(font)
        rename(font, style)
        target = FONT_DIR / f"KartosferaSans-{style}.ttf"
        font.save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE_DIR):
        font = TTFont(path)
        print(f"{path.relative_to(ROOT)}: {len(font.getGlyphOrder())} glyphs, {path.stat().st_size} bytes")
