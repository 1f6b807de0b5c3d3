"""Reads of the letters app: the owner-scoped access funnel, the pending queue, the held letters."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from disputes.selectors import letter_requests_pending
from letters.models import Letter, LetterRequestHold

# A held request is tried again this long after its last attempt, so that a fix staff made (an
# address added) issues it without anyone asking, while a thousand held requests never crowd out
# the new ones in the sweep's batch.
HELD_RETRY_AFTER = timedelta(hours=1)


class LetterNotVisible(Exception):
    """No such letter, or it belongs to someone else (answered as 404 alike)."""


def letter_request_ids_pending(*, limit: int) -> list[int]:
    """The ids of the oldest pending letter requests, held or not, at most ``limit``."""
    return list(letter_requests_pending().values_list("pk", flat=True)[:limit])


def letter_request_ids_due(*, limit: int, now: datetime) -> list[int]:
    """The sweep's batch: pending requests not held, then held ones due for another try; oldest first."""
    pending = letter_requests_pending()
    fresh = pending.filter(Q(letter_hold__isnull=True) | Q(letter_hold__released_at__isnull=False))
    ids = list(fresh.values_list("pk", flat=True)[:limit])
    if len(ids) < limit:
        retry = pending.filter(
            letter_hold__released_at__isnull=True, letter_hold__last_attempt_at__lte=now - HELD_RETRY_AFTER
        ).order_by("letter_hold__last_attempt_at", "pk")
        ids += list(retry.values_list("pk", flat=True)[: limit - len(ids)])
    return ids


def letter_holds_open() -> QuerySet[LetterRequestHold]:
    """The letters needing attention: requests held for a lasting reason, oldest first (back office)."""
    return (
        LetterRequestHold.objects.filter(released_at__isnull=True, letter_request__fulfilled_at__isnull=True)
        .select_related("letter_request", "letter_request__case", "letter_request__case__customer")
        .order_by("held_at", "pk")
    )


def letter_holds_for_case(*, case_id: int) -> QuerySet[LetterRequestHold]:
    """The letters of one case that need attention (for the case page), oldest first."""
    return letter_holds_open().filter(letter_request__case_id=case_id)


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
