"""The data a letter is rendered from: frozen value types, JSON round-trippable. Pure, no Django.

The workflow takes a snapshot of everything a letter says at the moment it is generated and stores it
with the PDF; re-rendering the stored snapshot with the stored template version gives the same PDF.
In JSON, amounts are strings (``"212.71"``), dates ISO (``"2026-11-21"``), instants ISO with their
offset, enumerations their value; the schema version travels in ``schema_version``.
"""

import json
import re
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, TypeVar

from cards.rules import CancellationReason
from disputes.rules import Outcome
from kartosfera.legaltime import require_aware
from kartosfera.money import ZERO, round_grosz, to_decimal

SCHEMA_VERSION = 1
LANGUAGES = ("pl", "en")
CARD_MASK = re.compile(r"^•••• \d{4}$")


class SnapshotError(ValueError):
    """A snapshot value is malformed (wrong type, a float amount, an unmasked card number...)."""


class CardState(StrEnum):
    """What the card can do when the letter is issued: the acknowledgement's advice follows it."""

    ACTIVE = "ACTIVE"  # not blocked: whoever holds it (or its details) can still pay with it
    BLOCKED = "BLOCKED"  # temporarily blocked by the customer, reversible
    CANCELLED = "CANCELLED"  # cancelled for good (zastrzeżona)
    EXPIRED = "EXPIRED"


def mask_card(last_four: str) -> str:
    """The masked card number shown in letters: ``•••• 1234``."""
    if not re.fullmatch(r"\d{4}", last_four):
        raise SnapshotError(f"the last four digits of a card are four digits, got {last_four!r}")
    return f"•••• {last_four}"


def _text(value: object, name: str, *, required: bool = True) -> None:
    if not isinstance(value, str):
        raise SnapshotError(f"{name} must be a str, got {type(value).__name__}")
    if required and not value.strip():
        raise SnapshotError(f"{name} must not be empty")


def _day(value: object, name: str) -> None:
    # A datetime is a date too; a legal date must not silently carry a time of day.
    if type(value) is not date:
        raise SnapshotError(f"{name} must be a date, got {type(value).__name__}")


def _optional_day(value: object, name: str) -> None:
    if value is not None:
        _day(value, name)


def _amount(instance: object, name: str, *, grosz: bool = True) -> None:
    """Coerce a money field to Decimal (refusing floats) and, for PLN amounts, whole grosze."""
    value = getattr(instance, name)
    try:
        amount = to_decimal(value)
    except ValueError as exc:
        raise SnapshotError(f"{name}: {exc}") from exc
    if grosz and amount != round_grosz(amount):
        raise SnapshotError(f"{name} must be whole grosze, got {amount}")
    if amount < ZERO:
        raise SnapshotError(f"{name} must not be negative, got {amount}")
    object.__setattr__(instance, name, amount)


def _card(value: object, name: str) -> None:
    _text(value, name)
    if not CARD_MASK.match(str(value)):
        raise SnapshotError(f"{name} must be a masked card number like '•••• 1234', never a full number")


def _sequence(instance: object, name: str, item_type: type) -> None:
    """Store a sequence as a tuple (hashable, immutable) of ``item_type``."""
    value = getattr(instance, name)
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise SnapshotError(f"{name} must be a list or tuple of {item_type.__name__}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, item_type):
            raise SnapshotError(f"{name} items must be {item_type.__name__}, got {type(item).__name__}")
    object.__setattr__(instance, name, items)


def _nip_is_valid(nip: str) -> bool:
    """Polish tax id: 10 digits, the last a weighted checksum of the first nine."""
    if not re.fullmatch(r"\d{10}", nip):
        return False
    checksum = sum(int(d) * w for d, w in zip(nip, (6, 5, 7, 2, 3, 4, 5, 6, 7), strict=False)) % 11
    return checksum != 10 and checksum == int(nip[9])


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """A postal address as printed in the window of an envelope."""

    street: str
    postal_code: str
    city: str
    country: str = ""  # empty for Poland; printed in capitals on the last line otherwise

    def __post_init__(self) -> None:
        _text(self.street, "street")
        _text(self.postal_code, "postal_code")
        _text(self.city, "city")
        _text(self.country, "country", required=False)


@dataclass(frozen=True, slots=True)
class BankIdentity:
    """Who writes: the bank's name, seat, registration data and complaint department."""

    name: str
    address: PostalAddress
    krs: str
    nip: str
    regon: str
    registry_court: str
    share_capital: Decimal
    complaint_department: str
    complaint_address: PostalAddress
    phone: str
    email: str
    website: str
    place_of_issue: str  # the town in "Warszawa, 21 listopada 2026"
    emergency_line: str  # card cancellation line, 24/7 (RULES.md section 6)
    emergency_line_abroad: str

    def __post_init__(self) -> None:
        for name in (
            "name",
            "registry_court",
            "complaint_department",
            "phone",
            "email",
            "website",
            "emergency_line",
            "emergency_line_abroad",
        ):
            _text(getattr(self, name), name)
        _text(self.place_of_issue, "place_of_issue")
        if not re.fullmatch(r"\d{10}", self.krs):
            raise SnapshotError(f"krs must be 10 digits, got {self.krs!r}")
        if not _nip_is_valid(self.nip):
            raise SnapshotError(f"nip is not a valid Polish tax id: {self.nip!r}")
        if not re.fullmatch(r"\d{9}|\d{14}", self.regon):
            raise SnapshotError(f"regon must be 9 or 14 digits, got {self.regon!r}")
        _amount(self, "share_capital")


@dataclass(frozen=True, slots=True)
class Customer:
    """To whom: name, postal address and the language the customer reads letters in."""

    full_name: str
    address: PostalAddress
    language: str = "pl"
    customer_number: str = ""

    def __post_init__(self) -> None:
        _text(self.full_name, "full_name")
        _text(self.customer_number, "customer_number", required=False)
        if self.language not in LANGUAGES:
            raise SnapshotError(f"language must be one of {LANGUAGES}, got {self.language!r}")


@dataclass(frozen=True, slots=True)
class DisputedTransaction:
    """One transaction of the claim, in PLN as debited."""

    reference: str
    executed_on: date
    merchant: str
    amount: Decimal

    def __post_init__(self) -> None:
        _text(self.reference, "reference")
        _day(self.executed_on, "executed_on")
        _text(self.merchant, "merchant")
        _amount(self, "amount")


@dataclass(frozen=True, slots=True)
class CaseDetails:
    """The complaint: its number, when it was received, the card and the disputed transactions."""

    number: str
    received_on: date
    card_masked: str
    transactions: tuple[DisputedTransaction, ...]
    card_state: CardState | None = None  # when the letter was issued; None in snapshots made before

    def __post_init__(self) -> None:
        _text(self.number, "number")
        _day(self.received_on, "received_on")
        _card(self.card_masked, "card_masked")
        if self.card_state is not None:
            try:
                object.__setattr__(self, "card_state", CardState(self.card_state))
            except ValueError as exc:
                raise SnapshotError(f"unknown card state {self.card_state!r}") from exc
        _sequence(self, "transactions", DisputedTransaction)
        if not self.transactions:
            raise SnapshotError("a case has at least one disputed transaction")
        references = [t.reference for t in self.transactions]
        if len(set(references)) != len(references):
            raise SnapshotError(f"transaction references repeat: {references}")

    @property
    def total_disputed(self) -> Decimal:
        """The sum of the disputed amounts."""
        return sum((t.amount for t in self.transactions), ZERO)


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The dates the customer can expect, each with the id of the rule that produced it."""

    refund_due_on: date
    reply_due_on: date
    extended_reply_due_on: date
    refund_rule_id: str = "UUP-46-1"
    reply_rule_id: str = "REK-6"
    extended_reply_rule_id: str = "REK-7"

    def __post_init__(self) -> None:
        for name in ("refund_due_on", "reply_due_on", "extended_reply_due_on"):
            _day(getattr(self, name), name)
        for name in ("refund_rule_id", "reply_rule_id", "extended_reply_rule_id"):
            _text(getattr(self, name), name)
        if self.extended_reply_due_on < self.reply_due_on:
            raise SnapshotError("the extended reply date cannot be earlier than the reply date")


@dataclass(frozen=True, slots=True)
class LiabilityLine:
    """The liability engine's result for one transaction, with its rule, rate and explanation."""

    transaction_reference: str
    rule_id: str
    customer_share: Decimal
    bank_share: Decimal
    explanation_pl: str
    explanation_en: str
    eur_rate: Decimal | None = None  # NBP table A mid rate, only for the 50 EUR cap
    nbp_table: str | None = None  # e.g. "099/A/NBP/2025"
    rate_effective_on: date | None = None  # the table's effectiveDate

    def __post_init__(self) -> None:
        _text(self.transaction_reference, "transaction_reference")
        _text(self.rule_id, "rule_id")
        _text(self.explanation_pl, "explanation_pl")
        _text(self.explanation_en, "explanation_en")
        _amount(self, "customer_share")
        _amount(self, "bank_share")
        if self.eur_rate is not None:
            _amount(self, "eur_rate", grosz=False)
        if len({self.eur_rate is None, self.nbp_table is None, self.rate_effective_on is None}) != 1:
            raise SnapshotError("an EUR rate, its NBP table number and the table's date go together")
        # A real NBP table number, or the label of a synthetic demo rate, which then shows as such.
        if self.nbp_table is not None and not re.fullmatch(
            r"\d{3}/A/NBP/\d{4}|SYNTHETIC-\d{4}-\d{2}-\d{2}", self.nbp_table
        ):
            raise SnapshotError(f"nbp_table must look like 099/A/NBP/2025, got {self.nbp_table!r}")
        _optional_day(self.rate_effective_on, "rate_effective_on")

    def explanation(self, language: str) -> str:
        """The explanation in the customer's language."""
        return self.explanation_en if language == "en" else self.explanation_pl


@dataclass(frozen=True, slots=True)
class Liability:
    """Who bears what: one line per disputed transaction and the totals."""

    lines: tuple[LiabilityLine, ...]
    customer_total: Decimal
    bank_total: Decimal

    def __post_init__(self) -> None:
        _sequence(self, "lines", LiabilityLine)
        _amount(self, "customer_total")
        _amount(self, "bank_total")
        if sum((line.customer_share for line in self.lines), ZERO) != self.customer_total:
            raise SnapshotError("customer_total is not the sum of the lines' customer shares")
        if sum((line.bank_share for line in self.lines), ZERO) != self.bank_total:
            raise SnapshotError("bank_total is not the sum of the lines' bank shares")

    @property
    def rates(self) -> tuple[LiabilityLine, ...]:
        """The lines that used an NBP rate (the 50 EUR cap)."""
        return tuple(line for line in self.lines if line.eur_rate is not None)


@dataclass(frozen=True, slots=True)
class ContractTerm:
    """A term of the card agreement the decision relies on, quoted."""

    reference: str  # e.g. "§ 14 ust. 2 Regulaminu kart płatniczych"
    text: str

    def __post_init__(self) -> None:
        _text(self.reference, "reference")
        _text(self.text, "text")


@dataclass(frozen=True, slots=True)
class Decision:
    """The bank's position on the complaint (Complaints Act: grounds, terms, date of payment)."""

    outcome: Outcome
    factual_grounds: str
    legal_grounds: str
    contract_terms: tuple[ContractTerm, ...] = ()
    payment_due_on: date | None = None  # when an (partly) accepted claim is paid; ≤ 30 days
    # FULL_THEN_RECOVER: the customer's share is taken back, not before the day after this letter is sent
    # (the letter cannot know when it leaves). Letters issued before that rule carry a fixed date instead.
    customer_share_recovered_after_dispatch: bool = False
    customer_share_recovered_on: date | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "outcome", Outcome(self.outcome))
        except ValueError as exc:
            raise SnapshotError(f"unknown outcome {self.outcome!r}") from exc
        _text(self.factual_grounds, "factual_grounds", required=False)
        _text(self.legal_grounds, "legal_grounds", required=False)
        _sequence(self, "contract_terms", ContractTerm)
        _optional_day(self.payment_due_on, "payment_due_on")
        _optional_day(self.customer_share_recovered_on, "customer_share_recovered_on")
        if not isinstance(self.customer_share_recovered_after_dispatch, bool):
            raise SnapshotError("customer_share_recovered_after_dispatch must be True or False")


@dataclass(frozen=True, slots=True)
class Refund:
    """The provisional D+1 refund credited to the customer's account."""

    amount: Decimal
    credited_on: date
    account_masked: str  # e.g. "PL61 •••• 0001"

    def __post_init__(self) -> None:
        _amount(self, "amount")
        _day(self.credited_on, "credited_on")
        _text(self.account_masked, "account_masked")
        if "•" not in self.account_masked or sum(c.isdigit() for c in self.account_masked) > 8:
            raise SnapshotError(
                "account_masked must hide the account number but its ends, e.g. PL61 •••• 0001"
            )


@dataclass(frozen=True, slots=True)
class Signatory:
    """The person who replies: name and position (Complaints Act)."""

    name: str
    position: str

    def __post_init__(self) -> None:
        _text(self.name, "name")
        _text(self.position, "position")


@dataclass(frozen=True, slots=True)
class DelayNotice:
    """The three items REK-7 requires before the reply deadline is extended."""

    reason: str
    remaining_to_establish: str
    expected_reply_on: date

    def __post_init__(self) -> None:
        _text(self.reason, "reason")
        _text(self.remaining_to_establish, "remaining_to_establish")
        _day(self.expected_reply_on, "expected_reply_on")


@dataclass(frozen=True, slots=True)
class LawEnforcementNotice:
    """The written notice to law enforcement that allows withholding the refund (UUP-46-1-FRAUD)."""

    authority: str
    notified_on: date
    reference: str

    def __post_init__(self) -> None:
        _text(self.authority, "authority")
        _day(self.notified_on, "notified_on")
        _text(self.reference, "reference")


@dataclass(frozen=True, slots=True)
class CardCancellation:
    """A permanent cancellation (zastrzeżenie): the card, the reason and the report time to the second."""

    card_masked: str
    reason: CancellationReason
    reported_at: datetime

    def __post_init__(self) -> None:
        _card(self.card_masked, "card_masked")
        try:
            object.__setattr__(self, "reason", CancellationReason(self.reason))
        except ValueError as exc:
            raise SnapshotError(f"unknown cancellation reason {self.reason!r}") from exc
        try:
            require_aware(self.reported_at, name="reported_at")
        except (TypeError, ValueError) as exc:
            raise SnapshotError(str(exc)) from exc
        if self.reported_at.microsecond:
            raise SnapshotError("reported_at is recorded to the second")


@dataclass(frozen=True, slots=True)
class InformationRequest:
    """What the bank needs from the customer, and by when."""

    items: tuple[str, ...]
    respond_by: date

    def __post_init__(self) -> None:
        _sequence(self, "items", str)
        if not self.items or not all(item.strip() for item in self.items):
            raise SnapshotError("an information request lists at least one non-empty item")
        _day(self.respond_by, "respond_by")


class RefundPaymentKind(StrEnum):
    """How a refund of a complaint deemed accepted reached the customer."""

    PROVISIONAL_MADE_FINAL = "PROVISIONAL_MADE_FINAL"  # the D+1 refund, now final
    FINAL = "FINAL"  # credited on acceptance


@dataclass(frozen=True, slots=True)
class RefundPayment:
    """One credit to the customer's account (the date it was, or will be, credited)."""

    kind: RefundPaymentKind
    amount: Decimal
    paid_on: date

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", RefundPaymentKind(self.kind))
        except ValueError as exc:
            raise SnapshotError(f"unknown refund payment kind {self.kind!r}") from exc
        _amount(self, "amount")
        if self.amount == ZERO:
            raise SnapshotError("a refund payment credits more than nothing")
        _day(self.paid_on, "paid_on")


@dataclass(frozen=True, slots=True)
class DeemedAcceptance:
    """REK-8: the reply deadline that was missed, when the complaint was deemed accepted, the refunds."""

    missed_deadline_on: date
    missed_deadline_rule_id: str  # REK-6, REK-7, UUP-PS-15 or UUP-PS-35
    deemed_on: date
    payments: tuple[RefundPayment, ...]

    def __post_init__(self) -> None:
        _day(self.missed_deadline_on, "missed_deadline_on")
        _text(self.missed_deadline_rule_id, "missed_deadline_rule_id")
        _day(self.deemed_on, "deemed_on")
        _sequence(self, "payments", RefundPayment)
        if not self.payments:
            raise SnapshotError("a complaint deemed accepted states the refunds that settle it")

    @property
    def refunded_total(self) -> Decimal:
        """Everything credited to the customer for the complaint."""
        return sum((payment.amount for payment in self.payments), ZERO)


@dataclass(frozen=True, slots=True)
class LetterSnapshot:
    """Everything one letter says, frozen at the moment it is generated."""

    reference: str  # the letter's own reference number ("nasz znak")
    issued_on: date
    bank: BankIdentity
    customer: Customer
    signatory: Signatory
    case: CaseDetails | None = None
    deadlines: Deadlines | None = None
    liability: Liability | None = None
    decision: Decision | None = None
    refund: Refund | None = None
    delay: DelayNotice | None = None
    law_enforcement: LawEnforcementNotice | None = None
    cancellation: CardCancellation | None = None
    information_request: InformationRequest | None = None
    deemed_acceptance: DeemedAcceptance | None = None

    def __post_init__(self) -> None:
        _text(self.reference, "reference")
        _day(self.issued_on, "issued_on")
        for field in fields(self):
            value = getattr(self, field.name)
            expected = _field_types(type(self))[field.name]
            classes = [c for c in typing.get_args(expected) if c is not type(None)] or [expected]
            if value is not None and not isinstance(value, tuple(classes)):
                raise SnapshotError(f"{field.name} must be {classes[0].__name__}, got {type(value).__name__}")

    @property
    def language(self) -> str:
        """The language the letter is written in: the customer's."""
        return self.customer.language

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data (Decimals as strings, dates ISO), with the schema version."""
        return {"schema_version": SCHEMA_VERSION, **_encode(self)}

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, so equal snapshots give equal bytes (and equal hashes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LetterSnapshot":
        """Rebuild a snapshot from ``to_dict`` data; refuses another schema version."""
        data = dict(data)
        version = data.pop("schema_version", None)
        if version != SCHEMA_VERSION:
            raise SnapshotError(f"snapshot schema version {version!r} is not {SCHEMA_VERSION}")
        return _decode(cls, data)

    @classmethod
    def from_json(cls, text: str | bytes) -> "LetterSnapshot":
        """Rebuild a snapshot from ``to_json`` output."""
        return cls.from_dict(json.loads(text))


# --- JSON encoding, driven by the dataclasses' type hints -------------------------------------------

T = TypeVar("T")
_TYPE_HINTS: dict[type, dict[str, Any]] = {}


def _field_types(cls: type) -> dict[str, Any]:
    if cls not in _TYPE_HINTS:
        _TYPE_HINTS[cls] = typing.get_type_hints(cls)
    return _TYPE_HINTS[cls]


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _encode(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    raise SnapshotError(f"cannot encode {type(value).__name__} in a snapshot")


def _decode(expected: Any, value: Any) -> Any:
    origin = typing.get_origin(expected)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        (inner,) = [arg for arg in typing.get_args(expected) if arg is not type(None)]
        return _decode(inner, value)
    if origin is tuple:
        item_type = typing.get_args(expected)[0]
        if not isinstance(value, list):
            raise SnapshotError(f"expected a list, got {type(value).__name__}")
        return tuple(_decode(item_type, item) for item in value)
    if is_dataclass(expected):
        if not isinstance(value, dict):
            raise SnapshotError(f"{expected.__name__} expects an object, got {type(value).__name__}")
        hints = _field_types(expected)
        known = {field.name for field in fields(expected)}
        unknown = set(value) - known
        if unknown:
            raise SnapshotError(f"{expected.__name__} has no fields {sorted(unknown)}")
        return expected(**{name: _decode(hints[name], item) for name, item in value.items()})
    if value is None:
        raise SnapshotError(f"a {getattr(expected, '__name__', expected)} is required, got null")
    if expected is Decimal:
        if not isinstance(value, str):
            raise SnapshotError(f"amounts are strings in a snapshot, got {value!r}")
        return to_decimal(value)
    if expected is bool:
        if not isinstance(value, bool):
            raise SnapshotError(f"expected true or false, got {value!r}")
        return value
    if expected is datetime:
        return datetime.fromisoformat(value)
    if expected is date:
        return date.fromisoformat(value)
    if isinstance(expected, type) and issubclass(expected, Enum):
        return expected(value)
    if expected is str:
        if not isinstance(value, str):
            raise SnapshotError(f"expected a string, got {value!r}")
        return value
    raise SnapshotError(f"cannot decode {expected!r}")
