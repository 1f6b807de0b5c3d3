"""Evidence is judged by its bytes (PDF, JPEG, PNG only), within the size limit; a refusal changes nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disputes import filetypes
from disputes.models import CaseEvent, EvidenceKind
from disputes.services import (
    EvidenceEmpty,
    EvidenceTooLarge,
    EvidenceTypeNotAllowed,
    case_add_evidence,
)
from tests.disputes.conftest import RECEIVED_AT
from tests.disputes.helpers import snapshot

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
PDF = b"%PDF-1.7\n" + b"x" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (EXE, None),
        (b"GIF89a", None),
        (b"%PDF", None),
        (b"", None),
        (b"<html>%PDF-", None),
    ],
)
def test_sniff_judges_the_first_bytes(head, expected):
    found = filetypes.sniff(head)

    assert (found.content_type if found else None) == expected


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [("scan.pdf", PDF, "pdf"), ("photo.jpeg", JPEG, "jpg"), ("zdjecie.pdf", PNG, "png")],
)
def test_accepted_types_are_stored_under_the_type_they_really_are(case, theft, name, content, stored):
    evidence = case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.POLICE_REPORT,
        file=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        actor=theft.user,
        now=RECEIVED_AT,
    )

    assert evidence.file.name == f"evidence/{case.pk}/{evidence.sha256}.{stored}"
    assert evidence.content_type == filetypes.sniff(content).content_type
    assert evidence.original_name == name


@pytest.mark.parametrize(
    ("content", "error"),
    [(EXE, EvidenceTypeNotAllowed), (b"", EvidenceEmpty), (PDF + b"x" * 100, EvidenceTooLarge)],
    ids=["exe-renamed-pdf", "empty", "over-the-limit"],
)
def test_a_disguised_empty_or_oversized_file_is_refused_and_nothing_changes(
    case, theft, settings, content, error
):
    settings.DISPUTES_EVIDENCE_MAX_BYTES = 100
    before = snapshot(case)

    with pytest.raises(error) as refusal:
        case_add_evidence(
            case_id=case.pk,
            kind=EvidenceKind.CUSTOMER_DOCUMENT,
            file=SimpleUploadedFile("faktura.pdf", content, content_type="application/pdf"),
            actor=theft.user,
            now=RECEIVED_AT,
        )

    assert snapshot(case) == before
    assert not case.evidence.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.EVIDENCE_ADDED).exists()
    assert refusal.value.code == error.code


def test_the_size_limit_is_stated_in_words(case, theft, settings):
    settings.DISPUTES_EVIDENCE_MAX_BYTES = 5 * 1024 * 1024

    with pytest.raises(EvidenceTooLarge) as refusal:
        case_add_evidence(
            case_id=case.pk,
            kind=EvidenceKind.CUSTOMER_DOCUMENT,
            file=SimpleUploadedFile("big.pdf", PDF + b"x" * (5 * 1024 * 1024)),
            actor=theft.user,
            now=RECEIVED_AT,
        )

    assert refusal.value.message_in("en") == "The file is too large: a file can be at most 5 MB."


def test_a_failure_after_the_file_is_written_leaves_neither_row_nor_file(case, theft, monkeypatch, settings):
    from disputes.services import _evidence

    def history_write_fails(*args, **kwargs):
        raise RuntimeError("the history row could not be written")

    monkeypatch.setattr(_evidence, "add_event", history_write_fails)
    before = snapshot(case)

    with pytest.raises(RuntimeError):
        case_add_evidence(
            case_id=case.pk,
            kind=EvidenceKind.POLICE_REPORT,
            file=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
            actor=theft.user,
            now=RECEIVED_AT,
        )

    assert snapshot(case) == before
    assert not case.evidence.exists()
    folder = Path(settings.MEDIA_ROOT) / "evidence" / str(case.pk)
    assert not folder.exists() or list(folder.iterdir()) == []
