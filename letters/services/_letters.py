"""Issue, dispatch, re-issue and preview letters: the letters app's writes."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from audit.actions import CUSTOMER_ADDRESS_CHANGED, LETTER_DISPATCHED, LETTER_ISSUED
from audit.services import audit_diff, audit_record, audit_snapshot
from customers.models import Customer, NotificationKind, OtpChallenge, OtpPurpose, User
from customers.services import (
    ServiceError,
    notification_send,
    otp_confirmation,
    otp_consume,
    otp_issue,
    otp_verify,
)
from disputes.models import Case, CaseLetterRequest, DecisionProposal, ProposalKind, ProposalStatus
from kartosfera.authz import HANDLE_CASE, VIEW_CASE
from kartosfera.legaltime import require_aware, warsaw_date
from letters.batch import letter_file_name
from letters.builders import (
    DECISION_LETTER_TYPES,
    RecipientAddressMissing,
    SignatoryMissing,
    letter_type_for,
    snapshot_build,
    snapshot_preview,
    snapshot_proposal_preview,
    snapshot_request_preview,
)
from letters.models import (
    CustomerAddress,
    DispatchChannel,
    Letter,
    LetterHoldReason,
    LetterRequestHold,
    letter_upload_to,
)
from letters.rendering import RenderedLetter, render_letter_pdf
from letters.rules import DECISION_OUTCOMES, LetterDataError, LetterType, parse_letter_type
from outbox.services import outbox_enqueue

# The operators know these lines by the name of the public module.
logger = logging.getLogger("letters.services")

# The letters app's own audited acts (audit.actions names the shared ones).
LETTER_HELD = "letter.held"
LETTER_WITHDRAWN = "letter.withdrawn"
LETTER_RELEASED = "letter.released"


class LetterNotFound(Exception):
    """No such letter (or letter request), or the actor may not see it."""


class LetterAlreadyDispatched(Exception):
    """The letter's dispatch was recorded before: it is recorded once."""


class LetterSuperseded(Exception):
    """A later version replaced this letter: dispatch or correct the current one."""


class LetterWithdrawn(Exception):
    """The letter was withdrawn (stale after the case was deemed accepted): it is not sent."""


class CorrectionReasonMissing(Exception):
    """A re-issue states why the earlier version was wrong."""


class LetterActionNotPermitted(Exception):
    """The actor may not issue, dispatch or preview letters."""


def _withdraw_stale_decisions(*, letter: Letter, actor, now: datetime) -> list[Letter]:
    """REK-8: once the case is deemed accepted, its decision letters not sent are stale: each is
    withdrawn from the e-mail and post queues (recorded on the letter and audited, never deleted)."""
    stale = list(
        Letter.objects.select_for_update()
        .filter(
            case_id=letter.case_id,
            letter_type__in=[t.value for t in DECISION_OUTCOMES],
            dispatched_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .order_by("pk")
    )
    for decision in stale:
        decision.withdrawn_at = now
        decision.withdrawal_reason = f"REK-8: the complaint was deemed accepted; notice {letter.letter_type}"
        decision.save()
        audit_record(
            action=LETTER_WITHDRAWN,
            actor=actor,
            obj=decision,
            data={"case": decision.case_id, "version": decision.version, "replaced_by": letter.pk},
            now=now,
        )
    return stale


def _require_staff(actor, permission: str, *, system_allowed: bool) -> None:
    if actor is None:
        if system_allowed:
            return
        raise LetterActionNotPermitted("the system may not do this")
    if not (actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise LetterActionNotPermitted(f"{actor} lacks {permission}")


def _store(
    *, letter_request: CaseLetterRequest, version: int, now: datetime, actor, supersedes=None, reason=""
):
    """Render and store one version of a requested letter: the file and the row in one transaction."""
    letter_type = letter_type_for(letter_request.letter_type, context=letter_request.context)
    snapshot = snapshot_build(letter_request=letter_request, issued_on=warsaw_date(now), version=version)
    rendered: RenderedLetter = render_letter_pdf(letter_type=letter_type, snapshot=snapshot)
    letter = Letter(
        case_id=letter_request.case_id,
        letter_request=letter_request,
        letter_type=letter_type.value,
        version=version,
        sha256=rendered.sha256,
        template_version=rendered.template_version,
        snapshot=snapshot.to_dict(),
        page_count=rendered.page_count,
        language=snapshot.language,
        issued_at=now,
        supersedes=supersedes,
        correction_reason=reason,
    )
    name = letter_upload_to(letter, letter_file_name(f"{snapshot.reference}-{rendered.sha256[:12]}"))
    # A retry after a crash between the file and the row finds the file again: replace it, never
    # leave a second copy beside it (the name is fixed by the request, version and content).
    if default_storage.exists(name):
        default_storage.delete(name)
    letter.pdf.name = default_storage.save(name, ContentFile(rendered.pdf_bytes))
    try:
        with transaction.atomic():
            letter.save()
    except BaseException:
        # Same request, version and content give the same name: keep a file another row holds.
        if not Letter.objects.filter(pdf=letter.pdf.name).exists():
            default_storage.delete(letter.pdf.name)
        raise
    if letter_type is LetterType.DEEMED_ACCEPTED:
        _withdraw_stale_decisions(letter=letter, actor=actor, now=now)
    letter_delivery_ask(case=letter_request.case, now=now)
    audit_record(
        action=LETTER_ISSUED,
        actor=actor,
        obj=letter,
        data={
            "case": letter_request.case_id,
            "letter_request": letter_request.pk,
            "letter_type": letter_type.value,
            "version": version,
            "sha256": rendered.sha256,
            "template_version": rendered.template_version,
            "correction_reason": reason,
        },
        now=now,
    )
    return letter


EMAIL_TASK = "letters.tasks.send_letters_by_email"


def letter_delivery_ask(*, case: Case, now: datetime) -> None:
    """Inside the transaction that issued a letter of ``case``: ask for its e-mail when the customer
    chose e-mail. A paper letter needs nothing here: it waits for the next print batch
    (``letters_awaiting_post``).
    """
    if case.reply_delivery == DispatchChannel.EMAIL and case.customer.email:
        outbox_enqueue(task=EMAIL_TASK, kwargs={"case_id": case.pk}, now=now)


def letter_issue(*, letter_request_id: int, actor, now: datetime) -> Letter:
    """Issue the letter a request calls for (version 1) and mark the request fulfilled; idempotent.

    A second call returns the letter already issued.

    :raises LetterNotFound: no such request. :raises LetterActionNotPermitted:
    :raises letters.rules.LetterDataError: the case cannot make this letter (the request stays pending).
    """
    require_aware(now, name="now")
    _require_staff(actor, HANDLE_CASE, system_allowed=True)
    with transaction.atomic():
        letter_request = (
            CaseLetterRequest.objects.select_for_update(of=("self",))
            .select_related("case", "case__customer", "case__card", "transition", "transition__actor")
            .filter(pk=letter_request_id)
            .first()
        )
        if letter_request is None:
            raise LetterNotFound(letter_request_id)
        letter = Letter.objects.filter(letter_request=letter_request, version=1).first()
        if letter is None:
            try:
                letter = _store(letter_request=letter_request, version=1, now=now, actor=actor)
            except IntegrityError:
                # A concurrent run issued it first (the unique (request, version) constraint).
                letter = Letter.objects.get(letter_request=letter_request, version=1)
        if letter_request.fulfilled_at is None:
            # The letters app records the fulfilment on the request it was handed, under that row's
            # lock: no call back into the disputes services, no case lock taken while issuing.
            letter_request.fulfilled_at = now
            letter_request.save(update_fields=["fulfilled_at"])
        _release_hold(letter_request=letter_request, letter=letter, actor=actor, now=now)
    return letter


def _release_hold(*, letter_request: CaseLetterRequest, letter: Letter, actor, now: datetime) -> None:
    hold = LetterRequestHold.objects.filter(letter_request=letter_request, released_at__isnull=True).first()
    if hold is None:
        return
    hold.released_at = now
    hold.save(update_fields=["released_at"])
    audit_record(
        action=LETTER_RELEASED,
        actor=actor,
        obj=hold,
        data={"case": letter_request.case_id, "letter_request": letter_request.pk, "letter": letter.pk},
        now=now,
    )


def hold_reason_for(error: LetterDataError) -> LetterHoldReason:
    """The reason staff see for a letter the case cannot make."""
    if isinstance(error, RecipientAddressMissing):
        return LetterHoldReason.NO_POSTAL_ADDRESS
    if isinstance(error, SignatoryMissing):
        return LetterHoldReason.NO_SIGNATORY
    return LetterHoldReason.CASE_DATA


@dataclass(frozen=True, slots=True)
class LetterRequestOutcome:
    """What became of a letter request: its letter, or the hold that keeps it pending."""

    letter: Letter | None
    hold: LetterRequestHold | None


def letter_request_process(*, letter_request_id: int, actor, now: datetime) -> LetterRequestOutcome:
    """Issue the letter a request calls for, or hold the request with the reason the case cannot make it.

    A held request stays pending and is listed for staff (``letters.selectors.letter_holds_open``);
    the first refusal, and a refusal for another reason, log one warning; issuing it after the fix
    releases the hold.

    :raises LetterNotFound: no such request. :raises LetterActionNotPermitted:
    """
    try:
        letter = letter_issue(letter_request_id=letter_request_id, actor=actor, now=now)
    except LetterDataError as error:
        hold = _hold(letter_request_id=letter_request_id, error=error, actor=actor, now=now)
        return LetterRequestOutcome(letter=None, hold=hold)
    return LetterRequestOutcome(letter=letter, hold=None)


def _hold(*, letter_request_id: int, error: LetterDataError, actor, now: datetime) -> LetterRequestHold:
    reason, detail = hold_reason_for(error), str(error)
    with transaction.atomic():
        # The request's row serialises concurrent attempts at the same letter.
        letter_request = CaseLetterRequest.objects.select_for_update().get(pk=letter_request_id)
        hold = LetterRequestHold.objects.filter(letter_request=letter_request).first()
        if hold is not None and hold.released_at is None and hold.reason == reason:
            hold.attempts += 1
            hold.last_attempt_at, hold.detail = now, detail
            hold.save(update_fields=["attempts", "last_attempt_at", "detail"])
            return hold
        if hold is None:
            hold = LetterRequestHold(letter_request=letter_request, held_at=now, attempts=0)
        elif hold.released_at is not None:
            hold.held_at, hold.released_at, hold.attempts = now, None, 0
        hold.reason, hold.detail, hold.last_attempt_at = reason, detail, now
        hold.attempts += 1
        hold.save()
        audit_record(
            action=LETTER_HELD,
            actor=actor,
            obj=hold,
            data={
                "case": letter_request.case_id,
                "letter_request": letter_request.pk,
                "letter_type": letter_request.letter_type,
                "reason": reason.value,
            },
            now=now,
        )
    # One clear line for the operators, no traceback: the reason is a fact about the data.
    logger.warning(
        "letter request %s (case %s, %s) is held until the data is fixed: %s: %s",
        letter_request.pk,
        letter_request.case_id,
        letter_request.letter_type,
        reason.value,
        detail,
    )
    return hold


def letter_dispatch(*, letter_id: int, channel: str, actor, now: datetime) -> Letter:
    """Record that the letter left the bank (once); a decision letter's dispatch is the reply (REK-6).

    :raises LetterNotFound: :raises LetterActionNotPermitted: :raises LetterAlreadyDispatched:
    :raises LetterSuperseded: :raises LetterWithdrawn: :raises ValueError: an unknown channel.
    """
    require_aware(now, name="now")
    channel = DispatchChannel(channel)
    _require_staff(actor, HANDLE_CASE, system_allowed=True)
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None:
            raise LetterNotFound(letter_id)
        if letter.dispatched_at is not None:
            raise LetterAlreadyDispatched(letter_id)
        if Letter.objects.filter(supersedes_id=letter.pk).exists():
            raise LetterSuperseded(letter_id)
        if letter.withdrawn_at is not None:
            raise LetterWithdrawn(letter_id)
        letter.dispatched_at, letter.dispatch_channel = now, channel.value
        letter.save()
        # The decision letter, or the REK-8 notice that stands in its place: the workflow records on
        # the case only the one matching the case's current outcome.
        if (
            LetterType(letter.letter_type).outcome is not None
            or letter.letter_type == LetterType.DEEMED_ACCEPTED
        ):
            already = Letter.objects.filter(
                letter_request_id=letter.letter_request_id, dispatched_at__isnull=False
            ).exclude(pk=letter.pk)
            if not already.exists():
                # The reply is the disputes workflow's to record: asked for through the outbox.
                outbox_enqueue(
                    task="disputes.tasks.record_reply_dispatched",
                    kwargs={
                        "case_id": letter.case_id,
                        "letter_id": letter.pk,
                        "letter_type": letter.letter_type,
                        "channel": channel.value,
                        "dispatched_at": now.isoformat(),
                        "actor_id": getattr(actor, "pk", None),
                    },
                    now=now,
                )
        audit_record(
            action=LETTER_DISPATCHED,
            actor=actor,
            obj=letter,
            data={"case": letter.case_id, "channel": channel.value, "version": letter.version},
            now=now,
        )
    return letter


def letter_reissue(*, letter_id: int, reason: str, actor, now: datetime) -> Letter:
    """Issue a corrected version n+1 of a letter, keeping every earlier version.

    :raises LetterNotFound: :raises LetterActionNotPermitted: :raises CorrectionReasonMissing:
    :raises LetterSuperseded: correct the latest version only.
    """
    require_aware(now, name="now")
    reason = reason.strip()
    _require_staff(actor, HANDLE_CASE, system_allowed=False)
    if not reason:
        raise CorrectionReasonMissing("a correction states its reason")
    with transaction.atomic():
        earlier = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("letter_request")
            .filter(pk=letter_id)
            .first()
        )
        if earlier is None:
            raise LetterNotFound(letter_id)
        if Letter.objects.filter(supersedes_id=earlier.pk).exists():
            raise LetterSuperseded(letter_id)
        letter_request = CaseLetterRequest.objects.select_related(
            "case", "case__customer", "case__card", "transition"
        ).get(pk=earlier.letter_request_id)
        return _store(
            letter_request=letter_request,
            version=earlier.version + 1,
            now=now,
            actor=actor,
            supersedes=earlier,
            reason=reason,
        )


def letter_preview(*, case_id: int, letter_type: LetterType | str, actor, now: datetime) -> RenderedLetter:
    """Render a letter for a case without storing anything: the analyst's look before it goes out.

    :raises LetterNotFound: no such case. :raises LetterActionNotPermitted:
    :raises letters.rules.LetterDataError: the case cannot make this letter yet.
    """
    _require_staff(actor, VIEW_CASE, system_allowed=False)
    letter_type = parse_letter_type(letter_type)
    case = Case.objects.select_related("customer", "card").filter(pk=case_id).first()
    if case is None:
        raise LetterNotFound(case_id)
    snapshot = snapshot_preview(case=case, letter_type=letter_type, issued_on=warsaw_date(now), actor=actor)
    return render_letter_pdf(letter_type=letter_type, snapshot=snapshot)


def letter_request_preview(*, case_id: int, letter_request_id: int, actor, now: datetime) -> RenderedLetter:
    """Render a requested letter of a case as it would be issued now, storing and issuing nothing.

    Staff allowed to view cases (the read-only auditor too) look at a letter before it goes out.

    :raises LetterNotFound: no such request on this case. :raises LetterActionNotPermitted:
    :raises letters.rules.LetterDataError: the case cannot make this letter (yet).
    """
    require_aware(now, name="now")
    _require_staff(actor, VIEW_CASE, system_allowed=False)
    letter_request = (
        CaseLetterRequest.objects.select_related("case", "case__customer", "case__card", "transition__actor")
        .filter(pk=letter_request_id, case_id=case_id)
        .first()
    )
    if letter_request is None:
        raise LetterNotFound(letter_request_id)
    snapshot = snapshot_request_preview(letter_request=letter_request, issued_on=warsaw_date(now))
    letter_type = letter_type_for(letter_request.letter_type, context=letter_request.context)
    return render_letter_pdf(letter_type=letter_type, snapshot=snapshot)


def letter_proposal_preview(*, case_id: int, proposal_id: int, actor, now: datetime) -> RenderedLetter:
    """Render the decision letter a pending DECISION proposal would give, storing and issuing nothing.

    The approver reads the grounds as the customer would before approving (signed by the viewer).

    :raises LetterNotFound: no pending decision proposal of that id on this case.
    :raises LetterActionNotPermitted: :raises letters.rules.LetterDataError: the letter cannot be made.
    """
    require_aware(now, name="now")
    _require_staff(actor, VIEW_CASE, system_allowed=False)
    proposal = (
        DecisionProposal.objects.select_related("case", "case__customer", "case__card")
        .filter(pk=proposal_id, case_id=case_id, kind=ProposalKind.DECISION, status=ProposalStatus.PENDING)
        .first()
    )
    if proposal is None:
        raise LetterNotFound(proposal_id)
    snapshot = snapshot_proposal_preview(proposal=proposal, issued_on=warsaw_date(now), actor=actor)
    return render_letter_pdf(letter_type=DECISION_LETTER_TYPES[snapshot.decision.outcome], snapshot=snapshot)


class AddressInvalid(ServiceError):
    """A postal address the post could not deliver to (the message says which part)."""


_POSTAL_CODE = re.compile(r"^[0-9]{2}-[0-9]{3}$")
ADDRESS_SUBJECT = "address"


def customer_address_change_start(
    *, customer: Customer, street: str, postal_code: str, city: str, now: datetime
) -> OtpChallenge:
    """Text a code that confirms the new postal address for the customer's letters.

    :raises AddressInvalid: a part is missing, or the postal code is not ``NN-NNN``.
    :raises OtpRateLimited, OtpDeliveryFailed: from sending the code.
    """
    street, postal_code, city = (" ".join((value or "").split()) for value in (street, postal_code, city))
    if not street:
        raise AddressInvalid(_("Enter the street and the house (and flat) number."), field="street")
    if not _POSTAL_CODE.match(postal_code):
        raise AddressInvalid(
            _("Enter the postal code as two digits, a dash and three digits: 00-950."), field="postal_code"
        )
    if not city:
        raise AddressInvalid(_("Enter the town or city."), field="city")
    return otp_issue(
        customer=customer,
        purpose=OtpPurpose.ADDRESS_CHANGE,
        subject=ADDRESS_SUBJECT,
        operation={"street": street, "postal_code": postal_code, "city": city},
        now=now,
    )


@sensitive_variables("code")
def customer_address_change_confirm(
    *, customer: Customer, challenge_id: int, code: str, actor: User, now: datetime
) -> CustomerAddress:
    """Store the postal address the code was sent for; letters held for want of one are issued by the
    letters sweep.

    :raises OtpError: the code is wrong, expired or void.
    """
    purposes = (OtpPurpose.ADDRESS_CHANGE,)
    otp_verify(
        challenge_id=challenge_id,
        customer=customer,
        purposes=purposes,
        code=code,
        now=now,
        actor=actor,
        subject=ADDRESS_SUBJECT,
    )
    with transaction.atomic():
        challenge = otp_consume(
            challenge_id=challenge_id, customer=customer, purposes=purposes, now=now, subject=ADDRESS_SUBJECT
        )
        fields = ("street", "postal_code", "city", "country")
        address = CustomerAddress.objects.select_for_update().filter(customer=customer).first()
        before = None if address is None else audit_snapshot(address, fields=fields)
        address = address or CustomerAddress(customer=customer)
        address.street = challenge.operation["street"]
        address.postal_code = challenge.operation["postal_code"]
        address.city = challenge.operation["city"]
        address.country = ""
        address.save()
        audit_record(
            action=CUSTOMER_ADDRESS_CHANGED,
            actor=actor,
            obj=customer,
            now=now,
            data=otp_confirmation(challenge),
            **audit_diff(before, audit_snapshot(address, fields=fields)),
        )
        notification_send(customer=customer, kind=NotificationKind.ADDRESS_CHANGED, now=now)
    return address
