"""The first liability estimate of a claim: computed from stored NBP rates, or waiting for them."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from disputes.models import (
    Case,
    CaseEvent,
    CaseTransaction,
    EstimateStatus,
    LiabilityAssessment,
    present,
)
from disputes.services._access import Actor, lock_case
from disputes.services._audit import CaseAudit, case_atomic
from disputes.services._errors import (
    CaseNotFound,
)
from disputes.services._history import add_event, record_assessment
from liability.engine import Assessment, Findings, TransactionFacts
from liability.services import RateUnavailable, liability_assess
from outbox.services import outbox_enqueue


def transaction_facts(links: list[CaseTransaction]) -> list[TransactionFacts]:
    """The liability engine's view of the disputed transactions."""
    return [
        TransactionFacts(
            id=str(link.transaction_id),
            amount=link.amount,
            executed_at=link.transaction.executed_at,
            sca_applied=link.transaction.sca_applied,
            debited_on=link.transaction.debited_on,
        )
        for link in links
    ]


@dataclass
class Estimate:
    """The first estimate of a claim: its assessment, or the NBP rates it waits for."""

    assessment: Assessment | None = None
    waiting: RateUnavailable | None = field(default=None)


def first_estimate(
    links: list[CaseTransaction], *, cause: str, reported_at: datetime, now: datetime
) -> Estimate:
    """The first liability estimate (no findings yet), or the rates it waits for. Stored rates only."""
    try:
        return Estimate(
            assessment=liability_assess(
                transactions=transaction_facts(links),
                reported_at=reported_at,
                cause=cause,
                findings=Findings(),
                now=now,
            )
        )
    except RateUnavailable as error:
        return Estimate(waiting=error)


def request_rate_fetch(error: RateUnavailable, *, now: datetime, case_ids: Iterable[int] = ()) -> None:
    """Ask through the outbox for the NBP rates ``error`` lacks to be fetched, then the cases' estimates done.

    The only place the disputes workflow asks for NBP rates: requests read stored rates and never
    call the NBP themselves. The row joins the caller's transaction (or commits on its own); the
    worker chains the fetches and the estimates (``disputes.tasks.fetch_rates_then_estimate``).
    """
    with transaction.atomic():
        outbox_enqueue(
            task="disputes.tasks.fetch_rates_then_estimate",
            kwargs={
                "currency": error.currency,
                "ranges": [[start.isoformat(), end.isoformat()] for start, end in error.fetch_ranges],
                "case_ids": list(case_ids),
            },
            now=now,
        )


def wait_for_rate(
    case: Case, error: RateUnavailable, *, now: datetime, audit_actor: Actor, audit: CaseAudit
) -> None:
    """Mark the case's estimate as waiting for NBP rates (audited) and ask for their fetch."""
    case.estimate_status = EstimateStatus.WAITING_FOR_RATE
    add_event(
        case,
        CaseEvent.Kind.ESTIMATE_WAITING,
        actor=None,
        audit_actor=audit_actor,
        now=now,
        data={
            "currency": error.currency,
            "on": error.on.isoformat(),
            "error": type(error).__name__,
            "fetch": [error.fetch_start.isoformat(), error.fetch_end.isoformat()],
            "ranges": [[start.isoformat(), end.isoformat()] for start, end in error.fetch_ranges],
        },
        audit=audit,
    )
    request_rate_fetch(error, now=now, case_ids=[case.pk])


def case_complete_estimate(*, case_id: int, now: datetime) -> bool:
    """Complete a first estimate that waited for an NBP rate; True when it is (now or before) complete.

    Reads stored rates only (the fetch chain runs this after fetching). Idempotent: an estimated case
    is left alone; a rate still missing leaves it waiting (the waiting-estimates sweep asks for the
    fetch again).

    :raises CaseNotFound:
    """
    return estimate_complete_or_missing(case_id=case_id, now=now) is None


def estimate_complete_or_missing(*, case_id: int, now: datetime) -> RateUnavailable | None:
    """``case_complete_estimate``, returning None when complete, else the error naming the rates it lacks.

    :raises CaseNotFound:
    """
    try:
        case = Case.objects.get(pk=case_id)
    except Case.DoesNotExist:
        raise CaseNotFound() from None
    if case.estimate_status != EstimateStatus.WAITING_FOR_RATE:
        return None
    links = list(case.disputed.select_related("transaction").order_by("transaction__executed_at", "pk"))
    estimate = first_estimate(
        links, cause=case.cause, reported_at=present(case.reported_at, "reported_at"), now=now
    )
    if estimate.assessment is None:
        return estimate.waiting
    with case_atomic() as audit:
        case = lock_case(case_id, None)
        if case.estimate_status != EstimateStatus.WAITING_FOR_RATE:
            return None
        stored = record_assessment(
            case,
            estimate.assessment,
            kind=LiabilityAssessment.Kind.ESTIMATE,
            actor=None,
            now=now,
            audit=audit,
        )
        case.estimate_status = EstimateStatus.ESTIMATED
        case.save(update_fields=["estimate_status", "updated_at"])
        add_event(
            case,
            CaseEvent.Kind.ESTIMATE_COMPLETED,
            actor=None,
            now=now,
            data={
                "assessment": stored.pk,
                "customer_total": str(stored.customer_total),
                "bank_total": str(stored.bank_total),
            },
            audit=audit,
        )
    return None


__all__ = ["Estimate", "case_complete_estimate", "first_estimate", "transaction_facts", "wait_for_rate"]
