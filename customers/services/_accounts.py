"""Portal access: registration, or a new password, with a text-message code.

Each act is recorded in the audit log as its transaction's last write: ``auth.registration_completed``
(the customer linked to their new sign-in; the sign-in's own ``auth.user_created`` comes from the
model receiver) and ``auth.password_reset``. Never a password, a code or a hash.
"""

import logging
from datetime import date, datetime, timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit import actions
from audit.services import audit_diff, audit_record, audit_recorded_by_caller, audit_snapshot
from customers.models import Customer, CustomerEvent, NotificationKind, OtpChallenge, OtpPurpose, User
from customers.rules import RuleError, identifier_kind, parse_bank_id, parse_pesel
from customers.selectors import customer_get_by_identifier
from customers.services._errors import ServiceError
from customers.services._notifications import notification_send
from customers.services._otp import (
    otp_check_resend,
    otp_confirmation,
    otp_consume,
    otp_issue,
    otp_queue_decoy,
    otp_resend,
    otp_verify,
)
from customers.services._otp_errors import OtpExpired, OtpInvalid, OtpRateLimited, OtpVoided
from customers.services._throttle import (
    ACCESS_START_ALL,
    ACCESS_START_FROM_ADDRESS,
    EVERYONE,
    ThrottleExceeded,
    throttle_hit,
)
from kartosfera.legaltime import warsaw_date

logger = logging.getLogger(__name__)

ACCESS_PURPOSES = (OtpPurpose.REGISTRATION, OtpPurpose.PASSWORD_RESET)


class IdentifierInvalid(ServiceError):
    field = "identifier"


class BirthDateMismatch(ServiceError):
    field = "birth_date"
    message = _("The date of birth differs from the one in your PESEL number.")


class AccessStartThrottled(ServiceError):
    message = _(
        "Too many registrations or password resets were started from your connection in the last hour. "
        "Please try again later, or call us."
    )


class AccessStartBusy(ServiceError):
    message = _("Too many people are registering right now. Please try again in a few minutes.")


class AlreadyRegistered(ServiceError):
    message = _("You are already registered. Sign in, or use “Forgot your password?”.")


def customer_identifier(customer: Customer) -> str:
    """The identifier a customer signs in with: the PESEL, or the bank id without one."""
    return customer.pesel or customer.bank_id or ""


def rule_message(error: RuleError) -> str | Promise:
    return _(error.message) % error.params if error.params else _(error.message)


def registration_start(
    *, identifier: str, birth_date: date, address: str, now: datetime
) -> OtpChallenge | None:
    """Match the details to a customer and text them a code (for a registered one: to reset the password).

    The answer does not tell who banks with us: details that match no customer, or a customer whose
    phone already had ``MAX_PER_HOUR`` texts, return None instead of a code request, and the caller
    answers exactly as for one ("if you are our customer, we sent a code"; see
    :func:`registration_decoy_verify`). The code is texted by a task after the commit, so neither
    the gateway's delay nor its failure reaches the answer; a start that matched no customer queues
    a task that texts nothing, so both requests do the same work. Starts are counted per ``address``
    (the client's IP) and overall, matched or not (``settings.KARTOSFERA_ACCESS_START``).

    :raises AccessStartThrottled: too many starts from ``address`` in the last hour.
    :raises AccessStartBusy: too many starts from everywhere in the last hour.
    :raises IdentifierInvalid: neither a valid PESEL (checksum, date) nor an 8-digit bank id.
    :raises BirthDateMismatch: the date of birth is not the one the PESEL encodes.
    """
    hour = timedelta(hours=1)
    limits = settings.KARTOSFERA_ACCESS_START
    try:
        throttle_hit(
            scope=ACCESS_START_FROM_ADDRESS,
            key=address,
            limit=limits["PER_ADDRESS_PER_HOUR"],
            window=hour,
            now=now,
        )
    except ThrottleExceeded as error:
        raise AccessStartThrottled from error
    try:
        throttle_hit(scope=ACCESS_START_ALL, key=EVERYONE, limit=limits["PER_HOUR"], window=hour, now=now)
    except ThrottleExceeded as error:
        raise AccessStartBusy from error
    number = (identifier or "").strip()
    try:
        match identifier_kind(number):
            case "PESEL":
                if parse_pesel(number, today=warsaw_date(now)).birth_date != birth_date:
                    raise BirthDateMismatch
            case "BANK_ID":
                parse_bank_id(number)
            case _:
                raise IdentifierInvalid(
                    _(
                        "Enter your PESEL number (11 digits) or the identification number the bank "
                        "gave you (8 digits)."
                    )
                )
    except RuleError as error:
        raise IdentifierInvalid(rule_message(error)) from error
    try:
        customer = customer_get_by_identifier(identifier=number)
    except Customer.DoesNotExist:
        customer = None
    if customer is None or customer.birth_date != birth_date:
        logger.info("Registration start matched no customer")
        _queue_decoy(now=now)
        return None
    purpose = OtpPurpose.PASSWORD_RESET if customer.user_id else OtpPurpose.REGISTRATION
    try:
        return otp_issue(customer=customer, purpose=purpose, subject="access", now=now)
    except OtpRateLimited:
        logger.info(
            "Registration start for customer %s: the phone's hourly text limit is reached", customer.pk
        )
        _queue_decoy(now=now)
        return None


def _queue_decoy(*, now: datetime) -> None:
    with transaction.atomic(durable=True):
        otp_queue_decoy(now=now)


def registration_resend(*, challenge_id: int, now: datetime) -> None:
    """Queue a new registration (or password-reset) code for the request in the session.

    A phone past its hourly cap is answered as a sent code, with a send that texts nothing queued in
    its place: only a customer's phone has a cap to reach, so saying so, or doing less work, would
    tell who banks with us.

    :raises OtpNotFound, OtpAlreadyUsed, OtpVoided: the request is over.
    :raises OtpResendTooSoon, OtpSendLimitReached: as :func:`otp_resend`.
    """
    try:
        otp_resend(challenge_id=challenge_id, customer=None, purposes=ACCESS_PURPOSES, now=now)
    except OtpRateLimited:
        logger.info("Registration resend: the phone's hourly text limit is reached")
        _queue_decoy(now=now)


def registration_decoy_verify(*, attempts: int, last_sent_at: datetime, now: datetime) -> None:
    """A code typed for a start that matched no customer: refused exactly as a real request refuses a
    wrong code (``otp_verify``): expired after ``TTL_SECONDS``, else wrong, the last attempt voiding it.

    ``attempts`` is how many wrong ones were counted before this one (the caller keeps the count and
    adds one for ``OtpInvalid`` and ``OtpVoided``).

    :raises OtpExpired: the "code" was "sent" more than ``TTL_SECONDS`` ago (not counted).
    :raises OtpInvalid: with the attempts left. :raises OtpVoided: on the last allowed attempt.
    """
    if now >= last_sent_at + timedelta(seconds=int(settings.KARTOSFERA_OTP["TTL_SECONDS"])):
        raise OtpExpired
    attempts_left = int(settings.KARTOSFERA_OTP["MAX_ATTEMPTS"]) - (attempts + 1)
    if attempts_left <= 0:
        raise OtpVoided
    raise OtpInvalid(attempts_left=attempts_left)


def registration_decoy_resend(*, last_sent_at: datetime, send_count: int, now: datetime) -> None:
    """A new code asked for a start that matched no customer: refused exactly when a real one would be.

    Allowed, it queues a send that texts nothing, as a customer's resend queues a real one.

    :raises OtpResendTooSoon, OtpSendLimitReached: as :func:`otp_resend`.
    """
    otp_check_resend(last_sent_at=last_sent_at, send_count=send_count, now=now)
    _queue_decoy(now=now)


@sensitive_variables("code")
def registration_verify_code(*, challenge_id: int, code: str, now: datetime) -> OtpChallenge:
    """Check the registration (or password reset) code: the customer's first sign-in.

    :raises OtpError: see ``otp_verify``.
    """
    return otp_verify(
        challenge_id=challenge_id, customer=None, purposes=ACCESS_PURPOSES, code=code, now=now, actor=None
    )


@sensitive_variables("password")
def registration_complete(*, challenge_id: int, password: str, now: datetime) -> User:
    """Set the portal password after a verified code: create the sign-in, or replace a forgotten password.

    A replaced password signs every other session out and lifts a sign-in lockout.

    :raises OtpError: the code was not verified, is used or void.
    :raises ValidationError: the password fails Django's password validators.
    :raises AlreadyRegistered: someone registered this customer since the code was sent.
    """
    with transaction.atomic():
        challenge = otp_consume(challenge_id=challenge_id, customer=None, purposes=ACCESS_PURPOSES, now=now)
        customer = Customer.objects.select_for_update().get(pk=challenge.customer_id)
        identifier = customer_identifier(customer)
        before = audit_snapshot(customer, fields=["user"])
        if challenge.purpose == OtpPurpose.REGISTRATION:
            if customer.user_id is not None:
                raise AlreadyRegistered
            user = User(
                username=identifier,
                first_name=customer.first_name,
                last_name=customer.last_name,
                email=customer.email,
            )
            validate_password(password, user=user)
            user.set_password(password)
            user.save()
            customer.user = user
            customer.save(update_fields=["user"])
            kind = CustomerEvent.Kind.REGISTERED
        else:
            user = User.objects.select_for_update().get(customer=customer)
            validate_password(password, user=user)
            user.set_password(password)
            user.rotate_security_stamp()
            with audit_recorded_by_caller(user):
                user.save(update_fields=["password", "security_stamp"])
            kind = CustomerEvent.Kind.PASSWORD_RESET
            notification_send(customer=customer, kind=NotificationKind.PASSWORD_CHANGED, now=now)
        CustomerEvent.objects.create(customer=customer, kind=kind, actor=user, occurred_at=now)
        transaction.on_commit(lambda: axes_reset(username=identifier))
        if kind == CustomerEvent.Kind.REGISTERED:
            audit_record(
                action=actions.AUTH_REGISTRATION_COMPLETED,
                actor=user,
                obj=customer,
                now=now,
                data=otp_confirmation(challenge),
                **audit_diff(before, audit_snapshot(customer, fields=["user"])),
            )
        else:
            audit_record(
                action=actions.AUTH_PASSWORD_RESET,
                actor=user,
                obj=user,
                now=now,
                data={
                    "customer_id": customer.pk,
                    "other_sessions_signed_out": True,
                    "sign_in_lockout_lifted": True,
                    **otp_confirmation(challenge),
                },
            )
    logger.info("Customer %s: %s", customer.pk, kind)
    return user
