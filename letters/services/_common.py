"""The letters services' refusals, the one check of who may act on letters, and their audit."""

from datetime import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet

from audit.services import audit_record
from customers.models import User
from disputes.models import CaseLetterRequest
from letters.models import Letter

_Row = TypeVar("_Row", bound=Model)


class LetterNotFound(Exception):
    """No such letter (or letter request), or the actor may not see it."""


class LetterAlreadyDispatched(Exception):
    """The letter's dispatch was recorded before: it is recorded once."""


class LetterSuperseded(Exception):
    """A later version replaced this letter: dispatch or correct the current one."""


class LetterWithdrawn(Exception):
    """The letter was withdrawn (stale after the case was deemed accepted): it is not sent."""


class CorrectionReasonMissing(Exception):
    """A re-issue states why the earlier version was wrong."""


class LetterActionNotPermitted(Exception):
    """The actor may not issue, dispatch or preview letters."""


def require_staff(actor: User | None, permission: str, *, system_allowed: bool) -> None:
    """Refuse an actor who is not active staff with ``permission`` (or the system, unless allowed).

    :raises LetterActionNotPermitted:
    """
    if actor is None:
        if system_allowed:
            return
        raise LetterActionNotPermitted("the system may not do this")
    if not (actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise LetterActionNotPermitted(f"{actor} lacks {permission}")


def audit_letter_request(
    action: str,
    *,
    obj: Model,
    letter_request: CaseLetterRequest,
    actor: User | None,
    now: datetime,
    **data: object,
) -> None:
    """Audit an act on a requested letter: its case and request, then what the act adds."""
    audit_record(
        action=action,
        actor=actor,
        obj=obj,
        data={"case": letter_request.case_id, "letter_request": letter_request.pk, **data},
        now=now,
    )


def row_or_missing(rows: QuerySet[_Row], pk: int, missing: type[Exception]) -> _Row:
    """Row ``pk`` of ``rows``: the caller's queryset, locking and with the relations it needs.

    :raises missing: no such row; the refusal names the id.
    """
    row = rows.filter(pk=pk).first()
    if row is None:
        raise missing(pk)
    return row


def audit_letter(action: str, *, letter: Letter, actor: User | None, now: datetime, **data: object) -> None:
    """Audit an act on one letter: its case and version, then what the act adds."""
    audit_record(
        action=action,
        actor=actor,
        obj=letter,
        data={"case": letter.case_id, "version": letter.version, **data},
        now=now,
    )
