"""Shared pieces of the dispute models: choices, transition guards and permissions."""

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kartosfera.authz import HANDLE_CASE
from kartosfera.money import MONEY_DIGITS  # noqa: F401 (re-exported to the models)
from kartosfera.vocabulary import Channel, choice_values  # noqa: F401 (re-exported to the models)

# The longest free text a case keeps (the back office's and the portal's forms take the same): a
# page showing it stays readable, whatever was pasted.
TEXT_LIMIT = 2000
DESCRIPTION_LIMIT = 200


def text_limits(prefix: str, limits: dict[str, int]) -> list[models.CheckConstraint]:
    """One check constraint per free-text column: at most its limit of characters."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(column), limit), name=f"{prefix}_{column}_length"[:60]
        )
        for column, limit in limits.items()
    ]


class CaseState(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SUBMITTED = "SUBMITTED", _("Submitted")
    UNDER_REVIEW = "UNDER_REVIEW", _("Under review")
    PROVISIONALLY_REFUNDED = "PROVISIONALLY_REFUNDED", _("Provisionally refunded")
    REFUND_WITHHELD = "REFUND_WITHHELD", _("Refund withheld (fraud suspected)")
    AWAITING_CUSTOMER = "AWAITING_CUSTOMER", _("Awaiting the customer")
    DECIDED = "DECIDED", _("Decided")
    DEEMED_ACCEPTED = "DEEMED_ACCEPTED", _("Deemed accepted (reply deadline missed)")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")
    CLOSED = "CLOSED", _("Closed")


# The reply clock (REK-6/REK-7, UUP-PS-15/35) runs in these states until the reply is dispatched.
# AWAITING_CUSTOMER is one of them: waiting for the customer pauses nothing, the law has no pause.
REPLY_CLOCK_STATES = (
    CaseState.SUBMITTED,
    CaseState.UNDER_REVIEW,
    CaseState.PROVISIONALLY_REFUNDED,
    CaseState.REFUND_WITHHELD,
    CaseState.AWAITING_CUSTOMER,
    CaseState.DECIDED,
)
# Submitted and not finished: the case holds its transactions (one open case per transaction). That is
# every state of the reply clock, and a case deemed accepted (REK-8) until it is closed.
OPEN_STATES = (*REPLY_CLOCK_STATES, CaseState.DEEMED_ACCEPTED)
# The D+1 refund (UUP-46-1) is still to be made or withheld in these states.
REFUND_PENDING_STATES = (CaseState.SUBMITTED, CaseState.UNDER_REVIEW)
# The states to which a customer's answer returns the case from AWAITING_CUSTOMER.
RESUMABLE_STATES = (
    CaseState.UNDER_REVIEW,
    CaseState.PROVISIONALLY_REFUNDED,
    CaseState.REFUND_WITHHELD,
)
FINISHED_STATES = (CaseState.WITHDRAWN, CaseState.CLOSED)


# The ways a claim reaches the bank.
CASE_CHANNELS = (Channel.PORTAL, Channel.PHONE, Channel.BRANCH, Channel.LINE_828, Channel.STAFF)


class DeliveryChannel(models.TextChoices):
    """How a letter reaches the customer; the reply goes by post unless the customer asked for e-mail
    (Complaints Act art. 5)."""

    PORTAL = "PORTAL", _("Portal download")
    POST = "POST", _("Post")
    EMAIL = "EMAIL", _("E-mail at the customer's request")
    # Letters issued before their dispatch was recorded (letters migration 0005): they left the bank
    # then, by whatever channel, and never go into a print batch or an e-mail again.
    UNRECORDED = "UNRECORDED", _("Sent before dispatch was recorded")


# The channels a customer may choose for the bank's letters (the portal holds a copy of each anyway).
REPLY_DELIVERY_CHOICES = [(c.value, c.label) for c in (DeliveryChannel.POST, DeliveryChannel.EMAIL)]


class EstimateStatus(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", _("Not started")
    ESTIMATED = "ESTIMATED", _("Estimated")
    WAITING_FOR_RATE = "WAITING_FOR_RATE", _("Waiting for the NBP rate")


class EvidenceKind(models.TextChoices):
    LAW_ENFORCEMENT_NOTICE = "LAW_ENFORCEMENT_NOTICE", _("Notice to law enforcement")
    DELAY_NOTICE = "DELAY_NOTICE", _("Delay notice")
    POLICE_REPORT = "POLICE_REPORT", _("Police report")
    CUSTOMER_DOCUMENT = "CUSTOMER_DOCUMENT", _("Customer's document")
    ACQUIRER_DOCUMENT = "ACQUIRER_DOCUMENT", _("Acquirer's document (second presentment)")
    # "Other" alone is a cause or a cancellation reason ("Inny powód"); here it is a document.
    OTHER = "OTHER", pgettext_lazy("evidence kind", "Other")


# The kinds of document a customer supplies: the only ones they add to their claim and the only ones
# their claim pages show. The bank's notices and the acquirer's second-presentment documents are the
# bank's own case work: the customer reads the bank's letters with the letters, and the merchant's
# evidence through the grounds of the decision letter.
CUSTOMER_EVIDENCE_KINDS = frozenset(
    {EvidenceKind.POLICE_REPORT, EvidenceKind.CUSTOMER_DOCUMENT, EvidenceKind.OTHER}
)


def customer_sees_evidence(kind: str, *, uploaded_by_customer: bool) -> bool:
    """Whether a document of ``kind`` is the customer's own, shown on their claim pages.

    A police report or a document of the customer's is theirs whoever filed it (staff file what the
    customer brought to a branch); "other" only when the customer uploaded it themselves: staff file
    their own working documents under it. ``customer_evidence`` is the same rule as a query.
    """
    if kind == EvidenceKind.OTHER:
        return uploaded_by_customer
    return kind in CUSTOMER_EVIDENCE_KINDS


def customer_evidence(customer_user_id: int | None) -> Q:
    """``customer_sees_evidence`` as a filter of a case's evidence, for its customer's user."""
    return Q(kind__in=CUSTOMER_EVIDENCE_KINDS - {EvidenceKind.OTHER}) | Q(
        kind=EvidenceKind.OTHER, uploaded_by_id=customer_user_id, uploaded_by__isnull=False
    )


class ActorKind(models.TextChoices):
    CUSTOMER = "CUSTOMER", _("Customer")
    STAFF = "STAFF", _("Staff")
    SYSTEM = "SYSTEM", _("System")


T = TypeVar("T")


def present(value: T | None, name: str) -> T:
    """``value``, which the state of its case guarantees is set (e.g. ``received_at`` once submitted).

    :raises RuntimeError: it is not: a service ran a step its state does not allow.
    """
    if value is None:
        raise RuntimeError(f"{name} is not set")
    return value


# A letter that depends on the outcome of the decision (DECISION_ACCEPTED / _PARTIAL / _REJECTED).
LETTER_BY_OUTCOME = "BY_OUTCOME"


def the_customer_or_staff(instance: Any, user: Any) -> bool:
    """The case's own customer (signed in), or staff who may handle cases on a customer's behalf."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if instance.customer.user_id is not None and instance.customer.user_id == user.pk:
        return True
    return bool(user.has_perm(HANDLE_CASE))
