"""Authentication of the calling systems: an OAuth 2.0 bearer token (client credentials), its scope,
and the client's rate limit. The client's user becomes ``request.user``: the actor of what it does."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from api.errors import RateLimited, ScopeMissing, Unauthenticated
from api.models import ApiClient
from api.selectors import token_grant
from kartosfera.clock import now

TOKEN_PATH = "/api/oauth/token/"  # noqa: S105 (a URL path, not a password)


def rate_limit_count(*, client_id: str, now: datetime) -> int:
    """Count one request of the client in the minute of ``now``; returns the minute's count so far.

    The counter lives in Django's default cache: Redis in production (``REDIS_CACHE_URL``), shared by
    every web process, so a client's limit holds across them; local memory otherwise (one process).
    ``incr`` is atomic in Redis, so two processes never lose a count.
    """
    key = f"api-rate:{client_id}:{int(now.timestamp() // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        return 1


def rate_limit_check(client: ApiClient) -> None:
    """Count the request in the client's current minute.

    :raises RateLimited: past the client's limit (its own, else KARTOSFERA_API_RATE_LIMIT_PER_MINUTE).
    """
    limit = client.rate_limit_per_minute or settings.KARTOSFERA_API_RATE_LIMIT_PER_MINUTE
    if rate_limit_count(client_id=client.application.client_id, now=now()) > limit:
        raise RateLimited(f"client {client.pk}", limit=limit)


class ClientToken(HttpBearer):
    """A bearer token of an API client that carries ``scope``."""

    openapi_type = "oauth2"
    openapi_flows = {
        "clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": dict(settings.KARTOSFERA_API_SCOPES)}
    }

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()
        # One security scheme for every scope (the OpenAPI document names it after the class).
        self.openapi_security_schema.pop("scheme", None)

    def __call__(self, request: HttpRequest) -> ApiClient:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("no bearer token")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient:
        """:raises Unauthenticated, ScopeMissing, RateLimited:"""
        grant = token_grant(token=token)
        if grant is None:
            raise Unauthenticated("unknown or expired token")
        if self.scope not in grant.scopes:
            raise ScopeMissing(f"needs {self.scope}", scope=self.scope)
        rate_limit_check(grant.client)
        # The audit context reads request.user lazily: the calling system's user is the actor.
        request.user = grant.client.user
        return grant.client
