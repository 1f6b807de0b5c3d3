"""One-time passwords sent by text message: issue, resend, verify, consume.

A code is 6 digits, valid ``TTL_SECONDS`` (5 minutes), stored only as an HMAC-SHA256 keyed with
``SECRET_KEY`` and a per-code salt, void after ``MAX_ATTEMPTS`` (5) wrong tries, and resent at most
``MAX_SENDS`` times, no sooner than ``RESEND_INTERVAL_SECONDS`` apart (``settings.KARTOSFERA_OTP``).

Issuing and verifying run in their own durable transactions: a wrong attempt is counted and committed
even though the caller then refuses the request, with its ``auth.otp_failed`` audit entry (never the
code nor its hash). Consuming a verified code happens inside the caller's transaction, so a failed
operation (e.g. the card processor timing out) leaves the code usable for a retry within its validity.

No code is made in the request, whatever it confirms (registration, a new password, a card operation,
a new phone number or address): the request counts the text against the phone's hourly cap, records
the challenge with a hash nobody can match, and asks the outbox for ``customers.tasks.send_otp`` with
the challenge id and the send's number only. The task makes the code, stores its hash and texts it
(:func:`otp_send_queued`, in :mod:`customers.services._otp_send`), so no answer waits on the SMS
gateway or depends on what it does, and the anonymous flows tell nobody whether the details were a
customer's; the code itself is in no outbox row, broker message or log.
"""

import hmac
import logging
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.views.decorators.debug import sensitive_variables

from audit import actions
from audit.services import AuditDiff, audit_diff, audit_record, audit_snapshot
from customers.models import Customer, OtpChallenge, OtpPurpose, User
from customers.services import _otp_errors as errors
from customers.services._throttle import OTP_TEXT_TO_PHONE, ThrottleExceeded, throttle_hit
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


# The task that makes and texts every code (customers.tasks.send_otp): the request queues only the id.
SEND_TASK = "customers.tasks.send_otp"

# What a failed attempt changes on a challenge, as the audit log shows it (never the code's hash).
_ATTEMPT_FIELDS = ("attempts", "voided_at")


def _policy(name: str) -> int:
    return int(settings.KARTOSFERA_OTP[name])


@sensitive_variables("code")
def _hash(salt: str, code: str) -> str:
    return salted_hmac("customers.otp", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _unknowable_hash(salt: str) -> str:
    """The hash a queued code holds until its task makes the code: of a value nobody can type or know."""
    return _hash(salt, secrets.token_hex(16))


def otp_queue_decoy(*, now: datetime) -> None:
    """Ask for a send that texts nothing, for an access request that matched no customer: its request
    does the same work (an outbox row, one publication) as one that did. Call inside ``atomic``."""
    outbox_enqueue(task=SEND_TASK, kwargs={"challenge_id": None, "send": 1}, now=now)


def otp_check_resend(*, last_sent_at: datetime, send_count: int, now: datetime) -> None:
    """Whether a code last sent at ``last_sent_at``, ``send_count`` times, may be sent again now.

    :raises OtpResendTooSoon: less than ``RESEND_INTERVAL_SECONDS`` since the last text.
    :raises OtpSendLimitReached: already sent ``MAX_SENDS`` times.
    """
    wait = last_sent_at + timedelta(seconds=_policy("RESEND_INTERVAL_SECONDS")) - now
    if wait > timedelta(0):
        raise errors.OtpResendTooSoon(seconds=max(1, int(wait.total_seconds() + 0.999)))
    if send_count >= _policy("MAX_SENDS"):
        raise errors.OtpSendLimitReached


def _count_text(*, phone: str, now: datetime) -> None:
    """Count one text message to ``phone``, first or resent, whoever asked for it.

    :raises OtpRateLimited: ``MAX_PER_HOUR`` texts went to this number in the last hour.
    """
    try:
        throttle_hit(
            scope=OTP_TEXT_TO_PHONE,
            key=phone,
            limit=_policy("MAX_PER_HOUR"),
            window=timedelta(hours=1),
            now=now,
        )
    except ThrottleExceeded as error:
        raise errors.OtpRateLimited from error


def otp_issue(
    *,
    customer: Customer,
    purpose: str,
    now: datetime,
    subject: str = "",
    operation: dict[str, Any] | None = None,
    phone: str | None = None,
) -> OtpChallenge:
    """Ask for a new one-time password to ``phone`` (default: the customer's mobile) for one operation;
    the task texts it once the request commits.

    Any earlier open code for the same customer, purpose and subject stops being valid.

    :raises OtpRateLimited: ``MAX_PER_HOUR`` texts (first sends and resends, for any request) went to
        this phone number in the last hour: a text message costs money and can flood a phone.
    """
    with transaction.atomic(durable=True):
        Customer.objects.select_for_update().get(pk=customer.pk)  # one issuer at a time per customer
        to = phone or customer.mobile_phone
        _count_text(phone=to, now=now)
        OtpChallenge.objects.filter(
            customer=customer,
            purpose=purpose,
            subject=subject,
            consumed_at__isnull=True,
            voided_at__isnull=True,
        ).update(voided_at=now)
        salt = secrets.token_hex(16)
        challenge = OtpChallenge.objects.create(
            customer=customer,
            purpose=OtpPurpose(purpose),
            subject=subject,
            operation=operation or {},
            phone=to,
            code_salt=salt,
            code_hash=_unknowable_hash(salt),
            created_at=now,
            last_sent_at=now,
            expires_at=now + timedelta(seconds=_policy("TTL_SECONDS")),
        )
        outbox_enqueue(task=SEND_TASK, kwargs={"challenge_id": challenge.pk, "send": 1}, now=now)
    return challenge


class ChallengeRequest(TypedDict):
    """Which code request: its id, the customer's (None in the anonymous access flows), the purposes
    the page accepts and, for a card's codes, the card it is bound to."""

    challenge_id: int
    customer: Customer | None
    purposes: tuple[str, ...]
    subject: NotRequired[str | None]


def _locked(
    *, challenge_id: int, customer: Customer | None, purposes: tuple[str, ...], subject: str | None = None
) -> OtpChallenge:
    queryset = OtpChallenge.objects.select_for_update().select_related("customer")
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if subject is not None:
        queryset = queryset.filter(subject=subject)
    try:
        return queryset.get(pk=challenge_id, purpose__in=purposes)
    except (OtpChallenge.DoesNotExist, ValueError, TypeError) as error:
        raise errors.OtpNotFound from error


def _refuse_if_over(challenge: OtpChallenge) -> None:
    """:raises OtpAlreadyUsed, OtpVoided: the request is over (used, or void)."""
    if challenge.consumed_at is not None:
        raise errors.OtpAlreadyUsed
    if challenge.voided_at is not None:
        raise errors.OtpVoided


def otp_resend(*, now: datetime, **request: Unpack[ChallengeRequest]) -> OtpChallenge:
    """Ask for a fresh code for the same request; the previous code stops working at once. Wrong attempts
    carry over.

    ``customer`` None is for the anonymous registration flow, where the id comes from the session.

    :raises OtpNotFound, OtpAlreadyUsed, OtpVoided: the request is over.
    :raises OtpResendTooSoon: less than ``RESEND_INTERVAL_SECONDS`` since the last text.
    :raises OtpSendLimitReached: already sent ``MAX_SENDS`` times.
    :raises OtpRateLimited: ``MAX_PER_HOUR`` texts went to the phone number in the last hour.
    """
    with transaction.atomic(durable=True):
        challenge = _locked(**request)
        if challenge.verified_at is not None:
            raise errors.OtpAlreadyUsed
        _refuse_if_over(challenge)
        otp_check_resend(last_sent_at=challenge.last_sent_at, send_count=challenge.send_count, now=now)
        _count_text(phone=challenge.phone, now=now)
        challenge.code_salt = secrets.token_hex(16)
        challenge.code_hash = _unknowable_hash(challenge.code_salt)  # the previous code stops working now
        challenge.last_sent_at = now
        challenge.expires_at = now + timedelta(seconds=_policy("TTL_SECONDS"))
        challenge.send_count += 1
        challenge.save(update_fields=["code_salt", "code_hash", "last_sent_at", "expires_at", "send_count"])
        outbox_enqueue(
            task=SEND_TASK, kwargs={"challenge_id": challenge.pk, "send": challenge.send_count}, now=now
        )
    return challenge


def _audit_failure(
    challenge: OtpChallenge | None,
    *,
    reason: str,
    before: dict[str, Any] | None,
    actor: User | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    """Record a failed use of a code (``auth.otp_failed``): which request, why, the attempts counted."""
    details: dict[str, Any] = {"reason": reason, **(data or {})}
    changes = AuditDiff(before=None, after=None)
    if challenge is not None:
        details |= {
            "customer_id": challenge.customer_id,
            "purpose": challenge.purpose,
            "subject": challenge.subject,
            "attempts": challenge.attempts,
            "attempts_left": max(0, _policy("MAX_ATTEMPTS") - challenge.attempts),
        }
        changes = audit_diff(before, audit_snapshot(challenge, fields=_ATTEMPT_FIELDS))
    audit_record(action=actions.AUTH_OTP_FAILED, actor=actor, obj=challenge, data=details, now=now, **changes)


@sensitive_variables("code")
def otp_verify(
    *,
    challenge_id: int,
    customer: Customer | None,
    purposes: tuple[str, ...],
    code: str,
    now: datetime,
    actor: User | None,
    subject: str | None = None,
) -> OtpChallenge:
    """Check a code. A wrong one is counted (and committed); the ``MAX_ATTEMPTS``-th wrong one voids it.

    Every failure, counted or not, is recorded in the audit log (``auth.otp_failed``: the request, the
    reason, the attempts; never the code nor its hash) in the same committed transaction. ``actor`` is
    the signed-in user typing the code (None in the registration flow). Verifying does not use the code
    up: the operation it confirms calls :func:`otp_consume` in its own transaction.

    :raises OtpNotFound: no such request for this customer and purpose.
    :raises OtpAlreadyUsed, OtpVoided, OtpExpired: the code cannot be used any more.
    :raises OtpInvalid: the code is wrong (with the attempts left).
    """
    failure: errors.OtpError
    with transaction.atomic(durable=True):
        try:
            challenge = _locked(
                challenge_id=challenge_id, customer=customer, purposes=purposes, subject=subject
            )
        except errors.OtpNotFound as error:
            # A code typed for a request that is not this customer's, or for another card or purpose.
            _audit_failure(
                None,
                reason="NOT_FOUND",
                before=None,
                actor=actor,
                now=now,
                data={
                    "challenge_id": str(challenge_id)[:32],
                    "customer_id": None if customer is None else customer.pk,
                    "purposes": list(purposes),
                    "subject": subject,
                },
            )
            failure = error
        else:
            before = audit_snapshot(challenge, fields=_ATTEMPT_FIELDS)
            if challenge.consumed_at is not None:
                failure, reason = errors.OtpAlreadyUsed(), "ALREADY_USED"
            elif challenge.voided_at is not None:
                failure, reason = errors.OtpVoided(), "VOIDED"
            elif now >= challenge.expires_at:
                failure, reason = errors.OtpExpired(), "EXPIRED"
            elif hmac.compare_digest(
                _hash(challenge.code_salt, "".join((code or "").split())), challenge.code_hash
            ):
                if challenge.verified_at is None:
                    challenge.verified_at = now
                    challenge.save(update_fields=["verified_at"])
                logger.info("OTP %s (%s) verified", challenge.pk, challenge.purpose)
                return challenge
            else:
                challenge.attempts += 1
                attempts_left = _policy("MAX_ATTEMPTS") - challenge.attempts
                if attempts_left <= 0:
                    challenge.voided_at = now
                    failure, reason = errors.OtpVoided(), "TOO_MANY_ATTEMPTS"
                else:
                    failure, reason = errors.OtpInvalid(attempts_left=attempts_left), "WRONG_CODE"
                challenge.save(update_fields=["attempts", "voided_at"])
                logger.info(
                    "OTP %s (%s) wrong attempt %s", challenge.pk, challenge.purpose, challenge.attempts
                )
            _audit_failure(challenge, reason=reason, before=before, actor=actor, now=now)
    # Raised after the block: the attempt and its audit entry are committed, whatever the caller does next.
    raise failure


def otp_confirmation(*challenges: OtpChallenge) -> dict[str, Any]:
    """How an act was confirmed, for its audit entry's ``data``: the code requests, never a code."""
    return {
        "confirmation": {"method": "SMS_CODE", "challenge_ids": [challenge.pk for challenge in challenges]}
    }


def otp_consume(*, now: datetime, **request: Unpack[ChallengeRequest]) -> OtpChallenge:
    """Use up a verified code; call inside the transaction of the operation it confirms.

    :raises OtpNotFound, OtpAlreadyUsed, OtpVoided: as for :func:`otp_verify`.
    :raises OtpNotVerified: the code was not (or too long ago) entered correctly.
    """
    challenge = _locked(**request)
    _refuse_if_over(challenge)
    if challenge.verified_at is None:
        raise errors.OtpNotVerified
    if now > challenge.verified_at + timedelta(seconds=_policy("VERIFIED_VALID_SECONDS")):
        raise errors.OtpExpired
    challenge.consumed_at = now
    challenge.save(update_fields=["consumed_at"])
    return challenge


class EnteredCode(TypedDict):
    """A code the customer typed in the portal to confirm a change: the arguments every such change
    takes (which challenge, whose, the code, who typed it, when)."""

    challenge_id: int
    customer: Customer
    code: str
    actor: User
    now: datetime


@sensitive_variables("entered")
def otp_confirmed(
    *, purpose: str, subject: str | None = None, **entered: Unpack[EnteredCode]
) -> AbstractContextManager[OtpChallenge]:
    """Check a code, then open the transaction in which it is used up: ``with otp_confirmed(...) as
    challenge:`` makes the change the code confirms in that same transaction, so the code is spent only
    with its change. A wrong code is counted and committed on its own, before the block opens.

    :raises OtpError: as :func:`otp_verify` and :func:`otp_consume`.
    """
    request: ChallengeRequest = {
        "challenge_id": entered["challenge_id"],
        "customer": entered["customer"],
        "purposes": (purpose,),
        "subject": subject,
    }
    otp_verify(code=entered["code"], now=entered["now"], actor=entered["actor"], **request)
    return _used_up(now=entered["now"], request=request)


@contextmanager
def _used_up(*, now: datetime, request: ChallengeRequest) -> Iterator[OtpChallenge]:
    with transaction.atomic():
        yield otp_consume(now=now, **request)
