"""Working a case: assignment, review, questions to the customer, the extension, the assessment, notes."""

import logging
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from customers.models import NotificationKind
from deadlines import engine as deadlines
from disputes.models import (
    FINISHED_STATES,
    RESUMABLE_STATES,
    Case,
    CaseEvent,
    CaseLetterRequest,
    CaseState,
    LiabilityAssessment,
    present,
)
from disputes.rules import expected_reply_date_problem, information_respond_by
from disputes.services._access import (
    Actor,
    check_visible,
    lock_case,
    require_staff,
)
from disputes.services._audit import case_atomic
from disputes.services._core import run_transition
from disputes.services._deadlines import apply_reply_deadline
from disputes.services._errors import (
    ActionNotPermitted,
    AssessmentRateUnavailable,
    CaseNotFound,
    ExpectedReplyDateInvalid,
    ExtensionDetailsMissing,
    InformationMissing,
    InvalidCaseState,
    NoteMissing,
)
from disputes.services._estimates import request_rate_fetch, transaction_facts
from disputes.services._history import add_event, change_case_field, record_assessment
from disputes.services._notify import case_notify
from disputes.services._text import case_text
from kartosfera.authz import HANDLE_CASE, ROLE_PERMISSIONS, SUPERVISE_CASE
from kartosfera.legaltime import warsaw_date
from liability.engine import Findings
from liability.services import RateUnavailable, liability_assess

logger = logging.getLogger(__name__)

# Where an analyst may (re)assess liability: the case is being worked and not yet decided.
ASSESSABLE_STATES = (*RESUMABLE_STATES, CaseState.AWAITING_CUSTOMER)


def case_assign(*, case_id: int, assignee: Actor, actor: Actor, now: datetime) -> Case:
    """Give the case to an analyst: a supervisor assigns anyone, an analyst takes a case for themselves.

    :raises CaseNotFound: :raises ActionNotPermitted: :raises InvalidCaseState: not open.
    """
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if actor is None or assignee is None:
            raise ActionNotPermitted("assignment needs a person and an assignee")
        if assignee.pk == actor.pk:
            require_staff(actor, HANDLE_CASE)
        else:
            require_staff(actor, SUPERVISE_CASE)
        if not (assignee.is_active and assignee.has_perm(HANDLE_CASE)):
            raise ActionNotPermitted(f"user {assignee.pk} may not handle cases")
        if case.state == CaseState.DRAFT or case.state in FINISHED_STATES:
            raise InvalidCaseState("assign", state=case.get_state_display())
        change_case_field(
            case, "assignee_id", assignee.pk, kind=CaseEvent.Kind.ASSIGNED, actor=actor, now=now, audit=audit
        )
    return case


def case_start_review(*, case_id: int, actor: Actor, now: datetime) -> Case:
    """An analyst starts reviewing a submitted case (and takes it when nobody has it).

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    """
    with case_atomic() as audit:
        case = lock_case(case_id, actor)

        def take() -> None:
            if case.assignee_id is None:
                case.assignee = actor

        run_transition(case, "start_review", case=case, actor=actor, now=now, apply=take, audit=audit)
    return case


def case_request_information(*, case_id: int, questions: str, actor: Actor, now: datetime) -> Case:
    """Ask the customer for information; the reply deadline keeps running (the law has no pause).

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: :raises InformationMissing: no questions.
    :raises RefundQuestionOpen: the D+1 refund is neither made nor withheld yet.
    """
    questions = questions.strip()
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if not questions:
            raise InformationMissing("no questions")
        # One date, computed once and stored with the request: the SMS and every version of the letter say it.
        respond_by = information_respond_by(
            asked_on=warsaw_date(now), reply_due_on=present(case.reply_due_on, "reply_due_on")
        )
        run_transition(
            case,
            "request_information",
            case=case,
            actor=actor,
            now=now,
            data={"questions": questions, "respond_by": respond_by.isoformat()},
            letter_context={
                "questions": questions,
                "reply_due_on": present(case.reply_due_on, "reply_due_on").isoformat(),
                "respond_by": respond_by.isoformat(),
            },
            audit=audit,
        )
        case_notify(
            case,
            NotificationKind.INFORMATION_REQUESTED,
            now=now,
            questions=" ".join(line.strip() for line in questions.splitlines() if line.strip()),
            respond_by=respond_by,
        )
    return case


def case_customer_responded(*, case_id: int, response: str, actor: Actor, now: datetime) -> Case:
    """The customer's answer to a request for information: the case returns to where it was.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState: :raises InformationMissing: no answer.
    """
    response = response.strip()
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if not response:
            raise InformationMissing("no answer")
        run_transition(
            case,
            "customer_responded",
            case=case,
            actor=actor,
            now=now,
            data={"response": response},
            audit=audit,
        )
    return case


def case_extend_reply(
    *, case_id: int, reason: str, outstanding: str, expected_reply_on: date, actor: Actor, now: datetime
) -> Case:
    """Extend the reply deadline to 60 days (35 business days) with a delay notice (`REK-7`).

    The notice goes out now, before the original deadline, and states the reason for the delay, what
    remains to be established and the expected reply date, which may not be after the extended
    deadline. The DELAY_NOTICE letter is queued with those three.

    :raises CaseNotFound, ActionNotPermitted, InvalidCaseState:
    :raises ExtensionDetailsMissing: no reason or nothing outstanding.
    :raises ReplyAlreadyExtended: :raises DelayNoticeTooLate: the original deadline has ended.
    :raises ExpectedReplyDateInvalid: in the past or after the extended deadline.
    :raises CaseTextTooLong: a reason or an outstanding point longer than the case holds.
    """
    reason = case_text(Case, "extension_reason", reason.strip(), field="reason")
    outstanding = case_text(Case, "extension_outstanding", outstanding.strip(), field="outstanding")
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if not reason or not outstanding:
            raise ExtensionDetailsMissing("reason and outstanding are required")
        data: dict[str, Any] = {}
        letter: dict[str, Any] = {}

        def extend() -> None:
            # After the guards: the case is submitted and the original deadline has not ended.
            extended = deadlines.reply_due(
                received_at=present(case.received_at, "received_at"), regime=case.reply_regime, extended=True
            )
            problem = expected_reply_date_problem(
                expected_on=expected_reply_on, today=warsaw_date(now), extended_due_on=extended.due_date
            )
            if problem is not None:
                raise ExpectedReplyDateInvalid(problem, due=extended.due_date)
            data.update(
                original={
                    "due_on": present(case.reply_due_on, "reply_due_on").isoformat(),
                    "rule": case.reply_rule,
                },
                extended={"due_on": extended.due_date.isoformat(), "rule": extended.rule},
                expected_reply_on=expected_reply_on.isoformat(),
                outstanding=outstanding,
            )
            letter.update(
                reason=reason,
                outstanding=outstanding,
                expected_reply_on=expected_reply_on.isoformat(),
                extended_due_on=extended.due_date.isoformat(),
                rule=extended.rule,
            )
            case.extension_reason, case.extension_outstanding = reason, outstanding
            case.expected_reply_on = expected_reply_on
            case.reply_reminded_days = None  # the reminders count down to the new date
            apply_reply_deadline(case, extended, audit=audit)

        run_transition(
            case,
            "extend_reply",
            case=case,
            actor=actor,
            now=now,
            reason=reason,
            apply=extend,
            data=data,
            letter_context=letter,
            audit=audit,
        )
        case_notify(
            case, NotificationKind.REPLY_EXTENDED, now=now, reason=reason, expected_on=expected_reply_on
        )
    return case


def case_assess_liability(
    *, case_id: int, findings: Findings, actor: Actor, now: datetime, note: str = ""
) -> LiabilityAssessment:
    """Assess the customer's liability with the analyst's findings and store it (replayable).

    :raises CaseNotFound, ActionNotPermitted: :raises InvalidCaseState: not under review.
    :raises AssessmentRateUnavailable: an NBP rate is not stored; its fetch has been requested (the
        assessment reads stored rates only and never calls the NBP).
    :raises CaseTextTooLong: a note longer than the assessment holds.
    """
    note = case_text(LiabilityAssessment, "note", note.strip())
    try:
        case = Case.objects.get(pk=case_id)
    except Case.DoesNotExist:
        raise CaseNotFound() from None
    check_visible(case, actor)
    require_staff(actor, HANDLE_CASE)
    if case.state not in ASSESSABLE_STATES:
        raise InvalidCaseState("assess_liability", state=case.get_state_display())
    links = list(case.disputed.select_related("transaction").order_by("transaction__executed_at", "pk"))
    try:
        assessment = liability_assess(
            transactions=transaction_facts(links),
            reported_at=present(case.reported_at, "reported_at"),
            cause=case.cause,
            findings=findings,
            now=now,
        )
    except RateUnavailable as error:
        request_rate_fetch(error, now=now)
        raise AssessmentRateUnavailable(str(error)) from error
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        if case.state not in ASSESSABLE_STATES:
            raise InvalidCaseState("assess_liability", state=case.get_state_display())
        stored = record_assessment(
            case,
            assessment,
            kind=LiabilityAssessment.Kind.ANALYST,
            actor=actor,
            now=now,
            note=note,
            audit=audit,
        )
        add_event(
            case,
            CaseEvent.Kind.LIABILITY_ASSESSED,
            actor=actor,
            now=now,
            data={
                "assessment": stored.pk,
                "findings": stored.findings,
                "customer_total": str(stored.customer_total),
                "bank_total": str(stored.bank_total),
                "rules": [line["rule"] for line in stored.result["lines"]],
            },
            audit=audit,
        )
    return stored


def case_add_note(*, case_id: int, text: str, actor: Actor, now: datetime) -> CaseEvent:
    """An internal note of staff on the case.

    :raises CaseNotFound, ActionNotPermitted: :raises InformationMissing: empty note.
    """
    text = text.strip()
    with case_atomic() as audit:
        case = lock_case(case_id, actor)
        require_staff(actor, HANDLE_CASE)
        if not text:
            raise NoteMissing("empty note")
        return add_event(case, CaseEvent.Kind.NOTE, actor=actor, now=now, data={"text": text}, audit=audit)


def staff_groups_ensure() -> list[str]:
    """Make sure the staff role groups exist with their permissions (``kartosfera.authz.ROLE_PERMISSIONS``;
    migrations disputes 0003 and reports 0004 create them)."""
    with transaction.atomic():
        for name, permissions in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.get_or_create(name=name)
            held = Q(pk__in=[])
            for permission in permissions:
                app_label, codename = permission.split(".")
                held |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.add(*Permission.objects.filter(held))
    return list(ROLE_PERMISSIONS)


def letter_request_fulfil(*, letter_request_id: int, actor: Actor, now: datetime) -> CaseLetterRequest:
    """Mark a requested letter as written and sent outside the letters app (staff); idempotent.

    The letters app marks the letters it issues itself. A decision letter's dispatch is what counts
    for the reply deadline: record it with ``case_dispatch_reply`` too.

    :raises CaseNotFound: no such letter request, or the actor may not see its case.
    :raises ActionNotPermitted: neither the system nor staff handling cases.
    """
    require_staff(actor, HANDLE_CASE, system_allowed=True)
    case_id = CaseLetterRequest.objects.filter(pk=letter_request_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseNotFound()
    with case_atomic():
        lock_case(case_id, actor)
        letter = CaseLetterRequest.objects.select_for_update().get(pk=letter_request_id)
        if letter.fulfilled_at is None:
            letter.fulfilled_at = now
            letter.save(update_fields=["fulfilled_at"])
    return letter


__all__ = [
    "ASSESSABLE_STATES",
    "case_add_note",
    "case_assess_liability",
    "case_assign",
    "case_customer_responded",
    "case_extend_reply",
    "case_request_information",
    "case_start_review",
    "letter_request_fulfil",
    "staff_groups_ensure",
]
