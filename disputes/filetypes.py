"""What a file really is, judged by its first bytes (magic numbers), never by its name or the browser.

Pure: no Django. Evidence accepts PDF, JPEG and PNG only; an ``.exe`` renamed ``.pdf`` starts with
``MZ``, not ``%PDF-``, and is refused.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FileType:
    """An accepted document type: its MIME type, the extension it is stored under, its signature."""

    content_type: str
    extension: str
    signature: bytes


ACCEPTED = (
    FileType("application/pdf", "pdf", b"%PDF-"),
    FileType("image/png", "png", b"\x89PNG\r\n\x1a\n"),
    FileType("image/jpeg", "jpg", b"\xff\xd8\xff"),
)
# Enough bytes to judge every signature above.
HEAD_BYTES = max(len(kind.signature) for kind in ACCEPTED)


def sniff(head: bytes) -> FileType | None:
    """The accepted type whose signature ``head`` starts with, or None."""
    for kind in ACCEPTED:
        if head.startswith(kind.signature):
            return kind
    return None
