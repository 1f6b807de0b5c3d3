"""Evidence on a case: the file checked for what it really is, stored, and recorded in the case history."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files import File

from disputes import filetypes
from disputes.models import (
    CUSTOMER_EVIDENCE_KINDS,
    FINISHED_STATES,
    Case,
    CaseEvent,
    Evidence,
    EvidenceKind,
    present,
)
from disputes.services._access import (
    Actor,
    is_own_case,
    lock_case,
    require_staff,
)
from disputes.services._audit import CaseAudit, case_atomic
from disputes.services._errors import (
    ActionNotPermitted,
    EvidenceEmpty,
    EvidenceInvalid,
    EvidenceTooLarge,
    EvidenceTypeNotAllowed,
    InvalidCaseState,
)
from disputes.services._history import add_event
from disputes.services._text import case_text
from kartosfera.authz import HANDLE_CASE


def case_add_evidence(
    *, case_id: int, kind: str, file: "File[bytes]", actor: Actor, now: datetime, description: str = ""
) -> Evidence:
    """Attach a document to the case (stored under MEDIA_ROOT/evidence/, with its SHA-256).

    Customers add police reports and their own documents; the notice to law enforcement and the
    delay notice are the bank's, added by staff. The same file twice is one piece of evidence.

    :raises CaseNotFound: :raises ActionNotPermitted: :raises InvalidCaseState: the case is finished.
    The type is judged from the file's first bytes (PDF, JPEG, PNG), never from its name or the
    browser's word, and the file is stored under the extension of the type it really is.

    :raises EvidenceInvalid: unknown kind. :raises EvidenceEmpty: :raises EvidenceTooLarge: over
        ``DISPUTES_EVIDENCE_MAX_BYTES``. :raises EvidenceTypeNotAllowed: not a PDF, JPEG or PNG.
    :raises CaseTextTooLong: a description longer than the evidence holds.
    """
    description = case_text(Evidence, "description", description.strip())
    if kind not in EvidenceKind.values:
        raise EvidenceInvalid(f"unknown kind {kind!r}", problem=kind)
    checked = evidence_check(file)
    stored: list[str] = []
    try:
        with case_atomic() as audit:
            case = lock_case(case_id, actor)
            if not is_own_case(case, actor):
                require_staff(actor, HANDLE_CASE)
            elif kind not in CUSTOMER_EVIDENCE_KINDS:
                raise ActionNotPermitted(f"customers do not add {kind}")
            if case.state in FINISHED_STATES:
                raise InvalidCaseState("add_evidence", state=case.get_state_display())
            evidence = evidence_store(
                case,
                kind=kind,
                file=file,
                checked=checked,
                description=description,
                actor=actor,
                now=now,
                stored=stored,
                audit=audit,
            )
    except BaseException:
        evidence_discard(stored)
        raise
    return evidence


@dataclass(frozen=True)
class CheckedFile:
    """An uploaded file read through once: its digest, its size and the type its first bytes show."""

    sha256: str
    size: int
    file_type: filetypes.FileType


def evidence_check(file: "File[bytes]") -> CheckedFile:
    """Read an upload once: refuse it unless it is a PDF, JPEG or PNG within the size limit.

    :raises EvidenceEmpty, EvidenceTooLarge, EvidenceTypeNotAllowed:
    """
    limit = settings.DISPUTES_EVIDENCE_MAX_BYTES
    if (getattr(file, "size", None) or 0) > limit:  # refuse before reading a huge upload
        raise EvidenceTooLarge("file too large", limit=_size_in_words(limit))
    digest, size, head = hashlib.sha256(), 0, b""
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
        size += len(chunk)
        if len(head) < filetypes.HEAD_BYTES:
            head += chunk[: filetypes.HEAD_BYTES - len(head)]
    file.seek(0)
    if size == 0:
        raise EvidenceEmpty("empty file")
    if size > limit:
        raise EvidenceTooLarge("file too large", limit=_size_in_words(limit))
    file_type = filetypes.sniff(head)
    if file_type is None:
        raise EvidenceTypeNotAllowed(f"content starts with {head[:8]!r}")
    return CheckedFile(digest.hexdigest(), size, file_type)


def evidence_store(
    case: Case,
    *,
    kind: str,
    file: "File[bytes]",
    checked: CheckedFile,
    description: str,
    actor: Actor,
    now: datetime,
    stored: list[str],
    audit: CaseAudit,
) -> Evidence:
    """Store a checked file as evidence of the locked case (the same bytes twice are one piece).

    The name of the file written is appended to ``stored``, for ``evidence_discard`` on a rollback.
    """
    existing = case.evidence.filter(sha256=checked.sha256).first()
    if existing is not None:
        return existing
    name = (getattr(file, "name", "") or "document").rsplit("/", 1)[-1][:200]
    evidence = Evidence(
        case=case,
        kind=kind,
        sha256=checked.sha256,
        original_name=name,
        size=checked.size,
        content_type=checked.file_type.content_type,
        description=description.strip(),
        uploaded_at=now,
        uploaded_by=actor,
    )
    evidence.file.save(f"{checked.sha256}.{checked.file_type.extension}", file, save=False)
    stored.append(present(evidence.file.name, "file name"))
    evidence.save()
    add_event(
        case,
        CaseEvent.Kind.EVIDENCE_ADDED,
        actor=actor,
        now=now,
        data={"evidence": evidence.pk, "kind": kind, "sha256": checked.sha256, "name": name},
        audit=audit,
    )
    return evidence


def evidence_discard(stored: list[str]) -> None:
    """Delete the files written for evidence rows that were rolled back.

    The storage never overwrites (a second upload of the same bytes gets its own name), so the files
    deleted here are the caller's own.
    """
    for stored_name in stored:
        Evidence.file.field.storage.delete(stored_name)


def _size_in_words(size: int) -> str:
    """A size limit as people say it: ``20 MB``, ``512 kB``, ``100 B``."""
    for unit, factor in (("MB", 1024 * 1024), ("kB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


__all__ = ["case_add_evidence"]
