"""Reads of the letters app: the owner-scoped access funnel and the pending queue."""

from django.db.models import QuerySet

from disputes.selectors import letter_requests_pending
from letters.models import Letter


class LetterNotVisible(Exception):
    """No such letter, or it belongs to someone else (answered as 404 alike)."""


def letter_request_ids_pending(*, limit: int) -> list[int]:
    """The ids of the oldest pending letter requests, at most ``limit``."""
    return list(letter_requests_pending().values_list("pk", flat=True)[:limit])


def letters_for_case(*, case_id: int) -> QuerySet[Letter]:
    """The letters of a case, every version, oldest first."""
    return Letter.objects.filter(case_id=case_id).order_by("letter_request_id", "version")


def letter_get_for_user(*, user, letter_id: int) -> Letter:
    """The letter if ``user`` owns its case, or is staff allowed to view cases.

    :raises LetterNotVisible: no such letter, or not the user's.
    """
    letters = Letter.objects.select_related("case", "case__customer")
    if not (user.is_staff and user.is_active and user.has_perm("disputes.view_case")):
        letters = letters.filter(case__customer__user=user)
    letter = letters.filter(pk=letter_id).first()
    if letter is None:
        raise LetterNotVisible(letter_id)
    return letter
