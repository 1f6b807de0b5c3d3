"""The request and response bodies of /api/v1/, as pydantic types (the OpenAPI document comes from them).

Every constraint the database would enforce is declared here too, so that a request the database
would refuse is answered 422 with the field named, never a server error. The transaction feed's
bodies are plain pydantic models: ninja's ``Schema`` adds a wrapping validator (for reading Django
objects) that costs a third of a 1,000-record batch.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, model_validator
from pydantic.fields import FieldInfo

from disputes.models import TEXT_LIMIT
from kartosfera.card_numbers import looks_like_card_number

DB_ID = Annotated[int, Field(ge=1, le=2**53)]
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _no_card_number(value: str) -> str:
    if looks_like_card_number(value):
        raise ValueError("must not look like a card number")
    return value


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 2000 and 2100")
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise ValueError("must be between 2000 and 2100")
    return value


def _printable(max_length: int, min_length: int = 0) -> FieldInfo:
    """Printable text without control characters (PostgreSQL refuses NUL in text)."""
    field: FieldInfo = Field(min_length=min_length, max_length=max_length, pattern=r"^[^\x00-\x1f\x7f]*$")
    return field


_NOT_A_CARD_NUMBER = AfterValidator(_no_card_number)
# Free text of the given lengths: printable, never a card number.
Name = Annotated[str, _printable(100, 1), _NOT_A_CARD_NUMBER]
OptionalName = Annotated[str, _printable(100), _NOT_A_CARD_NUMBER]
CompanyName = Annotated[str, _printable(200), _NOT_A_CARD_NUMBER]
# A reason and the customer's account are held in columns of the cases' one text limit.
Reason = Annotated[str, _printable(TEXT_LIMIT), _NOT_A_CARD_NUMBER]
Account = Annotated[str, _printable(TEXT_LIMIT), _NOT_A_CARD_NUMBER]


Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[date, AfterValidator(_date_in_range)]
Reference = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"),
    _NOT_A_CARD_NUMBER,
]
Amount = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


class Problem(Schema):
    """An RFC 9457 problem: every refusal of this API."""

    type: str
    title: str
    status: int
    code: str = Field(description="Stable code of the refusal, e.g. INSUFFICIENT_SCOPE.")
    instance: str
    errors: list[dict] | None = None


class CustomerIn(Schema):
    pesel: Annotated[str, Field(pattern=r"^[0-9]{11}$")] | None = None
    bank_id: Annotated[str, Field(pattern=r"^[0-9]{8}$")] | None = None
    kind: Literal["INDIVIDUAL", "BUSINESS"] = "INDIVIDUAL"
    first_name: Name
    last_name: Name
    company_name: CompanyName = ""
    birth_date: Day | None = None
    mobile_phone: Annotated[str, Field(pattern=r"^\+?[0-9 ]{9,15}$")]
    email: Annotated[str, Field(max_length=254, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]
    preferred_language: Literal["pl", "en"] = "pl"


class CustomerOut(Schema):
    id: int
    pesel: str | None
    bank_id: str | None
    first_name: str
    last_name: str
    created: bool


class CardIn(Schema):
    customer_id: DB_ID
    processor_token: Reference
    last4: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    product_code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
    expires_on: Day
    active: bool = True


class CardOut(Schema):
    id: int
    customer_id: int
    processor_token: str
    last4: str
    status: str
    expires_on: date
    created: bool


class TransactionIn(BaseModel):
    processor_reference: Reference
    card_token: Reference
    status: Literal["AUTHORISED", "SETTLED", "REVERSED"]
    channel: Literal["CONTACTLESS", "CHIP_POS", "INTERNET", "ATM"]
    merchant_name: Name
    mcc: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    merchant_city: OptionalName = ""
    merchant_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    original_amount: Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=3)]
    original_currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "PLN"
    amount_pln: Amount
    executed_at: Instant
    debited_on: Day | None = None
    processed_on: Day | None = None
    sca_applied: bool
    authorisation_code: Annotated[str, Field(pattern=r"^[A-Z0-9]{0,6}$")] = ""

    @model_validator(mode="after")
    def settled_iff_debited(self) -> "TransactionIn":
        settled = self.status == "SETTLED"
        if settled != (self.debited_on is not None) or settled != (self.processed_on is not None):
            raise ValueError("debited_on and processed_on are given exactly when the status is SETTLED")
        return self


class TransactionBatchIn(BaseModel):
    transactions: list[TransactionIn] = Field(min_length=1, max_length=1000)


class TransactionOutcomeOut(BaseModel):
    processor_reference: str
    outcome: Literal["CREATED", "AMENDED", "UNCHANGED", "REJECTED"]
    transaction_id: int | None
    code: str


class TransactionBatchOut(BaseModel):
    created: int
    amended: int
    unchanged: int
    rejected: int
    results: list[TransactionOutcomeOut]


class ClaimIn(Schema):
    customer_id: DB_ID
    card_token: Reference
    processor_references: list[Reference] = Field(min_length=1, max_length=50)
    channel: Literal["PHONE", "BRANCH", "LINE_828"]
    cause: Literal["LOST", "STOLEN", "MISAPPROPRIATED", "OTHER"]
    received_at: Instant
    account: Account = ""


DeadlineKind = Literal["REFUND", "REPLY", "REPORTING_WINDOW", "CHARGEBACK_FILING", "CHARGEBACK_RESPONSE"]


class DeadlineOut(Schema):
    kind: DeadlineKind
    due_on: date | None
    due_at: datetime | None
    rule: str


class DisputedTransactionOut(Schema):
    id: int
    processor_reference: str
    amount_pln: Decimal
    disputed_amount: Decimal


class RefundOut(Schema):
    owed: bool
    due_at: datetime | None
    recorded_at: datetime | None = Field(description="When the refund was entered in our ledger.")
    confirmed_at: datetime | None = Field(
        description="When the core banking system confirmed the credit: the refund counts as made then."
    )


class LiabilityOut(Schema):
    disputed_amount: Decimal | None
    customer_share: Decimal | None
    bank_share: Decimal | None


class LetterOut(Schema):
    id: int
    letter_type: str
    version: int
    language: str
    issued_at: datetime


class ChargebackOut(Schema):
    id: int
    claim_id: int
    state: str
    scheme: str
    reason_code: str
    amount: Decimal


class ClaimOut(Schema):
    id: int
    number: str
    state: str
    outcome: str
    channel: str
    cause: str
    customer_id: int
    card_token: str
    received_at: datetime | None
    submitted_at: datetime | None
    decided_at: datetime | None
    updated_at: datetime
    transactions: list[DisputedTransactionOut]
    deadlines: list[DeadlineOut]
    refund: RefundOut
    liability: LiabilityOut
    letters: list[LetterOut]
    chargebacks: list[ChargebackOut]


class ClaimPageOut(Schema):
    items: list[ClaimOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ChargebackEventIn(Schema):
    event: Literal["REPRESENTMENT_RECEIVED", "PRE_ARBITRATION", "ARBITRATION", "WON", "LOST"]
    reason: Reason = ""


class WebhookEndpointIn(Schema):
    url: Annotated[str, Field(max_length=500, pattern=r"^https?://[^\s\x00-\x1f]+$")]
    event_types: list[
        Literal[
            "claim.submitted",
            "claim.refunded",
            "claim.information_requested",
            "claim.decided",
            "letter.issued",
            "chargeback.updated",
        ]
    ] = Field(default_factory=list, max_length=6)


class WebhookEndpointOut(Schema):
    id: int
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret: str = Field(description="The signing secret, shown once.")


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    endpoint_id: int
    status: str
    attempts: int
    last_status_code: int | None
    delivered_at: datetime | None
    created_at: datetime
