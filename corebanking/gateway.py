"""The core banking system: where a posting actually moves money on the customer's account.

``settings.KARTOSFERA_CORE_BANKING_GATEWAY`` names the implementation (the pattern of
``cards/processor.py``). :class:`HttpCoreBankingGateway` speaks the core system's HTTP interface at
``settings.KARTOSFERA_CORE_BANKING_URL``; ``corebanking/simulator.py`` is a stand-in for it that runs
as its own process (tests and ``make demo`` start it) and can be told to fail.

Each posting carries an idempotency key; the core system applies a key at most once and answers a
repeated key with the first receipt. So the dispatcher may retry whatever happened (a time-out, a 5xx,
a lost answer, its own death mid-call) and the money moves exactly once.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, TypedDict, Unpack

import httpx
from django.conf import settings
from django.utils.module_loading import import_string


class CoreBankingError(Exception):
    """The core system did not confirm the posting; it may or may not have applied it (retry)."""


class CoreBankingTimeout(CoreBankingError):
    """No answer in time."""


class CoreBankingUnavailable(CoreBankingError):
    """The core system answered with a server error, or could not be reached."""


class CoreBankingRefused(CoreBankingError):
    """The core system refused the posting (a 4xx): it was not applied, and a retry will not help."""


@dataclass(frozen=True, slots=True)
class PostingReceipt:
    """The core system's confirmation of one posting."""

    idempotency_key: str
    core_reference: str
    applied_at: datetime


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One posting as the core system's statement of a business day shows it."""

    idempotency_key: str
    account: str
    direction: str
    amount: Decimal
    currency: str
    core_reference: str
    applications: int


class PostingOrder(TypedDict):
    """What one posting asks the core system to do: the keyword arguments of ``post``, every gateway's."""

    idempotency_key: str
    account: str
    direction: str
    amount: Decimal
    currency: str
    description: str


class CoreBankingGateway(Protocol):
    """What Kartosfera asks of the core banking system."""

    def post(self, **order: Unpack[PostingOrder]) -> PostingReceipt: ...

    def statement(self, *, business_date: date) -> list[StatementLine]: ...


class HttpCoreBankingGateway:
    """The core system's HTTP interface: ``POST /postings`` ``GET /statement``."""

    def __init__(self, base_url: str | None = None, timeout: float | None = None) -> None:
        self.base_url = (base_url or settings.KARTOSFERA_CORE_BANKING_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.KARTOSFERA_CORE_BANKING_TIMEOUT_SECONDS

    def post(self, **order: Unpack[PostingOrder]) -> PostingReceipt:
        idempotency_key = order["idempotency_key"]
        body = {
            "account": order["account"],
            "direction": order["direction"],
            "amount": str(order["amount"]),
            "currency": order["currency"],
            "description": order["description"],
        }
        try:
            response = httpx.post(
                f"{self.base_url}/postings",
                json=body,
                headers={"Idempotency-Key": idempotency_key},
                timeout=self.timeout,
            )
        except httpx.TimeoutException as exc:
            raise CoreBankingTimeout(f"no answer in {self.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise CoreBankingUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise CoreBankingUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise CoreBankingRefused(f"HTTP {response.status_code}: {response.text[:200]}")
        data = response.json()
        return PostingReceipt(
            idempotency_key=idempotency_key,
            core_reference=data["core_reference"],
            applied_at=datetime.fromisoformat(data["applied_at"]),
        )

    def statement(self, *, business_date: date) -> list[StatementLine]:
        try:
            response = httpx.get(
                f"{self.base_url}/statement", params={"date": business_date.isoformat()}, timeout=self.timeout
            )
            response.raise_for_status()
        except httpx.TimeoutException as exc:
            raise CoreBankingTimeout(f"no statement in {self.timeout}s") from exc
        except httpx.HTTPError as exc:
            raise CoreBankingUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return [
            StatementLine(
                idempotency_key=line["idempotency_key"],
                account=line["account"],
                direction=line["direction"],
                amount=Decimal(line["amount"]),
                currency=line["currency"],
                core_reference=line["core_reference"],
                applications=int(line["applications"]),
            )
            for line in response.json()["lines"]
        ]


def get_core_banking_gateway() -> CoreBankingGateway:
    """The configured gateway (``settings.KARTOSFERA_CORE_BANKING_GATEWAY``, a dotted path to a class)."""
    return import_string(settings.KARTOSFERA_CORE_BANKING_GATEWAY)()
