"""The data a letter is rendered from: frozen value types, JSON round-trippable. Pure, no Django.

The workflow takes a snapshot of everything a letter says at the moment it is generated and stores it
with the PDF; re-rendering the stored snapshot with the stored template version gives the same PDF.
The types are pydantic dataclasses over the field types of ``letters.snapshot_fields``: in JSON,
amounts are strings (``"212.71"``), dates ISO (``"2026-11-21"``), instants ISO with their offset,
enumerations their value; the schema version travels in ``schema_version``.
"""

import json
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import PlainValidator, TypeAdapter, ValidationError

from cards.rules import CancellationReason
from disputes.rules import Outcome
from kartosfera.money import ZERO
from letters.snapshot_fields import (
    CARD_MASK,
    AccountMask,
    Amount,
    CardMask,
    CardState,
    Day,
    EnumValue,
    Flag,
    Instant,
    Language,
    NbpTable,
    OptionalText,
    Rate,
    RegistryNumber,
    Text,
    choice,
    drop_unset,
    items,
    snapshot_error,
    snapshot_type,
)
from letters.snapshot_fields import SnapshotError as SnapshotError

SCHEMA_VERSION = 1


@snapshot_type
class PostalAddress:
    """A postal address as printed in the window of an envelope."""

    street: Text
    postal_code: Text
    city: Text
    country: OptionalText = ""  # empty for Poland; printed in capitals on the last line otherwise


@snapshot_type
class BankIdentity:
    """Who writes: the bank's name, seat, registration data and complaint department."""

    name: Text
    address: PostalAddress
    krs: RegistryNumber
    nip: RegistryNumber
    regon: RegistryNumber
    registry_court: Text
    share_capital: Amount
    complaint_department: Text
    complaint_address: PostalAddress
    phone: Text
    email: Text
    website: Text
    place_of_issue: Text  # the town in "Warszawa, 21 listopada 2026"
    emergency_line: Text  # card cancellation line, 24/7 (RULES.md section 6)
    emergency_line_abroad: Text


@snapshot_type
class Customer:
    """To whom: name, postal address and the language the customer reads letters in."""

    full_name: Text
    address: PostalAddress
    language: Language = "pl"
    customer_number: OptionalText = ""


@snapshot_type
class DisputedTransaction:
    """One transaction of the claim, in PLN as debited."""

    reference: Text
    executed_on: Day
    merchant: Text
    amount: Amount


@snapshot_type
class CaseDetails:
    """The complaint: its number, when it was received, the card and the disputed transactions."""

    number: Text
    received_on: Day
    card_masked: CardMask
    transactions: Annotated[tuple[DisputedTransaction, ...], items(DisputedTransaction)]
    # when the letter was issued; None in snapshots made before
    card_state: Annotated[CardState, PlainValidator(choice(CardState, "card state")), EnumValue] | None = None

    def __post_init__(self) -> None:
        if not self.transactions:
            raise SnapshotError("a case has at least one disputed transaction")
        references = [t.reference for t in self.transactions]
        if len(set(references)) != len(references):
            raise SnapshotError(f"transaction references repeat: {references}")

    @property
    def total_disputed(self) -> Decimal:
        """The sum of the disputed amounts."""
        return sum((t.amount for t in self.transactions), ZERO)


@snapshot_type
class Deadlines:
    """The dates the customer can expect, each with the id of the rule that produced it."""

    refund_due_on: Day
    reply_due_on: Day
    extended_reply_due_on: Day
    refund_rule_id: Text = "UUP-46-1"
    reply_rule_id: Text = "REK-6"
    extended_reply_rule_id: Text = "REK-7"

    def __post_init__(self) -> None:
        if self.extended_reply_due_on < self.reply_due_on:
            raise SnapshotError("the extended reply date cannot be earlier than the reply date")


@snapshot_type
class LiabilityLine:
    """The liability engine's result for one transaction, with its rule, rate and explanation."""

    transaction_reference: Text
    rule_id: Text
    customer_share: Amount
    bank_share: Amount
    explanation_pl: Text
    explanation_en: Text
    eur_rate: Rate | None = None  # NBP table A mid rate, only for the 50 EUR cap
    nbp_table: NbpTable | None = None  # e.g. "099/A/NBP/2025"
    rate_effective_on: Day | None = None  # the table's effectiveDate
    to_customer_pl: Text | None = None  # the row addressed to the customer (letters.row_reasons)
    to_customer_en: Text | None = None

    def __post_init__(self) -> None:
        if len({self.eur_rate is None, self.nbp_table is None, self.rate_effective_on is None}) != 1:
            raise SnapshotError("an EUR rate, its NBP table number and the table's date go together")

    def explanation(self, language: str) -> str:
        """The row's words in the customer's language: addressed to them when the snapshot has them."""
        if language == "en":
            return self.to_customer_en or self.explanation_en
        return self.to_customer_pl or self.explanation_pl


@snapshot_type
class Liability:
    """Who bears what: one line per disputed transaction and the totals."""

    lines: Annotated[tuple[LiabilityLine, ...], items(LiabilityLine)]
    customer_total: Amount
    bank_total: Amount

    def __post_init__(self) -> None:
        if sum((line.customer_share for line in self.lines), ZERO) != self.customer_total:
            raise SnapshotError("customer_total is not the sum of the lines' customer shares")
        if sum((line.bank_share for line in self.lines), ZERO) != self.bank_total:
            raise SnapshotError("bank_total is not the sum of the lines' bank shares")

    @property
    def rates(self) -> tuple[LiabilityLine, ...]:
        """The lines that used an NBP rate (the 50 EUR cap)."""
        return tuple(line for line in self.lines if line.eur_rate is not None)


@snapshot_type
class ContractTerm:
    """A term of the card agreement the decision relies on, quoted."""

    reference: Text  # e.g. "§ 14 ust. 2 Regulaminu kart płatniczych"
    text: Text


@snapshot_type
class Decision:
    """The bank's position on the complaint (Complaints Act: grounds, terms, date of payment)."""

    outcome: Annotated[Outcome, PlainValidator(choice(Outcome, "outcome")), EnumValue]
    factual_grounds: OptionalText
    legal_grounds: OptionalText
    contract_terms: Annotated[tuple[ContractTerm, ...], items(ContractTerm)] = ()
    payment_due_on: Day | None = None  # when an (partly) accepted claim is paid; ≤ 30 days
    # FULL_THEN_RECOVER: the customer's share is taken back, not before the day after this letter is sent
    # (the letter cannot know when it leaves). Letters issued before that rule carry a fixed date instead.
    customer_share_recovered_after_dispatch: Flag = False
    customer_share_recovered_on: Day | None = None
    # What the recovery takes back: per payment, the customer's share of what was refunded provisionally
    # (less than the share, or 0, when payments were never refunded). None in letters issued before.
    customer_share_to_recover: Amount | None = None  # written only when set (``_WRITTEN_WHEN_SET``)
    # What the decision credits of the bank's part: per payment, what the provisional refund left short of
    # it (the FINAL_REFUND moves). None in letters issued before it was kept: figured over the whole claim.
    bank_share_to_credit: Amount | None = None  # written only when set


@snapshot_type
class Refund:
    """The provisional D+1 refund credited to the customer's account."""

    amount: Amount
    credited_on: Day
    account_masked: AccountMask  # e.g. "PL61 •••• 0001", or the card's "•••• 4757" the account is named by

    @property
    def card_masked(self) -> str:
        """The card the account is named by, when ``account_masked`` is a card's number (else empty)."""
        return self.account_masked if CARD_MASK.match(self.account_masked) else ""


@snapshot_type
class RefundPromise:
    """What the D+1 refund will credit, as the acknowledgement promises it (``provisional_refunds_due``)."""

    # None under NET_OF_CAP while the estimate it takes the bank's share from is not ready
    amount: Amount | None
    # the transactions reported after their 13-month window (UUP-44-2): no D+1 refund for them
    late: Annotated[tuple[str, ...], items(str)] = ()


@snapshot_type
class Signatory:
    """The person who replies: name and position (Complaints Act)."""

    name: Text
    position: Text


@snapshot_type
class DelayNotice:
    """The three items REK-7 requires before the reply deadline is extended."""

    reason: Text
    remaining_to_establish: Text
    expected_reply_on: Day


@snapshot_type
class LawEnforcementNotice:
    """The written notice to law enforcement that allows withholding the refund (UUP-46-1-FRAUD)."""

    authority: Text
    notified_on: Day
    reference: Text


@snapshot_type
class CardCancellation:
    """A permanent cancellation (zastrzeżenie): the card, the reason and the report time to the second."""

    card_masked: CardMask
    reason: Annotated[
        CancellationReason, PlainValidator(choice(CancellationReason, "cancellation reason")), EnumValue
    ]
    reported_at: Instant


@snapshot_type
class InformationRequest:
    """What the bank needs from the customer, and by when."""

    items: Annotated[tuple[str, ...], items(str)]
    respond_by: Day

    def __post_init__(self) -> None:
        if not self.items or not all(item.strip() for item in self.items):
            raise SnapshotError("an information request lists at least one non-empty item")


class RefundPaymentKind(StrEnum):
    """How a refund of a complaint deemed accepted reached the customer."""

    PROVISIONAL_MADE_FINAL = "PROVISIONAL_MADE_FINAL"  # the D+1 refund, now final
    FINAL = "FINAL"  # credited on acceptance


@snapshot_type
class RefundPayment:
    """One credit to the customer's account (the date it was, or will be, credited)."""

    kind: Annotated[
        RefundPaymentKind, PlainValidator(choice(RefundPaymentKind, "refund payment kind")), EnumValue
    ]
    amount: Amount
    paid_on: Day

    def __post_init__(self) -> None:
        if self.amount == ZERO:
            raise SnapshotError("a refund payment credits more than nothing")


@snapshot_type
class DeemedAcceptance:
    """REK-8: the reply deadline that was missed, when the complaint was deemed accepted, the refunds."""

    missed_deadline_on: Day
    missed_deadline_rule_id: Text  # REK-6, REK-7, UUP-PS-15 or UUP-PS-35
    deemed_on: Day
    payments: Annotated[tuple[RefundPayment, ...], items(RefundPayment)]

    def __post_init__(self) -> None:
        if not self.payments:
            raise SnapshotError("a complaint deemed accepted states the refunds that settle it")

    @property
    def refunded_total(self) -> Decimal:
        """Everything credited to the customer for the complaint."""
        return sum((payment.amount for payment in self.payments), ZERO)


@snapshot_type
class LetterSnapshot:
    """Everything one letter says, frozen at the moment it is generated."""

    reference: Text  # the letter's own reference number ("nasz znak")
    issued_on: Day
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
    refund_promise: RefundPromise | None = None  # written only when set (``_WRITTEN_WHEN_SET``)

    @property
    def language(self) -> str:
        """The language the letter is written in: the customer's."""
        return self.customer.language

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data (Decimals as strings, dates ISO), with the schema version."""
        data = drop_unset(_SNAPSHOT.dump_python(self, mode="json"), _WRITTEN_WHEN_SET)
        return {"schema_version": SCHEMA_VERSION, **data}

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
        try:
            # Validated as the JSON it is stored as: its strings become dates and amounts.
            return _SNAPSHOT.validate_json(json.dumps(data))
        except ValidationError as exc:
            raise snapshot_error(exc) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> "LetterSnapshot":
        """Rebuild a snapshot from ``to_json`` output."""
        return cls.from_dict(json.loads(text))


_SNAPSHOT = TypeAdapter(LetterSnapshot)
# Sections (and fields, dotted) added after letters were stored: left out when empty, so a snapshot
# without them (every letter stored before, every other letter type) keeps its bytes and its hash.
_ADDRESSED_ROWS = ("liability.lines.*.to_customer_pl", "liability.lines.*.to_customer_en")
_SETTLEMENT = ("decision.customer_share_to_recover", "decision.bank_share_to_credit")
_WRITTEN_WHEN_SET = ("refund_promise", *_SETTLEMENT, *_ADDRESSED_ROWS)
