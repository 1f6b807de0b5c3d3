"""Issue, dispatch and re-issue letters: the letters app's writes."""

from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from audit.actions import LETTER_DISPATCHED, LETTER_ISSUED
from customers.models import User
from disputes.models import Case, CaseLetterRequest
from kartosfera.authz import HANDLE_CASE
from kartosfera.legaltime import require_aware, warsaw_date
from letters.batch import letter_file_name
from letters.builders import letter_type_for, snapshot_build
from letters.models import (
    DispatchChannel,
    Letter,
    LetterRequestHold,
    PrintBatch,
    PrintBatchLetter,
    letter_upload_to,
)
from letters.rendering import RenderedLetter, render_letter_pdf
from letters.rules import DECISION_OUTCOMES, LetterDataError, LetterType
from letters.services._common import (
    CorrectionReasonMissing,
    LetterAlreadyDispatched,
    LetterNotFound,
    LetterSuperseded,
    LetterWithdrawn,
    audit_letter,
    audit_letter_request,
    require_staff,
    row_or_missing,
)
from letters.services._holds import hold_record, hold_release
from outbox.services import outbox_enqueue

# The letters app's own audited acts (audit.actions names the shared ones).
LETTER_WITHDRAWN = "letter.withdrawn"
LETTER_TAKEN_OUT_OF_PRINT_BATCH = "letter.taken_out_of_print_batch"


def _withdraw_stale_decisions(*, letter: Letter, actor: User | None, now: datetime) -> list[Letter]:
    """REK-8: once the case is deemed accepted, its decision letters not sent are stale: each is
    withdrawn from the e-mail and post queues (recorded on the letter and audited, never deleted), and
    out of a print batch not printed yet."""
    unsent = Letter.objects.filter(
        case_id=letter.case_id,
        letter_type__in=[t.value for t in DECISION_OUTCOMES],
        dispatched_at__isnull=True,
        withdrawn_at__isnull=True,
    )
    # The batches before the letters, in the order marking a batch posted locks them.
    list(
        PrintBatch.objects.filter(printbatchletter__letter__in=unsent, posted_at__isnull=True)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    stale = list(unsent.select_for_update().order_by("pk"))
    for decision in stale:
        decision.withdrawn_at = now
        decision.withdrawal_reason = f"REK-8: the complaint was deemed accepted; notice {letter.letter_type}"
        decision.save()
        audit_letter(LETTER_WITHDRAWN, letter=decision, actor=actor, now=now, replaced_by=letter.pk)
        # Waiting in a batch not printed yet, it never reaches paper (as a version issued again).
        take_out_of_unprinted_batch(decision, replaced_by=letter, actor=actor, now=now)
    return stale


def _store(
    *,
    letter_request: CaseLetterRequest,
    version: int,
    now: datetime,
    actor: User | None,
    supersedes: Letter | None = None,
    reason: str = "",
) -> Letter:
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
    audit_letter_request(
        LETTER_ISSUED,
        obj=letter,
        letter_request=letter_request,
        actor=actor,
        now=now,
        letter_type=letter_type.value,
        version=version,
        sha256=rendered.sha256,
        template_version=rendered.template_version,
        correction_reason=reason,
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


def letter_issue(*, letter_request_id: int, actor: User | None, now: datetime) -> Letter:
    """Issue the letter a request calls for (version 1) and mark the request fulfilled; idempotent.

    A second call returns the letter already issued.

    :raises LetterNotFound: no such request. :raises LetterActionNotPermitted:
    :raises letters.rules.LetterDataError: the case cannot make this letter (the request stays pending).
    """
    require_aware(now, name="now")
    require_staff(actor, HANDLE_CASE, system_allowed=True)
    with transaction.atomic():
        letter_request = row_or_missing(
            CaseLetterRequest.objects.select_for_update(of=("self",)).select_related(
                "case", "case__customer", "case__card", "transition", "transition__actor"
            ),
            letter_request_id,
            LetterNotFound,
        )
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
        hold_release(letter_request=letter_request, letter=letter, actor=actor, now=now)
    return letter


@dataclass(frozen=True, slots=True)
class LetterRequestOutcome:
    """What became of a letter request: its letter, or the hold that keeps it pending."""

    letter: Letter | None
    hold: LetterRequestHold | None


def letter_request_process(
    *, letter_request_id: int, actor: User | None, now: datetime
) -> LetterRequestOutcome:
    """Issue the letter a request calls for, or hold the request with the reason the case cannot make it.

    A held request stays pending and is listed for staff (``letters.selectors.letter_holds_open``);
    the first refusal, and a refusal for another reason, log one warning; issuing it after the fix
    releases the hold.

    :raises LetterNotFound: no such request. :raises LetterActionNotPermitted:
    """
    try:
        letter = letter_issue(letter_request_id=letter_request_id, actor=actor, now=now)
    except LetterDataError as error:
        hold = hold_record(letter_request_id=letter_request_id, error=error, actor=actor, now=now)
        return LetterRequestOutcome(letter=None, hold=hold)
    return LetterRequestOutcome(letter=letter, hold=None)


def letter_dispatch(
    *, letter_id: int, channel: str, actor: User | None, now: datetime, printed_in: int | None = None
) -> Letter:
    """Record that the letter left the bank (once); a decision letter's dispatch is the reply (REK-6).

    A version replaced by a correction is not sent, but for one printed in print batch ``printed_in``
    before the correction: its paper copy went with the batch, and the record says so.

    :raises LetterNotFound: :raises LetterActionNotPermitted: :raises LetterAlreadyDispatched:
    :raises LetterSuperseded: :raises LetterWithdrawn: :raises ValueError: an unknown channel.
    """
    require_aware(now, name="now")
    channel = DispatchChannel(channel)
    require_staff(actor, HANDLE_CASE, system_allowed=True)
    with transaction.atomic():
        letter = row_or_missing(Letter.objects.select_for_update(), letter_id, LetterNotFound)
        if letter.dispatched_at is not None:
            raise LetterAlreadyDispatched(letter_id)
        if printed_in is None and Letter.objects.filter(supersedes_id=letter.pk).exists():
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
        printed = {} if printed_in is None else {"printed_in_batch": printed_in}
        audit_letter(LETTER_DISPATCHED, letter=letter, actor=actor, now=now, channel=channel.value, **printed)
    return letter


def letter_reissue(
    *, letter_id: int, reason: str, actor: User | None, now: datetime, case_id: int | None = None
) -> Letter:
    """Issue a corrected version n+1 of a letter, keeping every earlier version.

    The new version is dated ``now``, goes to the customer's current postal address (or e-mail, as the
    case asks) and otherwise states the facts the request stored: a request for information keeps the
    answer-by date first given, also when that date has passed (the letter is a corrected copy, not a
    new request; to give the customer a new date, request the information again). Given ``case_id``,
    a letter of another case is not found. A second call for the same version (a double click) is
    refused as superseded: one new version only.

    :raises LetterNotFound: :raises LetterActionNotPermitted: :raises CorrectionReasonMissing:
    :raises LetterSuperseded: correct the latest version only.
    :raises LetterWithdrawn: a withdrawn letter (stale after REK-8) is never sent again.

    A version in a print batch not yet posted is taken out of it while the batch is not printed
    (``PrintBatch.printed_at``): it is never printed nor posted. Once printed, its paper copy goes with
    the batch, and marking the batch posted records its dispatch (``print_batch_mark_posted``).
    """
    require_aware(now, name="now")
    reason = reason.strip()
    require_staff(actor, HANDLE_CASE, system_allowed=False)
    if not reason:
        raise CorrectionReasonMissing("a correction states its reason")
    with transaction.atomic():
        # The batch before the letter, in the order marking a batch posted locks them.
        list(_unposted_batch_of(letter_id).select_for_update(of=("self",)))
        letters = Letter.objects.select_for_update(of=("self",)).select_related("letter_request")
        if case_id is not None:
            letters = letters.filter(case_id=case_id)
        earlier = row_or_missing(letters, letter_id, LetterNotFound)
        if Letter.objects.filter(supersedes_id=earlier.pk).exists():
            raise LetterSuperseded(letter_id)
        if earlier.withdrawn_at is not None:
            raise LetterWithdrawn(letter_id)
        letter_request = CaseLetterRequest.objects.select_related(
            "case", "case__customer", "case__card", "transition"
        ).get(pk=earlier.letter_request_id)
        letter = _store(
            letter_request=letter_request,
            version=earlier.version + 1,
            now=now,
            actor=actor,
            supersedes=earlier,
            reason=reason,
        )
        take_out_of_unprinted_batch(earlier, replaced_by=letter, actor=actor, now=now)
    return letter


def _unposted_batch_of(letter_id: int) -> QuerySet[PrintBatch]:
    """The print batch not yet posted that holds the letter (none or one)."""
    return PrintBatch.objects.filter(printbatchletter__letter_id=letter_id, posted_at__isnull=True)


def take_out_of_unprinted_batch(
    letter: Letter, *, replaced_by: Letter | None, actor: User | None, now: datetime
) -> None:
    """A replaced version (or, without ``replaced_by``, a withdrawn letter) waiting in a batch not printed
    yet leaves the batch (audited with what replaced it, or when it was withdrawn): never on paper."""
    batch = _unposted_batch_of(letter.pk).select_for_update(of=("self",)).first()
    if batch is None or batch.printed_at is not None:
        return
    PrintBatchLetter.objects.filter(batch=batch, letter=letter).delete()
    why: dict[str, object] = (
        {"replaced_by": replaced_by.pk} if replaced_by is not None else {"withdrawn_at": letter.withdrawn_at}
    )
    audit_letter(LETTER_TAKEN_OUT_OF_PRINT_BATCH, letter=letter, actor=actor, now=now, batch=batch.pk, **why)
