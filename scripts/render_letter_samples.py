"""Render every letter type from the sample case to docs/letters/<type>.pdf and its first page to PNG.

    .venv/bin/python scripts/render_letter_samples.py [--language pl|en]

Needs pdftoppm (Debian: poppler-utils) for the PNGs; the PDFs are written without it.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kartosfera.settings")

import django  # noqa: E402
from PIL import Image  # noqa: E402

django.setup()

from demo.letter_samples import sample_snapshot  # noqa: E402
from letters.rendering import render_letter_pdf  # noqa: E402
from letters.rules import LetterType  # noqa: E402

OUTPUT = ROOT / "docs" / "letters"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=("pl", "en"), default="pl")
    language = parser.parse_args().language
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm not found (apt-get install poppler-utils): writing the PDFs only", file=sys.stderr)
    suffix = "" if language == "pl" else f"-{language}"
    for letter_type in LetterType:
        name = f"{letter_type.value.lower()}{suffix}"
        rendered = render_letter_pdf(
            letter_type=letter_type, snapshot=sample_snapshot(letter_type, language=language)
        )
        pdf = OUTPUT / f"{name}.pdf"
        pdf.write_bytes(rendered.pdf_bytes)
        if pdftoppm:
            png = OUTPUT / f"{name}-1.png"
            first_page = [pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"]
            subprocess.run([*first_page, str(pdf), str(png.with_suffix(""))], check=True)  # noqa: S603
            # A 64-colour palette keeps the text and the few brand colours crisp at a fraction of the size.
            with Image.open(png) as image:
                small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
            small.save(png, optimize=True)
        print(f"{pdf.relative_to(ROOT)}: {rendered.page_count} page(s), sha256 {rendered.sha256[:16]}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
