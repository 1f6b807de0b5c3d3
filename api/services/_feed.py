"""The transaction feed: batches of authorisation and clearing records, idempotent on the reference."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction

from api.errors import ResourceConflict
from api.models import ApiClient, TransactionAmendment
from audit.services import audit_record
from cards.models import Card, Transaction

API_TRANSACTIONS_FED = "api.transactions_fed"

# The fields of a transaction the feed sends; a record that changes any of them amends the transaction.
FEED_FIELDS = (
    "channel",
    "merchant_name",
    "mcc",
    "merchant_city",
    "merchant_country",
    "original_amount",
    "original_currency",
    "amount_pln",
    "executed_at",
    "debited_on",
    "processed_on",
    "sca_applied",
    "authorisation_code",
    "status",
)


# A record's values: FEED_FIELDS -> value (Decimal, date, datetime, bool or str, as the schema parsed them).
FeedValues = dict[str, object]


@dataclass(frozen=True, slots=True)
class FeedRecord:
    processor_reference: str
    card_token: str
    values: FeedValues


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    processor_reference: str
    outcome: str  # CREATED, AMENDED, UNCHANGED, REJECTED
    transaction_id: int | None
    code: str = ""


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal | date) else value


# PostgreSQL types of the feed's columns for the set-based insert (the others are text).
_FEED_COLUMNS = ("card_id", "processor_reference", *FEED_FIELDS)
_FEED_COLUMN_TYPES = {
    "card_id": "bigint",
    "original_amount": "numeric",
    "amount_pln": "numeric",
    "executed_at": "timestamptz",
    "debited_on": "date",
    "processed_on": "date",
    "sca_applied": "boolean",
}


def _stored_for_update(references: Sequence[str]) -> dict[str, Transaction]:
    """The batch's transactions already stored, by reference, locked until the batch commits."""
    query = Transaction.objects.select_for_update().filter(processor_reference__in=references)
    return {t.processor_reference: t for t in query}


def _insert_new(new: dict[str, tuple[int, FeedValues]], *, set_based: bool) -> dict[str, int]:
    """Store new transactions (reference -> card id and values); returns their ids by reference.

    ``set_based`` (PostgreSQL): one ``INSERT ... SELECT FROM jsonb_to_recordset(rows) ON CONFLICT
    (processor_reference) DO NOTHING``: a reference already stored (or stored meanwhile by another feed)
    is left out of the answer, never duplicated; the rows go as one JSON parameter, which costs a
    fraction of binding 16,000 values or compiling the ORM's multi-row INSERT. Otherwise (SQLite, which
    lets one writer in at a time) the ORM's bulk insert; a stored reference is an IntegrityError there.
    """
    if not new:
        return {}
    if not set_based:
        rows = [
            Transaction(card_id=card_id, processor_reference=reference, **values)
            for reference, (card_id, values) in new.items()
        ]
        Transaction.objects.bulk_create(rows)
        return {row.processor_reference: row.pk for row in rows}
    payload = json.dumps(
        [
            {"card_id": card_id, "processor_reference": reference, **values}
            for reference, (card_id, values) in new.items()
        ],
        default=str,  # Decimal, date and datetime as PostgreSQL reads them
    )
    columns = ", ".join(_FEED_COLUMNS)
    types = ", ".join(f"{column} {_FEED_COLUMN_TYPES.get(column, 'text')}" for column in _FEED_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Transaction._meta.db_table} ({columns}) "  # noqa: S608 (names from the model)
            f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({types}) "
            "ON CONFLICT (processor_reference) DO NOTHING RETURNING processor_reference, id",
            [payload],
        )
        return dict(cursor.fetchall())


@dataclass(slots=True)
class _FeedPlan:
    outcomes: list[FeedOutcome]
    new: dict[str, tuple[int, FeedValues]]  # reference -> (card id, values): transactions to create
    amended: dict[str, Transaction]  # stored transactions with their new values set
    amendments: list[TransactionAmendment]


def _feed_plan(
    *,
    client: ApiClient,
    records: Sequence[FeedRecord],
    cards: dict[str, int],
    stored: dict[str, Transaction],
    now: datetime,
) -> _FeedPlan:
    """What a batch does, record by record in the order sent, given what is stored (no query)."""
    plan = _FeedPlan(outcomes=[], new={}, amended={}, amendments=[])
    for record in records:
        reference = record.processor_reference
        card_id = cards.get(record.card_token)
        if card_id is None:
            plan.outcomes.append(FeedOutcome(reference, "REJECTED", None, "CARD_NOT_FOUND"))
            continue
        row = stored.get(reference)
        stored_id = None if row is None else row.pk
        if row is None and reference not in plan.new:
            plan.new[reference] = (card_id, dict(record.values))
            plan.outcomes.append(FeedOutcome(reference, "CREATED", None))
            continue
        if row is None:  # sent earlier in this batch
            current_card, current = plan.new[reference]
        else:
            current_card, current = row.card_id, {field: getattr(row, field) for field in FEED_FIELDS}
        if current_card != card_id:
            plan.outcomes.append(FeedOutcome(reference, "REJECTED", stored_id, "CARD_MISMATCH"))
            continue
        changes = {
            field: {"before": _plain(current[field]), "after": _plain(value)}
            for field, value in record.values.items()
            if current[field] != value
        }
        if not changes:
            plan.outcomes.append(FeedOutcome(reference, "UNCHANGED", stored_id))
            continue
        if row is None:
            current.update(record.values)
        else:
            for field, value in record.values.items():
                setattr(row, field, value)
            plan.amended[reference] = row
            plan.amendments.append(
                TransactionAmendment(transaction=row, changes=changes, client=client, received_at=now)
            )
        plan.outcomes.append(FeedOutcome(reference, "AMENDED", stored_id))
    return plan


class _FeedMetStoredRows(Exception):
    """The insert found references already stored (by an earlier batch, or another feed meanwhile)."""


def _id_ranges(ids: Sequence[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: one batch's new rows are mostly one run."""
    runs: list[list[int]] = []
    for pk in ids:
        if runs and runs[-1][1] == pk - 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def transactions_ingest(
    *, client: ApiClient, records: Sequence[FeedRecord], request_sha256: str, now: datetime
) -> list[FeedOutcome]:
    """Take a batch of authorisation and clearing records, idempotent on the processor's reference.

    A new reference creates the transaction; a known one with other values is an amendment (the
    transaction takes the new values and a ``TransactionAmendment`` keeps what changed); a known one
    with the same values changes nothing. A record of an unknown card is rejected alone. The batch is
    one audit entry: the SHA-256 of the body the client sent, the outcome counts, the ids of the
    transactions it created (as runs of ids), the references it amended (each amendment's fields are
    in its ``TransactionAmendment``) and those it rejected. Set-based: a fixed number of queries per
    batch, none per record.

    :raises ResourceConflict: other feeds kept storing the batch's references while it was retried.
    """
    tokens = {record.card_token for record in records}
    cards = dict(Card.objects.filter(processor_token__in=tokens).values_list("processor_token", "pk"))
    references = list(dict.fromkeys(record.processor_reference for record in records))
    with transaction.atomic():
        # First as if every reference were new (a fresh feed's case: no lookup). The insert skips any
        # reference already stored; then the batch looks up and locks what is stored and plans again.
        set_based = connection.vendor == "postgresql"
        # SQLite's insert cannot skip a stored reference: it looks first.
        stored = {} if set_based else _stored_for_update(references)
        for _attempt in range(3):
            plan = _feed_plan(client=client, records=records, cards=cards, stored=stored, now=now)
            try:
                with transaction.atomic():  # a savepoint: an insert that met stored rows is undone
                    ids = _insert_new(plan.new, set_based=set_based)
                    if len(ids) != len(plan.new):
                        raise _FeedMetStoredRows
            except _FeedMetStoredRows:
                stored = _stored_for_update(references)
                continue
            break
        else:
            raise ResourceConflict("feed raced", problem="another feed is storing the same references")
        if plan.amended:
            Transaction.objects.bulk_update(list(plan.amended.values()), list(FEED_FIELDS))
            TransactionAmendment.objects.bulk_create(plan.amendments)
        outcomes = [
            FeedOutcome(
                o.processor_reference, o.outcome, o.transaction_id or ids.get(o.processor_reference), o.code
            )
            for o in plan.outcomes
        ]
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        audit_record(
            action=API_TRANSACTIONS_FED,
            actor=client.user,
            data={
                "client": client.name,
                "counts": counts,
                "request_sha256": request_sha256,
                "created_ids": _id_ranges(sorted(ids.values())),
                "amended": sorted(plan.amended),
                "rejected": [o.processor_reference for o in outcomes if o.outcome == "REJECTED"],
            },
            now=now,
        )
    return outcomes
