"""Celery tasks of the customers app: delivering the notifications the services recorded, texting queued
one-time codes."""

from celery import shared_task
from django.conf import settings

from customers import services
from kartosfera.clock import now


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_notifications(self, *, notification_ids: list[int]) -> dict[str, int]:
    """Send each recorded notification that has not left yet; the ones a sender refused are tried again
    later (with a growing pause), so a gateway or mail server that is down loses nothing."""
    sent, failed = 0, []
    for notification_id in notification_ids:
        try:
            sent += services.notification_deliver(notification_id=notification_id, now=now())
        except services.NotificationNotSent:
            failed.append(notification_id)
    retries = self.request.retries
    if failed and not self.request.is_eager and retries < settings.KARTOSFERA_NOTIFICATION_RETRIES:
        raise self.retry(kwargs={"notification_ids": failed}, countdown=min(3600, 30 * 2**retries))
    return {"sent": sent, "failed": len(failed)}


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_otp(self, *, challenge_id: int | None, send: int) -> bool:
    """Make and text a one-time code, whatever it confirms (the request that asked for it queued only its
    id); a gateway failure is tried again ``KARTOSFERA_OTP["SEND_RETRIES"]`` times, 10, 20, 40 s apart."""
    try:
        return services.otp_send_queued(challenge_id=challenge_id, send=send)
    except services.OtpDeliveryFailed as error:
        retries = self.request.retries
        if self.request.is_eager or retries >= settings.KARTOSFERA_OTP["SEND_RETRIES"]:
            raise  # the outbox row records the failure; the customer can ask for a new code
        raise self.retry(
            kwargs={"challenge_id": challenge_id, "send": send}, countdown=10 * 2**retries
        ) from error
