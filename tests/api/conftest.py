"""API clients with tokens, a theft claim's card and transactions fed through the API."""

import base64
import json
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from api.services import SCOPES, api_client_create
from kartosfera.clock import now
from tests.disputes.conftest import (  # noqa: F401 (fixtures used by the API tests)
    RECEIVED_AT,
    _media,
    analyst,
    case,
    eur_rates,
    make_theft,
    supervisor,
    theft,
    warsaw,
)


@dataclass
class Caller:
    """A calling system: its client, credentials and a token, and a test client that sends the token."""

    client: object
    client_id: str
    client_secret: str
    token: str
    http: Client

    def _headers(self, key: str | None, language: str) -> dict:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", "HTTP_ACCEPT_LANGUAGE": language}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return headers

    def post(self, path: str, body: dict, *, key: str | None = "auto", language: str = "en"):
        key = uuid.uuid4().hex if key == "auto" else key
        return self.http.post(
            path, data=json.dumps(body), content_type="application/json", **self._headers(key, language)
        )

    def get(self, path: str, params: dict | None = None, *, language: str = "en"):
        return self.http.get(path, params or {}, **self._headers(None, language))

    def delete(self, path: str, *, language: str = "en"):
        return self.http.delete(path, **self._headers(None, language))


def token_for(client_id: str, client_secret: str, scopes: list[str]) -> str:
    credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    response = Client().post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", "scope": " ".join(scopes)},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def make_caller(name: str, scopes: list[str], *, rate_limit: int | None = None) -> Caller:
    created = api_client_create(
        name=name, scopes=scopes, actor=None, now=now(), rate_limit_per_minute=rate_limit
    )
    token = token_for(created.client_id, created.client_secret, scopes)
    return Caller(created.client, created.client_id, created.client_secret, token, Client())


@pytest.fixture
def bank(db) -> Caller:
    """The bank's integration hub, with every scope."""
    return make_caller("integration-hub", list(SCOPES))


@pytest.fixture
def feed_only(db) -> Caller:
    """The issuer-processor's transaction feed: transactions:write only."""
    return make_caller("processor-feed", ["transactions:write"])
