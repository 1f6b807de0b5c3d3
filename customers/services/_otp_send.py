"""The task side of a one-time password (``customers.tasks.send_otp``): make the code, store its
hash, text it.

The request that asked for the code (:func:`customers.services.otp_issue`, :func:`otp_resend`) queued only
the challenge id and the send's number; the code exists only here, in this process's memory and the
text message.
"""

import logging
import secrets

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from customers.models import Customer, OtpChallenge, OtpPurpose
from customers.services._otp import _hash, _policy
from customers.services._otp_errors import OtpDeliveryFailed
from customers.sms import SmsMessage, SmsSendError, get_sms_backend, masked_phone

logger = logging.getLogger(__name__)


def _new_code() -> str:
    digits = _policy("DIGITS")
    return f"{secrets.randbelow(10**digits):0{digits}d}"


@sensitive_variables("code")
def _sms_text(challenge: OtpChallenge, code: str, customer: Customer) -> str:
    with translation.override(customer.preferred_language):
        purpose = str(OtpPurpose(challenge.purpose).label)  # translated in the customer's language
        # The card the code is for (dynamic linking: the customer sees what they confirm).
        if challenge.operation.get("card"):
            purpose = f"{purpose} {challenge.operation['card']}"
        return gettext(
            "Kartosfera: your code for %(purpose)s is %(code)s. It is valid for %(minutes)s minutes. "
            "Never give it to anyone, including bank staff."
        ) % {"purpose": purpose, "code": code, "minutes": _policy("TTL_SECONDS") // 60}


@sensitive_variables("code")
def otp_send_queued(*, challenge_id: int | None, send: int) -> bool:
    """Make, store (as its hash) and text the code of send number ``send`` of a queued challenge; True
    when a text left now.

    Nothing is sent for a decoy (``challenge_id`` None), for a send a resend replaced, for one whose
    text left already (a redelivered task), or for a request that is over (used, verified, void). The
    code's validity runs from the request (``expires_at``), as the resend interval does.

    :raises OtpDeliveryFailed: the gateway refused or could not be reached; the task tries again with
        a new code (this one was never read by anyone).
    """
    if challenge_id is None:
        return False
    code = _new_code()
    with transaction.atomic():
        challenge = (
            OtpChallenge.objects.select_for_update()
            .select_related("customer")
            .filter(pk=challenge_id)
            .first()
        )
        if (
            challenge is None
            or challenge.send_count != send
            or challenge.delivered_send >= send
            or challenge.verified_at is not None
            or challenge.consumed_at is not None
            or challenge.voided_at is not None
        ):
            return False
        challenge.code_salt = secrets.token_hex(16)
        challenge.code_hash = _hash(challenge.code_salt, code)
        challenge.save(update_fields=["code_salt", "code_hash"])
    # The hash is committed before the text leaves (no lock held while the gateway answers): the code
    # works as soon as it can arrive.
    try:
        get_sms_backend().send(
            SmsMessage(to=challenge.phone, body=_sms_text(challenge, code, challenge.customer))
        )
    except SmsSendError as error:
        logger.warning("OTP %s (%s) send %s not delivered: %s", challenge.pk, challenge.purpose, send, error)
        raise OtpDeliveryFailed from error
    OtpChallenge.objects.filter(pk=challenge.pk, delivered_send__lt=send).update(delivered_send=send)
    logger.info(
        "OTP %s (%s) sent to %s, send %s",
        challenge.pk,
        challenge.purpose,
        masked_phone(challenge.phone),
        send,
    )
    return True
