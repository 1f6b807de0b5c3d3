"""The field types a letter's snapshot is made of, as pydantic validators and serialisers. Pure, no Django.

Each type checks a value the way a letter needs it, with a message that names the field, and writes it
to JSON the way stored snapshots have it: amounts as strings (``"212.71"``), dates ISO, an instant ISO
with its own offset (``+02:00``, never ``Z``), an enumeration as its value. Built in Python a snapshot is
strict (a date is a ``date``, never a string); decoded from JSON its strings become dates and amounts.
"""

import dataclasses
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar, cast, dataclass_transform

from pydantic import (
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass

from kartosfera.legaltime import require_aware
from kartosfera.money import ZERO, round_grosz, to_decimal

CARD_MASK = re.compile(r"^•••• \d{4}$")
LANGUAGES = ("pl", "en")
T = TypeVar("T")
E = TypeVar("E", bound=Enum)


class SnapshotError(ValueError):
    """A snapshot value is malformed (wrong type, a float amount, an unmasked card number...)."""


def _name(info: ValidationInfo) -> str:
    return info.field_name or "value"


def _text(value: object, info: ValidationInfo, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise SnapshotError(f"{_name(info)} must be a str, got {type(value).__name__}")
    if required and not value.strip():
        raise SnapshotError(f"{_name(info)} must not be empty")
    return value


def _optional_text(value: object, info: ValidationInfo) -> str:
    return _text(value, info, required=False)


def _day(value: object, info: ValidationInfo) -> date:
    if info.mode == "json" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise SnapshotError(f"{_name(info)}: {exc}") from exc
    # A datetime is a date too; a legal date must not silently carry a time of day.
    if type(value) is not date:
        raise SnapshotError(f"{_name(info)} must be a date, got {type(value).__name__}")
    return value


def _instant(value: object, info: ValidationInfo) -> datetime:
    """An aware instant, recorded to the second (a card's report time)."""
    try:
        if info.mode == "json" and isinstance(value, str):
            value = datetime.fromisoformat(value)
        instant = require_aware(value, name=_name(info))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise SnapshotError(str(exc)) from exc
    if instant.microsecond:
        raise SnapshotError(f"{_name(info)} is recorded to the second")
    return instant


def _decimal(value: object, info: ValidationInfo, *, grosz: bool) -> Decimal:
    """A Decimal amount (refusing floats; strings only in JSON) and, for PLN amounts, whole grosze."""
    name = _name(info)
    if info.mode == "json" and not isinstance(value, str):
        raise SnapshotError(f"amounts are strings in a snapshot, got {value!r}")
    try:
        amount = to_decimal(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SnapshotError(f"{name}: {exc}") from exc
    if grosz and amount != round_grosz(amount):
        raise SnapshotError(f"{name} must be whole grosze, got {amount}")
    if amount < ZERO:
        raise SnapshotError(f"{name} must not be negative, got {amount}")
    return amount


def _grosze(value: object, info: ValidationInfo) -> Decimal:
    return _decimal(value, info, grosz=True)


def _rate(value: object, info: ValidationInfo) -> Decimal:
    return _decimal(value, info, grosz=False)


def _card(value: object, info: ValidationInfo) -> str:
    text = _text(value, info)
    if not CARD_MASK.match(text):
        raise SnapshotError(
            f"{_name(info)} must be a masked card number like '•••• 1234', never a full number"
        )
    return text


def _flag(value: object, info: ValidationInfo) -> bool:
    if not isinstance(value, bool):
        raise SnapshotError(f"{_name(info)} must be True or False")
    return value


def choice(enum: type[E], label: str) -> Callable[[object], E]:
    """A validator of one enumeration's values: ``unknown <label> 'X'`` for anything else."""

    def validate(value: object) -> E:
        try:
            return enum(value)
        except ValueError as exc:
            raise SnapshotError(f"unknown {label} {value!r}") from exc

    return validate


def items(item_type: type) -> BeforeValidator:
    """A list or tuple of ``item_type``, stored as a tuple (hashable, immutable)."""

    def validate(value: object, info: ValidationInfo) -> object:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise SnapshotError(f"{_name(info)} must be a list or tuple of {item_type.__name__}")
        if info.mode == "python":
            for item in value:
                if not isinstance(item, item_type):
                    raise SnapshotError(
                        f"{_name(info)} items must be {item_type.__name__}, got {type(item).__name__}"
                    )
        return tuple(value)

    return BeforeValidator(validate)


def _enum_value(value: Enum) -> object:
    return value.value


def _nip_is_valid(nip: str) -> bool:
    """Polish tax id: 10 digits, the last a weighted checksum of the first nine."""
    if not re.fullmatch(r"\d{10}", nip):
        return False
    checksum = sum(int(d) * w for d, w in zip(nip, (6, 5, 7, 2, 3, 4, 5, 6, 7), strict=False)) % 11
    return checksum != 10 and checksum == int(nip[9])


def _registry_number(value: object, info: ValidationInfo) -> str:
    """The bank's KRS, NIP and REGON, each checked by its own rule."""
    text = value if isinstance(value, str) else ""
    if info.field_name == "krs" and not re.fullmatch(r"\d{10}", text):
        raise SnapshotError(f"krs must be 10 digits, got {value!r}")
    if info.field_name == "nip" and not _nip_is_valid(text):
        raise SnapshotError(f"nip is not a valid Polish tax id: {value!r}")
    if info.field_name == "regon" and not re.fullmatch(r"\d{9}|\d{14}", text):
        raise SnapshotError(f"regon must be 9 or 14 digits, got {value!r}")
    return text


def _language(value: object) -> str:
    if not isinstance(value, str) or value not in LANGUAGES:
        raise SnapshotError(f"language must be one of {LANGUAGES}, got {value!r}")
    return value


def _nbp_table(value: object) -> str:
    # A real NBP table number, or the label of a synthetic demo rate, which then shows as such.
    if not isinstance(value, str) or not re.fullmatch(
        r"\d{3}/A/NBP/\d{4}|SYNTHETIC-\d{4}-\d{2}-\d{2}", value
    ):
        raise SnapshotError(f"nbp_table must look like 099/A/NBP/2025, got {value!r}")
    return value


def _account_masked(value: object, info: ValidationInfo) -> str:
    value = _text(value, info)
    if "•" not in value or sum(c.isdigit() for c in value) > 8:
        raise SnapshotError("account_masked must hide the account number but its ends, e.g. PL61 •••• 0001")
    return value


Text = Annotated[str, PlainValidator(_text)]
OptionalText = Annotated[str, PlainValidator(_optional_text)]
CardMask = Annotated[str, PlainValidator(_card)]
Flag = Annotated[bool, PlainValidator(_flag)]
Day = Annotated[date, PlainValidator(_day), PlainSerializer(date.isoformat)]
Instant = Annotated[datetime, PlainValidator(_instant), PlainSerializer(datetime.isoformat)]
Amount = Annotated[Decimal, PlainValidator(_grosze), PlainSerializer(str)]
Rate = Annotated[Decimal, PlainValidator(_rate), PlainSerializer(str)]
EnumValue = PlainSerializer(_enum_value)
RegistryNumber = Annotated[str, PlainValidator(_registry_number)]
Language = Annotated[str, PlainValidator(_language)]
NbpTable = Annotated[str, PlainValidator(_nbp_table)]
AccountMask = Annotated[str, PlainValidator(_account_masked)]


def snapshot_error(exc: ValidationError) -> SnapshotError:
    """The first refusal of a validation as a SnapshotError (the validator's own, where it raised one)."""
    first = exc.errors()[0]
    context = first.get("ctx") or {}
    if isinstance(context.get("error"), SnapshotError):
        return context["error"]
    where = ".".join(str(part) for part in first["loc"])
    if "class_name" in context:
        return SnapshotError(f"{where} must be {context['class_name']}, got {type(first['input']).__name__}")
    return SnapshotError(f"{where}: {first['msg']}")


def _refuse_unknown_fields(cls: type, data: Any) -> Any:
    """In JSON, a field the type does not have is refused by name (a stored snapshot is never trimmed)."""
    if isinstance(data, dict):
        unknown = set(data) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise SnapshotError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return data


@dataclass_transform(frozen_default=True)
def snapshot_type(cls: type[T]) -> type[T]:
    """A frozen pydantic dataclass whose refusals are SnapshotErrors, strict when built in Python."""
    refuse_unknown_fields: Any = model_validator(mode="before")
    cls._refuse_unknown_fields = refuse_unknown_fields(classmethod(_refuse_unknown_fields))  # type: ignore[attr-defined]
    model: Any = pydantic_dataclass(frozen=True, config=ConfigDict(strict=True, extra="forbid"))(cls)
    validate = model.__init__

    def __init__(self: T, *args: Any, **kwargs: Any) -> None:
        try:
            validate(self, *args, **kwargs)
        except ValidationError as exc:
            raise snapshot_error(exc) from None

    __init__.__doc__ = validate.__doc__
    model.__init__ = __init__
    return cast("type[T]", model)


def drop_unset(data: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """``data`` without the fields named by dotted ``paths`` whose value is None.

    A ``*`` part stands for every item of a list ("liability.lines.*.x").
    """
    for path in paths:
        *parents, name = path.split(".")
        sections: list[Any] = [data]
        for part in parents:
            if part == "*":
                sections = [item for section in sections if isinstance(section, list) for item in section]
            else:
                sections = [section.get(part) for section in sections if isinstance(section, dict)]
        for section in sections:
            if isinstance(section, dict) and name in section and section[name] is None:
                del section[name]
    return data


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
