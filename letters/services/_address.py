"""The customer's postal address for letters: changed with a texted code, audited."""

import re
from datetime import datetime
from typing import Unpack

from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit.actions import CUSTOMER_ADDRESS_CHANGED
from audit.services import audit_diff, audit_record, audit_snapshot
from customers.models import Customer, NotificationKind, OtpChallenge, OtpPurpose
from customers.services import (
    EnteredCode,
    ServiceError,
    TextTooLong,
    notification_send,
    otp_confirmation,
    otp_confirmed,
    otp_issue,
)
from kartosfera.refusals import bounded_text
from letters.models import CustomerAddress


class AddressInvalid(ServiceError):
    """A postal address the post could not deliver to (the message says which part)."""


_POSTAL_CODE = re.compile(r"^[0-9]{2}-[0-9]{3}$")
ADDRESS_SUBJECT = "address"


def customer_address_change_start(
    *, customer: Customer, street: str, postal_code: str, city: str, now: datetime
) -> OtpChallenge:
    """Text a code that confirms the new postal address for the customer's letters.

    :raises AddressInvalid: a part is missing, or the postal code is not ``NN-NNN``.
    :raises TextTooLong: the street or the city is longer than the address holds.
    :raises OtpRateLimited, OtpDeliveryFailed: from sending the code.
    """
    street, postal_code, city = (" ".join((value or "").split()) for value in (street, postal_code, city))
    if not street:
        raise AddressInvalid(_("Enter the street and the house (and flat) number."), field="street")
    if not _POSTAL_CODE.match(postal_code):
        raise AddressInvalid(
            _("Enter the postal code as two digits, a dash and three digits: 00-950."), field="postal_code"
        )
    if not city:
        raise AddressInvalid(_("Enter the town or city."), field="city")
    for name, value in (("street", street), ("city", city)):
        bounded_text(CustomerAddress, name, value, refusal=TextTooLong)
    return otp_issue(
        customer=customer,
        purpose=OtpPurpose.ADDRESS_CHANGE,
        subject=ADDRESS_SUBJECT,
        operation={"street": street, "postal_code": postal_code, "city": city},
        now=now,
    )


@sensitive_variables("entered")
def customer_address_change_confirm(**entered: Unpack[EnteredCode]) -> CustomerAddress:
    """Store the postal address the code was sent for; letters held for want of one are issued by the
    letters sweep.

    :raises OtpError: the code is wrong, expired or void.
    """
    customer, actor, now = entered["customer"], entered["actor"], entered["now"]
    with otp_confirmed(purpose=OtpPurpose.ADDRESS_CHANGE, subject=ADDRESS_SUBJECT, **entered) as challenge:
        fields = ("street", "postal_code", "city", "country")
        address = CustomerAddress.objects.select_for_update().filter(customer=customer).first()
        before = None if address is None else audit_snapshot(address, fields=fields)
        address = address or CustomerAddress(customer=customer)
        address.street = challenge.operation["street"]
        address.postal_code = challenge.operation["postal_code"]
        address.city = challenge.operation["city"]
        address.country = ""
        address.save()
        audit_record(
            action=CUSTOMER_ADDRESS_CHANGED,
            actor=actor,
            obj=customer,
            now=now,
            data=otp_confirmation(challenge),
            **audit_diff(before, audit_snapshot(address, fields=fields)),
        )
        notification_send(customer=customer, kind=NotificationKind.ADDRESS_CHANGED, now=now)
    return address
