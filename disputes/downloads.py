"""A claim's document as a download, for the portal's and the back office's download views alike."""

from django.http import FileResponse

from disputes.models import Evidence


def evidence_attachment(evidence: Evidence) -> FileResponse:
    """The document as an attachment (never rendered inline from our origin), under the customer's file
    name, with the type sniffed from its content at upload (never one guessed from that name)."""
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
