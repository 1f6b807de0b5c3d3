"""Demo: an API client for the bank's integration hub, and how to call the API with it."""

from datetime import datetime

from api.models import ApiClient
from api.services import SCOPES, api_client_create
from cards.models import Card
from demo import SITE

DEMO_CLIENT_NAME = "demo-integration-hub"
DEMO_CLIENT_ID = "kartosfera-demo-integration-hub"
# A demo credential printed for the person trying the demo; never used outside `make demo`.
DEMO_CLIENT_SECRET = "demo-secret-integration-hub-not-for-production"  # noqa: S105
BASE = SITE
TAKE_ACCESS_TOKEN = "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"  # noqa: S105 (a shell snippet)


def seed(*, now: datetime) -> list[str]:
    if not ApiClient.objects.filter(name=DEMO_CLIENT_NAME).exists():
        api_client_create(
            name=DEMO_CLIENT_NAME,
            scopes=list(SCOPES),
            actor=None,
            now=now,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
        )
    card = Card.objects.filter(status=Card.Status.ACTIVE).select_related("customer").order_by("pk").first()
    lines = [
        f"Bank systems API: {BASE}/api/v1/docs (OpenAPI: {BASE}/api/v1/openapi.json; docs/API.md)",
        f"  client id {DEMO_CLIENT_ID}, secret {DEMO_CLIENT_SECRET}, every scope. A token:",
        f"  TOKEN=$(curl -s -u {DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET} -d grant_type=client_credentials "
        f"{BASE}/api/oauth/token/ | python3 -c {TAKE_ACCESS_TOKEN})",
    ]
    if card is None:
        return lines
    transaction = (
        '{"transactions": [{"processor_reference": "DEMO-\'$REF\'", '
        f'"card_token": "{card.processor_token}", "status": "SETTLED", "channel": "INTERNET", '
        '"merchant_name": "Allegro.pl", "mcc": "5732", "merchant_city": "Poznań", "merchant_country": "PL", '
        '"original_amount": "349.99", "original_currency": "PLN", "amount_pln": "349.99", '
        '"executed_at": "\'$(date -u -d "2 days ago" +%Y-%m-%dT%H:%M:%SZ)\'", '
        '"debited_on": "\'$(date -u -d yesterday +%F)\'", "processed_on": "\'$(date -u -d yesterday +%F)\'", '
        '"sca_applied": false}]}'
    )
    claim = (
        f'{{"customer_id": {card.customer_id}, "card_token": "{card.processor_token}", '
        '"processor_references": ["DEMO-\'$REF\'"], "channel": "PHONE", "cause": "MISAPPROPRIATED", '
        '"received_at": "\'$(date -u +%Y-%m-%dT%H:%M:%SZ)\'", '
        '"account": "Klient nie rozpoznaje zakupu w internecie."}'
    )
    lines += [
        "  A transaction fed, then a claim filed for it (run in one shell, after TOKEN=...):",
        "  REF=$(date +%s)",
        f'  curl -s -X POST {BASE}/api/v1/transactions/batch -H "Authorization: Bearer $TOKEN" '
        f"-H \"Idempotency-Key: tx-$REF\" -H 'Content-Type: application/json' -d '{transaction}'",
        f'  curl -s -X POST {BASE}/api/v1/claims -H "Authorization: Bearer $TOKEN" '
        f"-H \"Idempotency-Key: claim-$REF\" -H 'Content-Type: application/json' -d '{claim}'",
    ]
    return lines
