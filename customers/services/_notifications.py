"""What the bank writes to a customer: one text message and one e-mail per event, in their language.

:func:`notification_send` is the one way in. It writes the :class:`Notification` rows in the caller's
transaction (so a message exists exactly when the act it reports was committed) and asks, after
commit, for their delivery (``customers.tasks.deliver_notifications``); :func:`notification_deliver`
hands one row to the SMS sender or to Django's e-mail framework and records when it left. A message
never carries a secret: no code, no full card or phone number.
"""

import logging
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Notification, NotificationChannel, NotificationKind
from customers.sms import SmsMessage, SmsSendError, get_sms_backend
from kartosfera.formatting import format_long_date, format_money
from outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)

DELIVER_TASK = "customers.tasks.deliver_notifications"

# The message of each kind; the text message is "Kartosfera: " and this, the e-mail its body.
MESSAGES: dict[str, Promise] = {
    NotificationKind.CLAIM_RECEIVED: _(
        "We have received your claim %(number)s. We will reply by %(reply_due)s. "
        "You can follow it under “My claims” in the portal."
    ),
    NotificationKind.REFUND_MADE: _(
        "We have refunded %(amount)s to your account for the transactions of claim %(number)s. "
        "The refund is provisional until we decide on the claim."
    ),
    NotificationKind.INFORMATION_REQUESTED: _(
        "To handle your claim %(number)s we need the following from you: %(questions)s "
        "Please answer by %(respond_by)s under “My claims” in the portal."
    ),
    NotificationKind.REPLY_EXTENDED: _(
        "We need more time to reply to your claim %(number)s: %(reason)s "
        "We expect to reply by %(expected_on)s."
    ),
    NotificationKind.DECISION_ISSUED: _(
        "We have decided on your claim %(number)s: %(outcome)s. The letter with the reasons is under "
        "“My claims” in the portal."
    ),
    # Not "we have decided": the bank did not reply in time, and the law deems the claim accepted (REK-8).
    NotificationKind.CLAIM_DEEMED_ACCEPTED: _(
        "We did not reply to your claim %(number)s by %(reply_due)s, so by law it is accepted in full: "
        "we return everything you claimed. The letter about it is under “My claims” in the portal."
    ),
    # A debit is never silent: the customer learns the amount, the day and why (a withdrawn claim's
    # refund reversed, or their share under the decision recovered).
    NotificationKind.MONEY_TAKEN_BACK: _(
        "On %(day)s we took %(amount)s back from your account in connection with claim %(number)s: %(reason)s"
    ),
    NotificationKind.CARD_BLOCKED: _(
        "Your card %(card)s has been blocked. If you did not do this, call us at once on %(line)s."
    ),
    NotificationKind.CARD_UNBLOCKED: _(
        "Your card %(card)s has been unblocked and can be used again. If you did not do this, call us at "
        "once on %(line)s."
    ),
    NotificationKind.CARD_CANCELLED: _(
        "Your card %(card)s has been cancelled for good, and so has every phone or watch it was added "
        "to. If you did not do this, call us at once on %(line)s."
    ),
    NotificationKind.PIN_CHANGED: _(
        "The PIN of your card %(card)s has been changed. If you did not do this, block the card in the "
        "portal or call us on %(line)s."
    ),
    NotificationKind.PASSWORD_CHANGED: _(
        "Your portal password has been changed and other devices have been signed out. If you did not do "
        "this, call us at once on %(line)s."
    ),
    NotificationKind.PHONE_CHANGED: _(
        "The mobile number for your codes has been changed to %(new_phone)s. If you did not do this, call "
        "us at once on %(line)s."
    ),
    NotificationKind.EMAIL_CHANGED: _(
        "The e-mail address we write to has been changed to %(new_email)s. If you did not do this, call us "
        "at once on %(line)s."
    ),
    NotificationKind.ADDRESS_CHANGED: _(
        "The postal address for your letters has been changed. If you did not do this, call us at once on "
        "%(line)s."
    ),
}


def _format(value: Any, language: str) -> str:
    """A parameter as the customer reads it: dates in words, amounts with their currency."""
    if isinstance(value, Decimal):
        return format_money(value, language=language)
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_long_date(value, language=language)
    return str(value)


def notification_text(*, kind: str, params: Mapping[str, Any], language: str) -> tuple[str, str, str]:
    """The subject, the e-mail body and the text message of one notification, in ``language``."""
    with translation.override(language):
        values = {name: _format(value, language) for name, value in params.items()}
        values.setdefault("line", settings.KARTOSFERA_EMERGENCY_LINE)
        message = str(MESSAGES[kind]) % values
        subject = gettext("Kartosfera: %(subject)s") % {"subject": str(NotificationKind(kind).label)}
        sms = gettext("Kartosfera: %(message)s") % {"message": message}
        email = gettext(
            "Hello,\n\n%(message)s\n\nKartosfera\n\nThis message was sent automatically; please do not "
            "reply to it. We never ask for a code, a PIN or a password by e-mail."
        ) % {"message": message}
    return subject, email, sms


def notification_send(
    *,
    customer: Customer,
    kind: str,
    now: datetime,
    params: Mapping[str, Any] | None = None,
    extra_phones: tuple[str, ...] = (),
    extra_emails: tuple[str, ...] = (),
) -> list[Notification]:
    """Record a text message (to the customer's mobile and each of ``extra_phones``) and an e-mail (to the
    customer's address, if any, and each of ``extra_emails``) about ``kind``; deliver them once the
    caller's transaction commits.

    ``params`` fill the message; dates and amounts are formatted in the customer's language.
    """
    language = customer.preferred_language
    subject, email_body, sms_body = notification_text(kind=kind, params=params or {}, language=language)
    common = {"customer": customer, "kind": kind, "language": language, "created_at": now}
    rows = [
        Notification(**common, channel=NotificationChannel.SMS, recipient=phone, body=sms_body)
        for phone in dict.fromkeys((customer.mobile_phone, *extra_phones))
    ]
    rows += [
        Notification(
            **common, channel=NotificationChannel.EMAIL, recipient=email, subject=subject, body=email_body
        )
        for email in dict.fromkeys((customer.email, *extra_emails))
        if email
    ]
    # The rows and their delivery task commit together with the caller's act (the outbox publishes the
    # task after commit, and its sweep again while the broker is down): nothing is lost or sent early.
    # No savepoint: a failure here fails the caller's act, which nobody continues after it.
    with transaction.atomic(savepoint=False):
        rows = Notification.objects.bulk_create(rows)
        outbox_enqueue(task=DELIVER_TASK, kwargs={"notification_ids": [row.pk for row in rows]}, now=now)
    return rows


class NotificationNotSent(Exception):
    """The sender refused or could not be reached; the row keeps the error and is tried again."""


def notification_deliver(*, notification_id: int, now: datetime) -> bool:
    """Send one recorded notification unless it has left already; True when it leaves now.

    :raises NotificationNotSent: the SMS gateway or the mail server failed (recorded on the row).
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.sent_at is not None:
            return False
        notification.attempts += 1
        try:
            if notification.channel == NotificationChannel.SMS:
                get_sms_backend().send(SmsMessage(to=notification.recipient, body=notification.body))
            else:
                EmailMessage(
                    subject=notification.subject,
                    body=notification.body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[notification.recipient],
                ).send(fail_silently=False)
        except (SmsSendError, OSError) as error:
            notification.last_error = f"{type(error).__name__}: {error}"[:200]
            notification.save(update_fields=["attempts", "last_error"])
            failure = error
        else:
            notification.sent_at = now
            notification.last_error = ""
            notification.save(update_fields=["attempts", "last_error", "sent_at"])
            logger.info(
                "Notification %s (%s, %s) sent", notification.pk, notification.kind, notification.channel
            )
            return True
    logger.warning("Notification %s not sent: %s", notification_id, type(failure).__name__)
    raise NotificationNotSent(str(failure)) from failure
