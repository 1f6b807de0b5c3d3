"""Rate limits counted in the database, so every web process sees the same counts.

A limit is a scope (what is counted), a key within it (a phone number, an address; ``*`` for all)
and at most ``limit`` hits in a sliding ``window``. Keys are stored as an HMAC, never in clear.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.crypto import salted_hmac

from customers.models import ThrottleHit
from customers.services._errors import ServiceError

# Hits are kept this long (longer than any window), then deleted a batch at a time as new ones come.
_KEEP = timedelta(days=1)
_PURGE_BATCH = 200

# What is counted.
OTP_TEXT_TO_PHONE = "otp_text_phone"
ACCESS_START_FROM_ADDRESS = "access_start_address"
ACCESS_START_ALL = "access_start_all"
EVERYONE = "*"


class ThrottleExceeded(ServiceError):
    """A rate limit is reached (the caller raises its own, worded, error)."""


def _digest(scope: str, key: str) -> str:
    return salted_hmac("customers.throttle", f"{scope}:{key}", algorithm="sha256").hexdigest()


def throttle_hit(*, scope: str, key: str, limit: int, window: timedelta, now: datetime) -> None:
    """Count one act for ``key`` in ``scope``, unless ``limit`` acts were counted in the last ``window``.

    :raises ThrottleExceeded: the limit is reached; nothing is counted.
    """
    digest = _digest(scope, key)
    with transaction.atomic():
        recent = ThrottleHit.objects.filter(scope=scope, key=digest, occurred_at__gt=now - window)
        if recent.count() >= limit:
            raise ThrottleExceeded
        ThrottleHit.objects.create(scope=scope, key=digest, occurred_at=now)
        stale = ThrottleHit.objects.filter(occurred_at__lt=now - _KEEP).values_list("pk", flat=True)[
            :_PURGE_BATCH
        ]
        ThrottleHit.objects.filter(pk__in=list(stale)).delete()


def throttle_count(*, scope: str, key: str, window: timedelta, now: datetime) -> int:
    """How many acts were counted for ``key`` in ``scope`` in the last ``window``."""
    return ThrottleHit.objects.filter(
        scope=scope, key=_digest(scope, key), occurred_at__gt=now - window
    ).count()
