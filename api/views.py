"""/api/v1/: the endpoints. Each parses its input, makes one service or selector call (writes through
``idempotent_write``), and leaves every refusal to the one problem mapping (api.errors)."""

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import Field

from api import presenters, selectors, services
from api.auth import TOKEN_PATH, ClientToken
from api.errors import (
    PROBLEM_CONTENT_TYPE,
    RequestInvalid,
    ResourceNotFound,
    Unauthenticated,
    problem_for,
    validation_errors,
)
from api.idempotency import idempotent_write
from api.models import ApiClient
from api.schemas import (
    DB_ID,
    CardIn,
    CardOut,
    ChargebackEventIn,
    ChargebackOut,
    ClaimIn,
    ClaimOut,
    ClaimPageOut,
    CustomerIn,
    CustomerOut,
    Instant,
    Problem,
    TransactionBatchIn,
    TransactionBatchOut,
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
)
from kartosfera.clock import now
from kartosfera.refusals import Refusal

DESCRIPTION = """The machine interface of Kartosfera for the bank's other systems (docs/API.md).

Authenticate with OAuth 2.0 client credentials at `POST /api/oauth/token/`; every write takes an
`Idempotency-Key`; every refusal is an RFC 9457 problem (`application/problem+json`) with a stable
`code`, its title in the language of `Accept-Language` (pl, en)."""


class KartosferaApi(NinjaAPI):
    """The API, whose OpenAPI document says how refusals are served and how answers link to calls."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return _with_links(_with_problem_media_type(schema))


class ClientRequest(HttpRequest):
    """A request ninja has authenticated: ``auth`` is the calling client (``ClientToken``)."""

    auth: ApiClient


api = KartosferaApi(
    title="Kartosfera bank systems API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description="A unique key per write (e.g. a UUID); a replay returns the first response.",
    ),
]
REFUSALS = {code: Problem for code in (400, 401, 403, 404, 409, 422, 429)}
READ_REFUSALS = {code: Problem for code in (401, 403, 404, 422, 429)}


def _problem(request: HttpRequest, error: Refusal) -> HttpResponse:
    status, problem = problem_for(error, instance=request.path)
    response = api.create_response(request, problem, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def domain_refusal(request: HttpRequest, error: Exception | type[Exception]) -> HttpResponse:
    """Every refusal of the domain or the API, through the one mapping; anything else is a server error.

    Ninja's handler type takes an exception class too; it passes the raised instance."""
    if isinstance(error, Refusal):
        return _problem(request, error)
    if isinstance(error, NinjaValidationError):
        errors = [
            {
                "field": ".".join(str(part) for part in e.get("loc", ())[1:]),
                "code": e.get("type", "invalid"),
                "message": e.get("msg", ""),
            }
            for e in error.errors
        ]
        return _problem(request, RequestInvalid("validation", errors=errors))
    if isinstance(error, DjangoValidationError):
        return _problem(request, RequestInvalid("validation", errors=validation_errors(error)))
    if isinstance(error, AuthenticationError):
        return _problem(request, Unauthenticated("no token"))
    if isinstance(error, Http404):
        return _problem(request, ResourceNotFound("route", resource="resource"))
    if isinstance(error, HttpError):
        return _problem(request, RequestInvalid(str(error)))
    raise error


# Ninja looks a handler up by the exception's class first: the same one for every kind of refusal.
for _refusal in (Exception, NinjaValidationError, HttpError, Http404):
    api.add_exception_handler(_refusal, domain_refusal)


def _write(request: ClientRequest, key: str, write: Callable[[], tuple[int, Any]]) -> Status:
    status, body = idempotent_write(
        client=request.auth,
        key=key,
        method=request.method or "",
        path=request.path,
        body=request.body,
        write=write,
        now=now(),
    )
    return Status(status, body)


class _Scoped(TypedDict):
    auth: ClientToken
    openapi_extra: dict[str, Any]


def _scoped(scope: str) -> _Scoped:
    """An endpoint's arguments for ``scope``: the token check, and the scope its OpenAPI operation names."""
    return {"auth": ClientToken(scope), "openapi_extra": {"security": [{"ClientToken": [scope]}]}}


@api.post(
    "/customers",
    **_scoped("customers:write"),
    response={200: CustomerOut, 201: CustomerOut, **REFUSALS},
    tags=["customers"],
    summary="Create or update a customer (by PESEL or bank id)",
)
def customer_upsert(request: ClientRequest, payload: CustomerIn, idempotency_key: IdempotencyKey):
    def write():
        customer, created = services.customer_upsert(
            client=request.auth, data=services.CustomerData(**payload.dict()), now=now()
        )
        return (201 if created else 200), presenters.customer_out(customer, created)

    return _write(request, idempotency_key, write)


@api.post(
    "/cards",
    **_scoped("customers:write"),
    response={200: CardOut, 201: CardOut, **REFUSALS},
    tags=["customers"],
    summary="Create or update a card (processor token and last four digits, never the number)",
)
def card_upsert(request: ClientRequest, payload: CardIn, idempotency_key: IdempotencyKey):
    def write():
        card, created = services.card_upsert(
            client=request.auth, data=services.CardData(**payload.dict()), now=now()
        )
        return (201 if created else 200), presenters.card_out(card, created)

    return _write(request, idempotency_key, write)


@api.post(
    "/transactions/batch",
    **_scoped("transactions:write"),
    response={200: TransactionBatchOut, **REFUSALS},
    tags=["transactions"],
    summary="Feed up to 1,000 authorisation and clearing records (idempotent on processor_reference)",
)
def transactions_feed(request: ClientRequest, payload: TransactionBatchIn, idempotency_key: IdempotencyKey):
    records = [
        services.FeedRecord(
            processor_reference=values.pop("processor_reference"),
            card_token=values.pop("card_token"),
            values=values,
        )
        for values in payload.model_dump()["transactions"]  # one call for the whole batch
    ]
    request_sha256 = hashlib.sha256(request.body).hexdigest()

    def write():
        outcomes = services.transactions_ingest(
            client=request.auth, records=records, request_sha256=request_sha256, now=now()
        )
        return 200, presenters.batch_out(outcomes)

    return _write(request, idempotency_key, write)


@api.post(
    "/claims",
    **_scoped("claims:write"),
    response={201: ClaimOut, **REFUSALS},
    tags=["claims"],
    summary="File a claim the customer made at a branch, by phone or on the 828 line",
)
def claim_file(request: ClientRequest, payload: ClaimIn, idempotency_key: IdempotencyKey):
    def write():
        case = services.claim_file(client=request.auth, data=services.ClaimData(**payload.dict()), now=now())
        return 201, presenters.claim_out(selectors.claim_get(claim_id=case.pk))

    return _write(request, idempotency_key, write)


@api.get(
    "/claims/{claim_id}",
    **_scoped("claims:read"),
    response={200: ClaimOut, **READ_REFUSALS},
    tags=["claims"],
    summary="A claim: state, deadlines with their rule ids, liability, letters, chargebacks",
)
def claim_get(request: HttpRequest, claim_id: DB_ID):
    return presenters.claim_out(selectors.claim_get(claim_id=claim_id))


@api.get(
    "/claims",
    **_scoped("claims:read"),
    response={200: ClaimPageOut, **READ_REFUSALS},
    tags=["claims"],
    summary="Claims changed since a time or a cursor, oldest change first",
)
def claim_list(
    request: HttpRequest,
    updated_since: Instant | None = None,
    cursor: Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")] = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
):
    page, next_cursor = selectors.claim_page(updated_since=updated_since, cursor=cursor, limit=limit)
    return ClaimPageOut(items=[presenters.claim_out(case) for case in page], next_cursor=next_cursor)


@api.post(
    "/chargebacks/{chargeback_id}/events",
    **_scoped("chargebacks:write"),
    response={200: ChargebackOut, **REFUSALS},
    tags=["chargebacks"],
    summary="A chargeback event from the scheme or the issuer-processor",
)
def chargeback_event(
    request: ClientRequest, chargeback_id: DB_ID, payload: ChargebackEventIn, idempotency_key: IdempotencyKey
):
    def write():
        chargeback = services.chargeback_event_apply(
            client=request.auth,
            chargeback_id=chargeback_id,
            event=payload.event,
            reason=payload.reason,
            now=now(),
        )
        return 200, presenters.chargeback_out(chargeback)

    return _write(request, idempotency_key, write)


@api.get(
    "/webhooks/endpoints",
    **_scoped("webhooks:manage"),
    response={200: list[WebhookEndpointOut], **READ_REFUSALS},
    tags=["webhooks"],
    summary="The client's webhook endpoints",
)
def webhook_endpoint_list(request: ClientRequest):
    return [presenters.endpoint_out(e) for e in selectors.webhook_endpoints_of(client=request.auth)]


@api.post(
    "/webhooks/endpoints",
    **_scoped("webhooks:manage"),
    response={201: WebhookEndpointCreatedOut, **REFUSALS},
    tags=["webhooks"],
    summary="Register a webhook endpoint (its signing secret is in this answer only)",
)
def webhook_endpoint_create(
    request: ClientRequest, payload: WebhookEndpointIn, idempotency_key: IdempotencyKey
):
    def write():
        endpoint = services.webhook_endpoint_create(
            client=request.auth, url=payload.url, event_types=payload.event_types, now=now()
        )
        return 201, presenters.endpoint_out(endpoint, with_secret=True)

    return _write(request, idempotency_key, write)


@api.delete(
    "/webhooks/endpoints/{endpoint_id}",
    **_scoped("webhooks:manage"),
    response={204: None, **REFUSALS},
    tags=["webhooks"],
    summary="Stop sending events to an endpoint",
)
def webhook_endpoint_delete(request: ClientRequest, endpoint_id: DB_ID):
    services.webhook_endpoint_delete(client=request.auth, endpoint_id=endpoint_id, now=now())
    return Status(204, None)


@api.get(
    "/webhooks/deliveries",
    **_scoped("webhooks:manage"),
    response={200: list[WebhookDeliveryOut], **READ_REFUSALS},
    tags=["webhooks"],
    summary="The latest deliveries to the client's endpoints",
)
def webhook_delivery_list(request: ClientRequest):
    return [presenters.delivery_out(d) for d in selectors.webhook_deliveries_of(client=request.auth)]


def _with_problem_media_type(schema: OpenAPISchema) -> OpenAPISchema:
    """Refusals are served as application/problem+json: say so in the document. Each operation's security
    requirement names its scope (ninja adds one without scopes beside the one each operation declares)."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            operation["security"] = [req for req in operation.get("security", []) if any(req.values())]
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
    return schema


# OpenAPI links: how an answer's ids feed the next call (a client's generator, and Schemathesis's stateful
# phase, follow them). (operation, status code) -> {link name: (target operation, parameters)}.
LINKS = {
    ("claim_file", 201): {
        "GetClaim": ("claim_get", {"claim_id": "$response.body#/id"}),
    },
    ("claim_list", 200): {
        "GetFirstClaim": ("claim_get", {"claim_id": "$response.body#/items/0/id"}),
    },
    ("webhook_endpoint_create", 201): {
        "ListEndpoints": ("webhook_endpoint_list", {}),
        "DeleteEndpoint": ("webhook_endpoint_delete", {"endpoint_id": "$response.body#/id"}),
        "ListDeliveries": ("webhook_delivery_list", {}),
    },
    ("claim_get", 200): {
        "ListClaimsChangedSince": ("claim_list", {"updated_since": "$response.body#/updated_at"}),
    },
}


def _with_links(schema: OpenAPISchema) -> OpenAPISchema:
    """Declare ``LINKS`` on the operations' responses (ninja names operations ``api_views_<function>``)."""
    operations = {
        operation["operationId"].removeprefix("api_views_"): operation
        for path in schema.get("paths", {}).values()
        for operation in path.values()
    }
    for (source, status), links in LINKS.items():
        responses = operations[source]["responses"]
        responses[status if status in responses else str(status)]["links"] = {
            name: {"operationId": operations[target]["operationId"], "parameters": parameters}
            for name, (target, parameters) in links.items()
        }
    return schema


TOKEN_URL = TOKEN_PATH
__all__ = ["api", "datetime"]
