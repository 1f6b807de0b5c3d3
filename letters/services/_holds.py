"""Letter requests the case cannot make yet: held with the reason, released when the letter is issued."""

import logging
from datetime import datetime

from django.db import transaction

from customers.models import User
from disputes.models import CaseLetterRequest
from letters.builders import RecipientAddressMissing, SignatoryMissing
from letters.models import Letter, LetterHoldReason, LetterRequestHold
from letters.rules import LetterDataError
from letters.services._common import audit_letter_request

# The operators know these lines by the name of the public module.
logger = logging.getLogger("letters.services")

# The letters app's own audited acts (audit.actions names the shared ones).
LETTER_HELD = "letter.held"
LETTER_RELEASED = "letter.released"


def hold_release(
    *, letter_request: CaseLetterRequest, letter: Letter, actor: User | None, now: datetime
) -> None:
    hold = LetterRequestHold.objects.filter(letter_request=letter_request, released_at__isnull=True).first()
    if hold is None:
        return
    hold.released_at = now
    hold.save(update_fields=["released_at"])
    audit_letter_request(
        LETTER_RELEASED, obj=hold, letter_request=letter_request, actor=actor, now=now, letter=letter.pk
    )


def hold_reason_for(error: LetterDataError) -> LetterHoldReason:
    """The reason staff see for a letter the case cannot make."""
    if isinstance(error, RecipientAddressMissing):
        return LetterHoldReason.NO_POSTAL_ADDRESS
    if isinstance(error, SignatoryMissing):
        return LetterHoldReason.NO_SIGNATORY
    return LetterHoldReason.CASE_DATA


def hold_record(
    *, letter_request_id: int, error: LetterDataError, actor: User | None, now: datetime
) -> LetterRequestHold:
    reason, detail = hold_reason_for(error), str(error)
    with transaction.atomic():
        # The request's row serialises concurrent attempts at the same letter.
        letter_request = CaseLetterRequest.objects.select_for_update().get(pk=letter_request_id)
        hold = LetterRequestHold.objects.filter(letter_request=letter_request).first()
        if hold is not None and hold.released_at is None and hold.reason == reason:
            hold.attempts += 1
            hold.last_attempt_at, hold.detail = now, detail
            hold.save(update_fields=["attempts", "last_attempt_at", "detail"])
            return hold
        if hold is None:
            hold = LetterRequestHold(letter_request=letter_request, held_at=now, attempts=0)
        elif hold.released_at is not None:
            hold.held_at, hold.released_at, hold.attempts = now, None, 0
        hold.reason, hold.detail, hold.last_attempt_at = reason, detail, now
        hold.attempts += 1
        hold.save()
        audit_letter_request(
            LETTER_HELD,
            obj=hold,
            letter_request=letter_request,
            actor=actor,
            now=now,
            letter_type=letter_request.letter_type,
            reason=reason.value,
        )
    # One clear line for the operators, no traceback: the reason is a fact about the data.
    logger.warning(
        "letter request %s (case %s, %s) is held until the data is fixed: %s: %s",
        letter_request.pk,
        letter_request.case_id,
        letter_request.letter_type,
        reason.value,
        detail,
    )
    return hold
