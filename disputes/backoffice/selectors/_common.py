"""What the back office's pages share: the page size, the plain rows a queue reads, the traffic
lights of a case's deadlines, and the items of a timeline."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Field, Model

from cards.models import Card
from deadlines.calendar import BusinessCalendar
from disputes.backoffice.lights import Light, LightRule, chargeback_light, refund_light, reply_light
from disputes.models import (
    OPEN_STATES,
    Case,
)
from disputes.selectors import (
    refund_running,
    reply_running,
)

if TYPE_CHECKING:
    from letters.models import Letter

PAGE_SIZE = 50


def model_field(model: type[Model], name: str) -> "Field[object, object]":
    """The ``model``'s own field ``name`` (not a relation of another model to it)."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is another model's relation, not a field")
    return field


def choice_display(model: type[Model], field_name: str, value: str) -> str:
    """What ``get_<field>_display()`` of a ``model`` instance shows for ``value``, in the active language."""
    return str(dict(model_field(model, field_name).flatchoices).get(value, value))


@dataclass(frozen=True, slots=True)
class QueuePerson:
    """The customer or the assignee as a queue row names them."""

    id: int
    first_name: str
    last_name: str
    username: str = ""

    @property
    def pk(self) -> int:
        return self.id


@dataclass(frozen=True, slots=True)
class QueueCard:
    """The card as a queue row shows it."""

    id: int
    brand: str
    last4: str
    status: str

    def get_brand_display(self) -> str:
        return choice_display(Card, "brand", self.brand)


@dataclass(frozen=True, slots=True)
class QueueCase:
    """The fields of a case a queue row shows and its lights read: plain values, not a model instance
    (a page of 50 rows instantiated 200 models with django-fsm's state tracking for a table)."""

    id: int
    number: str
    state: str
    disputed_amount: Decimal | None
    channel: str
    cause: str
    refund_owed: bool
    refunded_at: datetime | None
    refund_confirmed_at: datetime | None
    refund_withheld_at: datetime | None
    refund_due_at: datetime | None
    refund_due_on: date | None
    reply_due_at: datetime | None
    reply_due_on: date | None
    reply_dispatched_at: datetime | None
    chargeback_due_at: datetime | None
    chargeback_due_on: date | None
    customer: QueuePerson
    card: QueueCard
    assignee: QueuePerson | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def assignee_id(self) -> int | None:
        return None if self.assignee is None else self.assignee.id

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def get_state_display(self) -> str:
        return choice_display(Case, "state", self.state)


# The columns of a queue row, in QueueCase's order (the customer, card and assignee in theirs).


class CaseLights(NamedTuple):
    refund: Light
    reply: Light
    chargeback: Light


def case_lights(
    case: Case | QueueCase, *, calendar: BusinessCalendar, now: datetime, today: date
) -> CaseLights:
    """The traffic light of each of the case's deadlines; NONE for a clock that does not run."""

    def light(rule: LightRule, running: bool, due_at: datetime | None, due_on: date | None) -> Light:
        return (
            rule(calendar=calendar, now=now, today=today, due_at=due_at, due_on=due_on)
            if running
            else Light.NONE
        )

    return CaseLights(
        light(
            refund_light,
            refund_running(case),
            case.refund_due_at,
            case.refund_due_on,
        ),
        light(reply_light, reply_running(case), case.reply_due_at, case.reply_due_on),
        light(chargeback_light, case.is_open, case.chargeback_due_at, case.chargeback_due_on),
    )


@dataclass
class TimelineItem:
    occurred_at: datetime
    kind: str  # TRANSITION, EVENT, LETTER, EVIDENCE, CARD, PROPOSAL, CIRCUMSTANCES
    title: str
    actor: object
    row: Model  # the row shown: transition, event, letter request, evidence, card event, proposal or the case
    # A letter request's issued versions, oldest first, each with its dispatch (or withdrawal) if
    # recorded: the history says a letter was sent only when it left the bank, not when it was made.
    letters: "Sequence[Letter]" = ()
