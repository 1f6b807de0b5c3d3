"""The customer's e-mail address, changed in the portal with a text-message code."""

from datetime import datetime
from typing import Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit import actions
from audit.services import audit_record
from customers.models import Customer, CustomerEvent, NotificationKind, OtpChallenge, OtpPurpose, User
from customers.services._errors import ServiceError, TextTooLong
from customers.services._notifications import notification_send
from customers.services._otp import EnteredCode, otp_confirmation, otp_confirmed, otp_issue
from kartosfera.refusals import bounded_text

EMAIL_SUBJECT = "email"


class EmailInvalid(ServiceError):
    field = "email"
    message = _("Enter an e-mail address such as anna.kowalska@example.com.")


class EmailUnchanged(ServiceError):
    field = "email"
    message = _("This is already your e-mail address.")


def contact_detail_set(
    customer: Customer, field: str, value: str, *, kind: str, actor: User, now: datetime
) -> tuple[Customer, str]:
    """Lock the customer, set one contact detail and record the change in their history.

    Returns the locked customer and the detail's previous value (the one to tell of the change too).
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    previous = getattr(locked, field)
    setattr(locked, field, value)
    locked.save(update_fields=[field])
    CustomerEvent.objects.create(
        customer=locked, kind=kind, actor=actor, occurred_at=now, data={"from": previous, "to": value}
    )
    return locked, previous


def email_change_start(*, customer: Customer, email: str, now: datetime) -> OtpChallenge:
    """Text a code that confirms changing the customer's e-mail address to ``email``.

    :raises EmailInvalid: not an e-mail address. :raises EmailUnchanged: it is the current one.
    :raises TextTooLong: longer than the customer's address holds (an e-mail address may be longer).
    :raises OtpRateLimited: from asking for the code.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise EmailInvalid from error
    bounded_text(Customer, "email", email, refusal=TextTooLong)
    if email.lower() == customer.email.lower():
        raise EmailUnchanged
    return otp_issue(
        customer=customer,
        purpose=OtpPurpose.EMAIL_CHANGE,
        subject=EMAIL_SUBJECT,
        operation={"email": email},
        now=now,
    )


@sensitive_variables("entered")
def email_change_confirm(**entered: Unpack[EnteredCode]) -> Customer:
    """Change the e-mail address the code was sent for; both the old and the new address are told.

    :raises OtpError: the code is wrong, expired or void.
    """
    actor, now = entered["actor"], entered["now"]
    with otp_confirmed(purpose=OtpPurpose.EMAIL_CHANGE, subject=EMAIL_SUBJECT, **entered) as challenge:
        locked, previous = contact_detail_set(
            entered["customer"],
            "email",
            challenge.operation["email"],
            kind=CustomerEvent.Kind.EMAIL_CHANGED,
            actor=actor,
            now=now,
        )
        audit_record(
            action=actions.AUTH_EMAIL_CHANGED,
            actor=actor,
            obj=locked,
            before={"email": previous},
            after={"email": locked.email},
            data=otp_confirmation(challenge),
            now=now,
        )
        notification_send(
            customer=locked,
            kind=NotificationKind.EMAIL_CHANGED,
            now=now,
            params={"new_email": locked.email},
            extra_emails=(previous,),
        )
    return locked
