"""A claim's draft: what the customer (or staff for them) enters before submitting; the reply's delivery."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import overload

from cards.models import Card, Transaction, TransactionStatus
from cards.selectors import card_get_for_customer, transaction_list_for_card
from customers.models import Customer
from disputes.models import (
    CASE_CHANNELS,
    FINISHED_STATES,
    Case,
    CaseEvent,
    CaseState,
    CaseTransaction,
    Cause,
    DeliveryChannel,
)
from disputes.services._access import Actor, lock_case
from disputes.services._audit import case_atomic
from disputes.services._core import record_creation
from disputes.services._errors import (
    ActionNotPermitted,
    CardNotFound,
    EmailAddressMissing,
    InvalidCaseState,
    InvalidClaim,
    NoTransactions,
    TransactionNotFound,
    TransactionNotSettled,
)
from disputes.services._history import change_case_field
from disputes.services._text import case_text
from kartosfera.authz import HANDLE_CASE
from kartosfera.legaltime import NaiveDatetimeError, require_aware
from kartosfera.money import ZERO
from outbox.services import outbox_enqueue


@dataclass(frozen=True, slots=True)
class Circumstances:
    """The customer's account of how the card left their control."""

    loss_noticed_at: datetime | None = None
    card_whereabouts: str = ""
    access_to_card_and_phone: str = ""
    card_in_mobile_wallet: bool | None = None
    police_notified: bool = False
    police_reference: str = ""
    account: str = ""

    def apply(self, case: Case) -> None:
        """Copy onto the case (not saved).

        :raises CaseTextTooLong: a text longer than the case holds; the case is left as it was.
        """
        whereabouts = case_text(Case, "card_whereabouts", self.card_whereabouts.strip())
        access = case_text(Case, "access_to_card_and_phone", self.access_to_card_and_phone.strip())
        police_reference = case_text(Case, "police_reference", self.police_reference.strip())
        account = case_text(Case, "customer_account", self.account.strip(), field="account")
        case.loss_noticed_at = self.loss_noticed_at
        case.card_whereabouts, case.access_to_card_and_phone = whereabouts, access
        case.card_in_mobile_wallet = self.card_in_mobile_wallet
        case.police_notified = self.police_notified
        case.police_reference, case.customer_account = police_reference, account


@overload
def claim_instant(value: datetime, name: str, *, now: datetime, required: bool = False) -> datetime: ...
@overload
def claim_instant(
    value: datetime | None, name: str, *, now: datetime, required: bool = False
) -> datetime | None: ...
def claim_instant(
    value: datetime | None, name: str, *, now: datetime, required: bool = False
) -> datetime | None:
    """An aware instant of the claim form (``name``), not in the future; None if not given nor required."""
    if value is None:
        if required:
            raise InvalidClaim(f"{name} missing", problem=name)
        return None
    try:
        require_aware(value, name=name)
    except (NaiveDatetimeError, TypeError) as exc:
        raise InvalidClaim(str(exc), problem=name) from exc
    if value > now:
        raise InvalidClaim(f"{name} is in the future", problem=name)
    return value


def check_claimant(customer: Customer, actor: Actor) -> None:
    """The customer themselves (signed in), or staff taking the claim on their behalf.

    :raises ActionNotPermitted:
    """
    if actor is None:
        raise ActionNotPermitted("a claim is made by a person")
    if customer.user_id is not None and customer.user_id == actor.pk:
        return
    if not (actor.is_active and actor.has_perm(HANDLE_CASE)):
        raise ActionNotPermitted("only the customer or staff may make a claim")


def _claimed_transactions(customer: Customer, card: Card, transaction_ids: list[int]) -> list[Transaction]:
    """The chosen transactions, through the owner-scoped selector; refuses unknown or foreign ones."""
    ids = list(dict.fromkeys(int(pk) for pk in transaction_ids))
    if not ids:
        raise NoTransactions()
    found = list(transaction_list_for_card(customer=customer, card_id=card.pk).filter(pk__in=ids))
    if len(found) != len(ids):
        raise TransactionNotFound(f"not on card {card.pk}: {sorted(set(ids) - {t.pk for t in found})}")
    unsettled = [t.pk for t in found if t.status != TransactionStatus.SETTLED]
    if unsettled:
        raise TransactionNotSettled(f"not settled: {unsettled}")
    return sorted(found, key=lambda t: (t.executed_at, t.pk))


def _choice(value: str, choices: Iterable[str], name: str) -> str:
    if value not in choices:
        raise InvalidClaim(f"unknown {name} {value!r}", problem=name)
    return value


# The cause of a draft the customer has not said yet: the portal asks "what happened to the card?"
# with nothing chosen, since the cause decides the liability rules (RULES.md section 3). Only a draft
# may have it (the ``case_cause_valid`` constraint); sending one refuses (``claim_submit``).
CAUSE_NOT_ANSWERED = ""


def claim_create_draft(
    *,
    customer: Customer,
    card_id: int,
    transaction_ids: list[int],
    channel: str,
    cause: str,
    circumstances: Circumstances | None = None,
    reported_at: datetime | None = None,
    found_at: datetime | None = None,
    actor: Actor,
    now: datetime,
) -> Case:
    """Start a claim about transactions of one of the customer's cards; nothing is held until submission.

    ``reported_at`` (the loss or theft report liability runs from) defaults to the card's cancellation
    time when the card was cancelled as lost or stolen. ``found_at``: the bank found them itself.
    ``cause`` may be ``CAUSE_NOT_ANSWERED`` (the customer answers it on a later page).

    :raises ActionNotPermitted: the actor is neither the customer nor staff.
    :raises CardNotFound: the card is not the customer's.
    :raises NoTransactions, TransactionNotFound, TransactionNotSettled: the transactions chosen.
    :raises InvalidClaim: an unknown channel or cause, a naive or future time.
    :raises CaseTextTooLong: a text of the ``circumstances`` longer than the case holds.
    """
    check_claimant(customer, actor)
    try:
        card = card_get_for_customer(customer=customer, card_id=card_id)
    except Card.DoesNotExist:
        raise CardNotFound() from None
    chosen = _claimed_transactions(customer, card, transaction_ids)
    _choice(channel, CASE_CHANNELS, "channel")
    _choice(cause, (*Cause, CAUSE_NOT_ANSWERED), "cause")
    reported_at = claim_instant(reported_at, "reported_at", now=now)
    found_at = claim_instant(found_at, "found_at", now=now)
    if reported_at is None and card.is_reported_lost_or_stolen:
        reported_at = card.cancelled_at
    with case_atomic() as audit:
        case = Case(
            customer=customer,
            card=card,
            channel=channel,
            cause=cause,
            reported_at=reported_at,
            found_at=found_at,
            created_at=now,
            created_by=actor,
            disputed_amount=sum((t.amount_pln for t in chosen), ZERO),
        )
        (circumstances or Circumstances()).apply(case)
        case.save()
        CaseTransaction.objects.bulk_create(
            CaseTransaction(case=case, transaction=t, amount=t.amount_pln) for t in chosen
        )
        record_creation(
            case, actor=actor, now=now, data={"transactions": [t.pk for t in chosen]}, audit=audit
        )
    return case


def claim_update_draft(
    *,
    case_id: int,
    actor: Actor,
    now: datetime,
    transaction_ids: list[int] | None = None,
    cause: str | None = None,
    circumstances: Circumstances | None = None,
    reply_delivery: str | None = None,
) -> Case:
    """Change the transactions, the cause, the account or the delivery of letters of a draft claim.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: not the actor's draft.
    :raises NoTransactions, TransactionNotFound, TransactionNotSettled, InvalidClaim: as the draft.
    :raises CaseTextTooLong: a text of the ``circumstances`` longer than the case holds.
    """
    with case_atomic():
        case = lock_case(case_id, actor)
        check_claimant(case.customer, actor)
        if case.state != CaseState.DRAFT:
            raise InvalidCaseState("update_draft", state=case.get_state_display())
        if reply_delivery is not None:
            case.reply_delivery = _reply_delivery(case, reply_delivery)
        if cause is not None:
            case.cause = _choice(cause, Cause, "cause")
        if circumstances is not None:
            circumstances.apply(case)
        if transaction_ids is not None:
            chosen = _claimed_transactions(case.customer, case.card, transaction_ids)
            case.disputed.all().delete()
            CaseTransaction.objects.bulk_create(
                CaseTransaction(case=case, transaction=t, amount=t.amount_pln) for t in chosen
            )
            case.disputed_amount = sum((t.amount_pln for t in chosen), ZERO)
        case.save()
    return case


def _reply_delivery(case: Case, delivery: str) -> str:
    """A valid choice of delivery for the case's letters (Complaints Act art. 5)."""
    if delivery not in (DeliveryChannel.POST, DeliveryChannel.EMAIL):
        raise InvalidClaim(f"unknown reply_delivery {delivery!r}", problem="reply_delivery")
    if delivery == DeliveryChannel.EMAIL and not case.customer.email:
        raise EmailAddressMissing()
    return delivery


def case_set_reply_delivery(*, case_id: int, delivery: str, actor: Actor, now: datetime) -> Case:
    """The customer's choice of how the bank's letters about the claim reach them: post (the default)
    or e-mail (Complaints Act art. 5: only at the customer's request); letters not sent yet follow it.

    Switching to e-mail asks the letters app to e-mail the letters still waiting (through the outbox).

    :raises CaseNotFound, ActionNotPermitted: not the actor's case.
    :raises InvalidCaseState: the claim is withdrawn or closed. :raises InvalidClaim: an unknown choice.
    :raises EmailAddressMissing: e-mail without an address on file.
    """
    require_aware(now, name="now")
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        check_claimant(case.customer, actor)
        if case.state in FINISHED_STATES:
            raise InvalidCaseState("set_reply_delivery", state=case.get_state_display())
        delivery = _reply_delivery(case, delivery)
        if delivery == case.reply_delivery:
            return case
        change_case_field(
            case,
            "reply_delivery",
            delivery,
            kind=CaseEvent.Kind.REPLY_DELIVERY_CHANGED,
            actor=actor,
            now=now,
            audit=audit,
        )
        if delivery == DeliveryChannel.EMAIL and case.state != CaseState.DRAFT:
            outbox_enqueue(task="letters.tasks.send_letters_by_email", kwargs={"case_id": case.pk}, now=now)
    return case


__all__ = [
    "Circumstances",
    "case_set_reply_delivery",
    "check_claimant",
    "claim_create_draft",
    "claim_instant",
    "claim_update_draft",
]
