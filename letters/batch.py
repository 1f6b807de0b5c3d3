"""Render many letters into a directory: the unit of work of a batch (one Celery task, a chunk)."""

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from letters.rendering import render_letter_pdf
from letters.rules import LetterType
from letters.snapshot import LetterSnapshot


@dataclass(frozen=True, slots=True)
class BatchItem:
    """What was written for one letter."""

    reference: str
    path: str
    sha256: str
    template_version: str
    page_count: int
    size: int


def letter_file_name(reference: str) -> str:
    """A file name for a letter reference: ``KB/REK/2025/000006`` → ``KB_REK_2025_000006.pdf``."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", reference).strip("._") + ".pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that a reader never sees half of it, and a retry simply replaces it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_letters_to_directory(
    *, letter_type: LetterType | str, snapshots: Iterable[LetterSnapshot], output_dir: Path
) -> list[BatchItem]:
    """Render each snapshot to ``output_dir/<reference>.pdf``, one letter in memory at a time.

    Idempotent: rendering is deterministic, so running a chunk again rewrites identical files.

    :raises letters.rules.LetterDataError: a snapshot cannot make the letter; the letters before it
        are written, the rest are not.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    items = []
    for snapshot in snapshots:
        rendered = render_letter_pdf(letter_type=letter_type, snapshot=snapshot)
        path = output_dir / letter_file_name(snapshot.reference)
        write_atomically(path, rendered.pdf_bytes)
        items.append(
            BatchItem(
                reference=snapshot.reference,
                path=str(path),
                sha256=rendered.sha256,
                template_version=rendered.template_version,
                page_count=rendered.page_count,
                size=len(rendered.pdf_bytes),
            )
        )
    return items
