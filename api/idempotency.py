"""Idempotent writes: a write's ``Idempotency-Key`` keeps its first response, which a replay gets back.

The key is scoped to the client. The record is written in the same transaction as the write, so a
write either happened with its key recorded or did not happen at all. A refused write (a problem
response) records nothing: nothing changed, and the same key may be sent again. The same key with
another method, path or body is refused (409). Keys are kept
``KARTOSFERA_API_IDEMPOTENCY_RETENTION_HOURS`` (48 h by default), then purged daily.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from pydantic import BaseModel

from api.errors import IdempotencyKeyReused
from api.models import ApiClient, IdempotencyRecord


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def idempotent_write(
    *,
    client: ApiClient,
    key: str,
    method: str,
    path: str,
    body: bytes,
    write: Callable[[], tuple[int, BaseModel]],
    now: datetime,
) -> tuple[int, dict]:
    """Run ``write`` once per key; returns (status, response body), the first one's on a replay.

    :raises IdempotencyKeyReused: the key came with another request.
    """
    fingerprint = request_fingerprint(method, path, body)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.select_for_update().filter(client=client, key=key).first()
                if record is not None:
                    if record.request_hash != fingerprint:
                        raise IdempotencyKeyReused(f"key {key}")
                    return record.status_code, record.response_body
                status, response = write()
                payload = response.model_dump(mode="json")
                IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=method,
                    path=path[:255],
                    request_hash=fingerprint,
                    status_code=status,
                    response_body=payload,
                    created_at=now,
                )
                return status, payload
        except IntegrityError:
            # The same key in two requests at once: the other one committed first; answer as a replay.
            continue
    raise IdempotencyKeyReused(f"key {key} in use")


def idempotency_records_purge(*, now: datetime) -> int:
    """Forget keys older than the retention period; returns how many."""
    cutoff = now - timedelta(hours=settings.KARTOSFERA_API_IDEMPOTENCY_RETENTION_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
