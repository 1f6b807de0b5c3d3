"""Reads of the letters app: the owner-scoped access funnel, the pending queue, the held letters."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import translation

from customers.models import User
from disputes.models import Case, CaseState, DeliveryChannel
from disputes.selectors import letter_requests_pending
from kartosfera.authz import VIEW_CASE
from kartosfera.legaltime import warsaw_date
from letters.context import letter_subject
from letters.models import Letter, LetterRequestHold, PrintBatch
from letters.rules import DECISION_OUTCOMES, LetterType
from letters.snapshot import LetterSnapshot

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


def letter_get_for_user(*, user: User, letter_id: int) -> Letter:
    """The letter if ``user`` owns its case, or is staff allowed to view cases.

    :raises LetterNotVisible: no such letter, or not the user's.
    """
    letters = Letter.objects.select_related("case", "case__customer")
    if not (user.is_staff and user.is_active and user.has_perm(VIEW_CASE)):
        letters = letters.filter(case__customer__user=user)
    letter = letters.filter(pk=letter_id).first()
    if letter is None:
        raise LetterNotVisible(letter_id)
    return letter


DECISION_TYPE_VALUES = [letter_type.value for letter_type in DECISION_OUTCOMES]


def _letters_to_send() -> QuerySet[Letter]:
    # Issued, current (no correction replaced it), not sent, and not printed already.
    # A decision letter of a case deemed accepted (REK-8) is stale even before it is withdrawn.
    return Letter.objects.filter(
        dispatched_at__isnull=True,
        withdrawn_at__isnull=True,
        superseded_by__isnull=True,
        print_batch_entry__isnull=True,
    ).exclude(letter_type__in=DECISION_TYPE_VALUES, case__state=CaseState.DEEMED_ACCEPTED)


def letters_awaiting_email(*, case_id: int) -> QuerySet[Letter]:
    """The case's letters the customer asked to get by e-mail and not sent yet, oldest first."""
    return (
        _letters_to_send()
        .filter(case_id=case_id, case__reply_delivery=DeliveryChannel.EMAIL)
        .exclude(case__customer__email="")
        .order_by("issued_at", "pk")
    )


def letters_awaiting_post(*, now: datetime) -> QuerySet[Letter]:
    """The paper letters for a print batch made at ``now``, oldest first: every letter issued by then
    and not sent, but those the customer gets by e-mail (Complaints Act art. 5: paper unless the
    customer asked for e-mail) while the e-mail may still leave. One still not sent
    ``LETTERS_EMAIL_FALLBACK_SECONDS`` after its issue goes on paper: the reply reaches the customer
    whatever the mail server does. A letter issued after ``now`` did not exist yet: a batch recorded
    at a past moment (the demo's history) never holds it."""
    by_email = (
        Q(case__reply_delivery=DeliveryChannel.EMAIL)
        & ~Q(case__customer__email="")
        & Q(issued_at__gt=now - timedelta(seconds=settings.LETTERS_EMAIL_FALLBACK_SECONDS))
    )
    return _letters_to_send().filter(issued_at__lte=now).exclude(by_email).order_by("issued_at", "pk")


def _print_batches() -> QuerySet[PrintBatch]:
    """Print batches with who made and posted them, their letter counts (``letter_count``), how many
    of their letters a later version replaced (``replaced_count``) and how many were withdrawn
    (``withdrawn_count``: a stale decision once the claim was deemed accepted, REK-8)."""
    return PrintBatch.objects.select_related("created_by", "posted_by").annotate(
        letter_count=Count("printbatchletter"),
        replaced_count=Count(
            "printbatchletter", filter=Q(printbatchletter__letter__superseded_by__isnull=False)
        ),
        withdrawn_count=Count(
            "printbatchletter", filter=Q(printbatchletter__letter__withdrawn_at__isnull=False)
        ),
    )


def print_batches_recent(*, limit: int = 30) -> QuerySet[PrintBatch]:
    """The latest print batches, newest first, with their counts (``_print_batches``)."""
    return _print_batches().order_by("-created_at", "-pk")[:limit]


def letters_of_print_batch(*, batch_id: int) -> QuerySet[Letter]:
    """The letters of a print batch in print order."""
    return (
        Letter.objects.filter(print_batch_entry__batch_id=batch_id)
        .select_related("case", "case__customer")
        .order_by("print_batch_entry__position")
    )


@dataclass(frozen=True)
class PrintBatchLetterRow:
    """One letter of a print batch, and the version issued since in its place (None while current)."""

    letter: Letter
    replaced_by: Letter | None


@dataclass(frozen=True)
class PrintBatchContents:
    """A print batch and its letters in print order: what the batch page shows, or, returned by
    ``print_batch_mark_posted``, the letters it recorded as sent."""

    batch: PrintBatch
    letters: list[PrintBatchLetterRow]

    @property
    def replaced(self) -> list[PrintBatchLetterRow]:
        """The letters of the batch a later version replaced: their printed copies go with the batch."""
        return [row for row in self.letters if row.replaced_by is not None]


def print_batch_contents(*, batch_id: int) -> PrintBatchContents:
    """A print batch with its letters in print order, each with the version that replaced it, if any.

    :raises PrintBatch.DoesNotExist: no such batch.
    """
    batch = _print_batches().get(pk=batch_id)
    letters = list(letters_of_print_batch(batch_id=batch_id).select_related("letter_request"))
    replacements = {
        letter.supersedes_id: letter
        for letter in Letter.objects.filter(supersedes__in=[letter.pk for letter in letters])
    }
    return PrintBatchContents(
        batch=batch,
        letters=[
            PrintBatchLetterRow(letter=letter, replaced_by=replacements.get(letter.pk)) for letter in letters
        ],
    )


def letter_title(letter: Letter) -> str:
    """The letter's subject line as printed on it, in the letter's language."""
    snapshot = LetterSnapshot.from_dict(letter.snapshot)
    with translation.override(letter.language):
        return letter_subject(letter_type=LetterType(letter.letter_type), snapshot=snapshot)


@dataclass(frozen=True)
class ClaimLetter:
    """One version of a letter as the customer sees it on the claim page."""

    letter: Letter
    title: str
    superseded: bool
    issued_on: date  # Warsaw dates, as the customer counts
    dispatched_on: date | None


@dataclass(frozen=True)
class ClaimLetters:
    letters: list[ClaimLetter]
    being_prepared: list[str]  # the kinds of letter the workflow asked for and not issued yet


def claim_letters(*, case: Case) -> ClaimLetters:
    """The letters of the customer's claim, every version, oldest first, and how many are still to come.

    The caller has the case from the owner-scoped funnel; each PDF is downloaded through
    ``letter_get_for_user`` again.
    """
    letters = list(letters_for_case(case_id=case.pk))
    replaced = {letter.supersedes_id for letter in letters if letter.supersedes_id}
    return ClaimLetters(
        letters=[
            ClaimLetter(
                letter=letter,
                title=letter_title(letter),
                superseded=letter.pk in replaced,
                issued_on=warsaw_date(letter.issued_at),
                dispatched_on=warsaw_date(letter.dispatched_at) if letter.dispatched_at else None,
            )
            for letter in letters
        ],
        being_prepared=[
            str(request.get_letter_type_display())
            for request in letter_requests_pending().filter(case_id=case.pk)
        ],
    )


def letter_sent_on(*, case: Case, letter_type: str) -> date | None:
    """The Warsaw day the case's first letter of ``letter_type`` was dispatched; None while none was."""
    first = (
        letters_for_case(case_id=case.pk)
        .filter(letter_type=letter_type, dispatched_at__isnull=False)
        .order_by("dispatched_at")
        .values_list("dispatched_at", flat=True)
        .first()
    )
    return warsaw_date(first) if first else None


@dataclass(frozen=True)
class PrintRoom:
    """The back office's print page: the paper letters waiting, and the latest batches."""

    waiting: list[Letter]
    batches: list[PrintBatch]


def print_room(*, now: datetime, limit: int = 200) -> PrintRoom:
    """What waits for the next print batch (the first ``limit``) and the latest batches."""
    return PrintRoom(
        waiting=list(
            letters_awaiting_post(now=now).select_related("case", "case__customer", "letter_request")[:limit]
        ),
        batches=list(print_batches_recent()),
    )
