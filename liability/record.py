"""The stored form of a liability assessment, as pydantic models. Pure: no Django, no clock, no I/O.

``disputes.models.LiabilityAssessment.result`` holds ``Assessment.to_dict()``: the engine that computed
it, its inputs (for the replay), the totals and one line per transaction. Amounts are strings as
written (``"212.71"``), dates ISO, instants ISO with their own offset (``+02:00``, never ``Z``), the
cap's remaining EUR exact (``"999850/42497"``); the keys keep the order below, so a stored result and
its replay compare equal as JSON text, not only as data.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, ValidationError, model_validator

from liability import rules


class NotAnAssessment(ValueError):
    """The data is not a stored assessment (a field missing, or of the wrong form)."""


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):  # from an Assessment (JSON has no Decimal)
        return value
    if not isinstance(value, str):
        raise ValueError(f"amounts and rates are strings in a stored assessment, got {value!r}")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _day(value: object) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    if type(value) is not date:
        raise ValueError(f"dates are ISO strings in a stored assessment, got {value!r}")
    return value


def _instant(value: object) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"instants are ISO strings in a stored assessment, got {value!r}")
    return value


def _exact(value: object) -> str:
    """The cap's remaining EUR: a Fraction (engine 2) or a Decimal (engine 1), written exactly."""
    if isinstance(value, (Fraction, Decimal, str)):
        return str(value)
    raise ValueError(f"the remaining EUR is a fraction or a decimal, got {value!r}")


Amount = Annotated[Decimal, PlainValidator(_decimal), PlainSerializer(str)]
Day = Annotated[date, PlainValidator(_day), PlainSerializer(date.isoformat)]
Instant = Annotated[datetime, PlainValidator(_instant), PlainSerializer(datetime.isoformat)]
Exact = Annotated[str, PlainValidator(_exact)]


class _Stored(BaseModel):
    # Strict: a flag is true or false, never "yes"; the stored form is decoded as the JSON it is.
    model_config = ConfigDict(frozen=True, strict=True)


class StoredTransaction(_Stored):
    """One transaction of the claim as the engine was given it."""

    id: str
    amount: Amount
    executed_at: Instant
    sca_applied: bool
    debited_on: Day


class StoredFindings(_Stored):
    """The analyst's findings the assessment was made with."""

    intent: bool = False
    gross_negligence: bool = False
    undetectable: bool = False
    bank_staff: bool = False
    no_means_to_report: bool = False


class StoredInputs(_Stored):
    """Everything the engine was given, so the result can be recomputed."""

    transactions: list[StoredTransaction]
    reported_at: Instant
    cause: str
    findings: StoredFindings
    rounding: str


class StoredLine(_Stored):
    """The decision for one transaction: its rule, shares, rate (for the cap) and explanations."""

    transaction_id: str
    rule: str
    customer: Amount
    bank: Amount
    rate: Amount | None
    table: str | None
    synthetic_rate: bool
    rate_date: Day | None
    amount: Amount
    executed_at: Instant
    debited_on: Day
    window_end: Day
    cap: Amount | None
    remaining_eur_before: Exact | None
    remaining_eur_after: Exact | None
    explanation_pl: str
    explanation_en: str


class StoredAssessment(_Stored):
    """A whole assessment: the engine, the inputs, the totals and the lines in execution order.

    Read from an ``Assessment``, ``inputs`` is the assessment itself: it holds its inputs as attributes.
    """

    engine: str
    inputs: StoredInputs
    currency: Literal["PLN"] = "PLN"
    customer_total: Amount
    bank_total: Amount
    synthetic_rates_used: bool
    lines: list[StoredLine]

    @model_validator(mode="before")
    @classmethod
    def _read_assessment(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return value
        read = [name for name in cls.model_fields if name not in ("inputs", "currency")]
        return {name: getattr(value, name) for name in read} | {"inputs": value}

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "StoredAssessment":
        """Decode a stored ``Assessment.to_dict()``, as the JSON it is stored as.

        :raises NotAnAssessment: a field is missing or of the wrong form.
        """
        try:
            return cls.model_validate_json(json.dumps(dict(data)))
        except ValidationError as exc:
            raise NotAnAssessment(f"not a stored liability assessment: {exc}") from exc

    def decision(self) -> dict[str, Any]:
        """What the engine decided: the inputs, figures, rates and each line's rule (its reason code),
        without the explanations' wording, which may be improved after a result was stored."""
        wording = {"explanation_pl", "explanation_en"}
        return self.model_dump(mode="json", exclude={"lines": {"__all__": wording}})

    def rates(self) -> dict[date, tuple[Decimal, str]]:
        """The EUR rate and table each capped line used, by its Warsaw execution date."""
        return {
            line.rate_date: (line.rate, line.table)
            for line in self.lines
            if line.rate_date is not None and line.rate is not None and line.table is not None
        }

    def capped_after(self, line: StoredLine) -> int:
        """How many capped lines come after ``line``: the payments what it leaves of the cap is for.

        The cap is consumed in execution order (the lines' order), so what a payment leaves of it
        matters to the capped payments after it alone, never to those before it.
        """
        later = self.lines[self.lines.index(line) + 1 :]
        return sum(1 for other in later if other.rule == rules.CAP)

    def windows(self) -> dict[date, date]:
        """The last reporting day (UUP-44-2) each debit date had."""
        return {line.debited_on: line.window_end for line in self.lines}


def stored_form(model: type[_Stored], value: object) -> dict[str, Any]:
    """The JSON-ready form of an engine value, read from its attributes; keys in the model's order."""
    return model.model_validate(value, from_attributes=True, strict=False).model_dump(mode="json")
