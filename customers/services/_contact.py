"""The customer's e-mail address, changed in the portal with a text-message code."""

from datetime import datetime
from typing import Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit import actions
from audit.services import audit_record
from customers.models import Customer, CustomerEvent, NotificationKind, OtpChallenge, OtpPurpose
from customers.services._errors import ServiceError
from customers.services._notifications import notification_send
from customers.services._otp import EnteredCode, otp_confirmation, otp_confirmed, otp_issue

EMAIL_SUBJECT = "email"


class EmailInvalid(ServiceError):
    field = "email"
    message = _("Enter an e-mail address such as anna.kowalska@example.com.")


class EmailUnchanged(ServiceError):
    field = "email"
    message = _("This is already your e-mail address.")


def email_change_start(*, customer: Customer, email: str, now: datetime) -> OtpChallenge:
    """Text a code that confirms changing the customer's e-mail address to ``email``.

    :raises EmailInvalid: not an e-mail address. :raises EmailUnchanged: it is the current one.
    :raises OtpRateLimited: from asking for the code.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise EmailInvalid from error
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
        locked = Customer.objects.select_for_update().get(pk=entered["customer"].pk)
        previous, locked.email = locked.email, challenge.operation["email"]
        locked.save(update_fields=["email"])
        CustomerEvent.objects.create(
            customer=locked,
            kind=CustomerEvent.Kind.EMAIL_CHANGED,
            actor=actor,
            occurred_at=now,
            data={"from": previous, "to": locked.email},
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
