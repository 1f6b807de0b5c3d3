"""The API's clients (OAuth 2.0 client credentials) and their webhook endpoints."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from oauth2_provider.models import Application

from api.errors import RequestInvalid, ResourceNotFound
from api.models import ApiClient, WebhookEndpoint, WebhookEventType
from audit.services import audit_record
from customers.models import User
from kartosfera.authz import HANDLE_CASE, VIEW_CASE
from kartosfera.refusals import bounded_text

SCOPES = tuple(settings.KARTOSFERA_API_SCOPES)
# The scopes whose writes go through the dispute workflow, which asks for a case handler's permission.
WORKFLOW_SCOPES = frozenset({"claims:write", "chargebacks:write"})
# What such a client's user may do in the workflow: see and handle cases (never approve or supervise).
WORKFLOW_PERMISSIONS = (VIEW_CASE, HANDLE_CASE)

API_CLIENT_CREATED = "api.client_created"
API_WEBHOOK_ENDPOINT_SAVED = "api.webhook_endpoint_saved"
API_WEBHOOK_ENDPOINT_DELETED = "api.webhook_endpoint_deleted"


def _permissions_named(permissions: Sequence[str]) -> Q:
    """A filter of ``Permission`` for permissions named ``app_label.codename`` (``kartosfera.authz``)."""
    named = Q(pk__in=[])
    for permission in permissions:
        app_label, codename = permission.split(".")
        named |= Q(content_type__app_label=app_label, codename=codename)
    return named


@dataclass(frozen=True, slots=True)
class NewClient:
    """A created client and its secret, shown once (only its hash is stored)."""

    client: ApiClient
    client_id: str
    client_secret: str


def api_client_create(
    *,
    name: str,
    scopes: Sequence[str],
    actor: User | None,
    now: datetime,
    rate_limit_per_minute: int | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> NewClient:
    """Register a calling system: an OAuth 2.0 confidential client (client credentials) and its user.

    :raises RequestInvalid: an unknown scope or a name already taken.
    :raises TextTooLong: a name longer than the client's column holds.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not name.strip() or ApiClient.objects.filter(name=name).exists():
        raise RequestInvalid(f"scopes {unknown} or name {name!r}")
    bounded_text(ApiClient, "name", name)
    secret = client_secret or secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.create_user(username=f"api:{name}"[:150], password=None, is_active=True)
        user.set_unusable_password()
        user.save()
        # Recorded in the audit trail in the role SYSTEM (settings.KARTOSFERA_ROLE_GROUPS).
        group, _ = Group.objects.get_or_create(name=settings.KARTOSFERA_ROLE_GROUPS["SYSTEM"])
        user.groups.add(group)
        if WORKFLOW_SCOPES & set(scopes):
            user.user_permissions.add(*Permission.objects.filter(_permissions_named(WORKFLOW_PERMISSIONS)))
        application = Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            user=user,
            **({"client_id": client_id} if client_id else {}),
            allowed_origins="",
        )
        client = ApiClient.objects.create(
            name=name,
            application=application,
            user=user,
            scopes=sorted(set(scopes)),
            rate_limit_per_minute=rate_limit_per_minute,
            created_at=now,
        )
        audit_record(
            action=API_CLIENT_CREATED,
            actor=actor,
            obj=client,
            data={"name": name, "scopes": client.scopes},
            now=now,
        )
    return NewClient(client=client, client_id=application.client_id, client_secret=secret)


def webhook_endpoint_create(
    *, client: ApiClient, url: str, event_types: Sequence[str], now: datetime
) -> WebhookEndpoint:
    """Register where the client wants events; the signing secret is generated here and shown once.

    :raises RequestInvalid: an unknown event type. :raises TextTooLong: a URL longer than its column.
    """
    bounded_text(WebhookEndpoint, "url", url)
    unknown = sorted(set(event_types) - set(WebhookEventType.values))
    if unknown:
        raise RequestInvalid(
            f"event types {unknown}",
            errors=[{"field": "event_types", "code": "unknown", "message": f"unknown: {', '.join(unknown)}"}],
        )
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            client=client,
            url=url,
            secret="whsec_" + secrets.token_hex(24),
            event_types=sorted(set(event_types)) or sorted(WebhookEventType.values),
            created_at=now,
            updated_at=now,
        )
        audit_record(
            action=API_WEBHOOK_ENDPOINT_SAVED,
            actor=client.user,
            obj=endpoint,
            data={"url": url, "event_types": endpoint.event_types},
            now=now,
        )
    return endpoint


def webhook_endpoint_delete(*, client: ApiClient, endpoint_id: int, now: datetime) -> None:
    """Stop sending events to an endpoint (its delivery log stays).

    :raises ResourceNotFound:
    """
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update()
            .filter(client=client, pk=endpoint_id, active=True)
            .first()
        )
        if endpoint is None:
            raise ResourceNotFound(f"endpoint {endpoint_id}", resource="webhook endpoint")
        endpoint.active = False
        endpoint.updated_at = now
        endpoint.save(update_fields=["active", "updated_at"])
        audit_record(
            action=API_WEBHOOK_ENDPOINT_DELETED,
            actor=client.user,
            obj=endpoint,
            data={"url": endpoint.url},
            now=now,
        )
