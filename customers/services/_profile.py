"""A signed-in customer's sign-in details: the password, and the portal's phone number (two codes).

Each act is recorded in the audit log as its transaction's last write: ``auth.password_changed`` and
``auth.phone_changed`` (the numbers masked to their last three digits). Never a password, a code or a
hash.
"""

import logging
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit import actions
from audit.services import audit_record, audit_recorded_by_caller
from customers.models import Customer, CustomerEvent, NotificationKind, OtpChallenge, OtpPurpose, User
from customers.rules import RuleError, normalise_mobile
from customers.services._accounts import rule_message
from customers.services._contact import contact_detail_set
from customers.services._errors import ServiceError
from customers.services._notifications import notification_send
from customers.services._otp import (
    otp_confirmation,
    otp_consume,
    otp_issue,
    otp_verify,
)
from customers.sms import masked_phone

logger = logging.getLogger(__name__)


class WrongPassword(ServiceError):
    field = "old_password"
    message = _("The current password is wrong.")


class PhoneUnchanged(ServiceError):
    field = "new_phone"
    message = _("This is already your mobile number.")


class PhoneInvalid(ServiceError):
    field = "new_phone"


class PhoneChangeMismatch(ServiceError):
    message = _("The two codes belong to different requests. Please start again.")


@sensitive_variables("old_password", "new_password")
def user_change_password(*, user: User, old_password: str, new_password: str, now: datetime) -> User:
    """Change a signed-in customer's password; every other session of theirs is signed out.

    The caller keeps its own session with ``update_session_auth_hash``.

    :raises WrongPassword: the current password is not ``old_password``.
    :raises ValidationError: the new password fails Django's password validators.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.check_password(old_password):
            raise WrongPassword
        validate_password(new_password, user=locked)
        locked.set_password(new_password)
        locked.rotate_security_stamp()
        with audit_recorded_by_caller(locked):
            locked.save(update_fields=["password", "security_stamp"])
        customer = Customer.objects.filter(user=locked).first()
        if customer is not None:
            CustomerEvent.objects.create(
                customer=customer, kind=CustomerEvent.Kind.PASSWORD_CHANGED, actor=locked, occurred_at=now
            )
            notification_send(customer=customer, kind=NotificationKind.PASSWORD_CHANGED, now=now)
        audit_record(
            action=actions.AUTH_PASSWORD_CHANGED,
            actor=locked,
            obj=locked,
            now=now,
            data={
                "customer_id": None if customer is None else customer.pk,
                "confirmation": {"method": "CURRENT_PASSWORD"},
                "other_sessions_signed_out": True,
            },
        )
    return locked


def phone_change_start(
    *, customer: Customer, new_phone: str, now: datetime
) -> tuple[OtpChallenge, OtpChallenge]:
    """Text one code to the current number and one to the new number; both confirm the change.

    :raises PhoneInvalid: the new number is not a mobile number.
    :raises PhoneUnchanged: it is the current number.
    :raises OtpRateLimited: from asking for the codes.
    """
    try:
        phone = normalise_mobile(new_phone)
    except RuleError as error:
        raise PhoneInvalid(rule_message(error)) from error
    if phone == customer.mobile_phone:
        raise PhoneUnchanged
    operation = {"new_phone": phone}
    old = otp_issue(
        customer=customer, purpose=OtpPurpose.PHONE_CHANGE_OLD, subject="phone", operation=operation, now=now
    )
    new = otp_issue(
        customer=customer,
        purpose=OtpPurpose.PHONE_CHANGE_NEW,
        subject="phone",
        operation=operation,
        phone=phone,
        now=now,
    )
    return old, new


@sensitive_variables("old_code", "new_code")
def phone_change_confirm(
    *,
    customer: Customer,
    old_challenge_id: int,
    old_code: str,
    new_challenge_id: int,
    new_code: str,
    actor: User,
    now: datetime,
) -> Customer:
    """Change the portal's mobile number once both codes are right; every other session is signed out.

    :raises OtpError: a code is wrong, expired or void (``field`` says which: ``old_code``/``new_code``).
    :raises PhoneChangeMismatch: the two codes were sent for different numbers.
    """
    for challenge_id, code, purpose, field in (
        (old_challenge_id, old_code, OtpPurpose.PHONE_CHANGE_OLD, "old_code"),
        (new_challenge_id, new_code, OtpPurpose.PHONE_CHANGE_NEW, "new_code"),
    ):
        try:
            otp_verify(
                challenge_id=challenge_id,
                customer=customer,
                purposes=(purpose,),
                code=code,
                now=now,
                actor=actor,
            )
        except ServiceError as error:
            error.field = field if error.field == "code" else error.field
            raise
    with transaction.atomic():
        old = otp_consume(
            challenge_id=old_challenge_id, customer=customer, purposes=(OtpPurpose.PHONE_CHANGE_OLD,), now=now
        )
        new = otp_consume(
            challenge_id=new_challenge_id, customer=customer, purposes=(OtpPurpose.PHONE_CHANGE_NEW,), now=now
        )
        new_phone = new.operation.get("new_phone")
        if old.operation.get("new_phone") != new_phone or new.phone != new_phone:
            raise PhoneChangeMismatch
        locked, previous = contact_detail_set(
            customer, "mobile_phone", new_phone, kind=CustomerEvent.Kind.PHONE_CHANGED, actor=actor, now=now
        )
        if locked.user_id is not None:
            user = User.objects.select_for_update().get(pk=locked.user_id)
            user.rotate_security_stamp()
            user.save(update_fields=["security_stamp"])
        # Also to the number it replaces: its owner is the one who must hear of a change they did not make.
        notification_send(
            customer=locked,
            kind=NotificationKind.PHONE_CHANGED,
            now=now,
            params={"new_phone": masked_phone(new_phone)},
            extra_phones=(previous,),
        )
        # The numbers as the portal shows them: the log says which number, not the whole of it.
        audit_record(
            action=actions.AUTH_PHONE_CHANGED,
            actor=actor,
            obj=locked,
            before={"mobile_phone": masked_phone(previous)},
            after={"mobile_phone": masked_phone(new_phone)},
            data={"other_sessions_signed_out": locked.user_id is not None, **otp_confirmation(old, new)},
            now=now,
        )
    logger.info("Customer %s: portal phone changed to %s", locked.pk, masked_phone(new_phone))
    return locked
