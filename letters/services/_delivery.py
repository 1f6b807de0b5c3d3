"""How issued letters reach the customer (Complaints Act art. 5): by e-mail when the customer asked for
it, else on paper in the print batch staff download, post and mark posted. Each channel records the
dispatch of the letters it sent (``letter_dispatch``), which for a decision letter is the reply."""

import hashlib
from datetime import datetime
from io import BytesIO

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from audit.services import audit_record
from customers.models import User
from disputes.models import DeliveryChannel
from kartosfera.authz import HANDLE_CASE, VIEW_CASE
from kartosfera.legaltime import require_aware
from kartosfera.locking import locked_batch, take_turn
from letters.batch import letter_file_name
from letters.models import Letter, PrintBatch, PrintBatchLetter
from letters.selectors import (
    PrintBatchContents,
    letter_title,
    letters_awaiting_email,
    letters_awaiting_post,
    print_batch_contents,
)
from letters.services._common import require_staff, row_or_missing
from letters.services._letters import letter_dispatch, take_out_of_unprinted_batch

# The letters app's own audited acts on a print batch (audit.actions names the shared ones).
PRINT_BATCH_PRINTED = "print_batch.printed"
PRINT_BATCH_DOWNLOADED = "print_batch.downloaded"
PRINT_BATCH_PRINTED_UNDONE = "print_batch.printed_undone"
PRINT_BATCH_POSTED = "print_batch.posted"


class NothingToPrint(Exception):
    """No paper letter is waiting for a print batch."""


class PrintBatchNotFound(Exception):
    """No such print batch."""


class PrintBatchAlreadyPosted(Exception):
    """The batch was marked posted before: its letters' dispatch is recorded once."""


class PrintBatchOutOfOrder(Exception):
    """A batch cannot be assembled before the latest one, nor posted before it was assembled: batch
    numbers rise with the time they were made, and a batch is posted after it was made."""


def letters_email_send(*, case_id: int, now: datetime) -> list[Letter]:
    """E-mail each letter of the case still to be sent, the PDF attached, and record its dispatch as
    the e-mail leaves; the letters it sent. Safe to run again: a sent letter is not sent twice.

    Nothing is sent when the customer wants paper or has no e-mail address (the print batch takes the
    letters then). A mail server that fails raises, recording nothing: the task is retried.
    """
    require_aware(now, name="now")
    sent = []
    for letter_id in letters_awaiting_email(case_id=case_id).values_list("pk", flat=True):
        with transaction.atomic():
            letter = (
                letters_awaiting_email(case_id=case_id)
                .select_for_update(of=("self",))
                .select_related("case", "case__customer")
                .filter(pk=letter_id)
                .first()
            )
            if letter is None:
                continue  # sent or printed meanwhile
            _email(letter)
            sent.append(
                letter_dispatch(letter_id=letter.pk, channel=DeliveryChannel.EMAIL, actor=None, now=now)
            )
    return sent


def _email(letter: Letter) -> None:
    customer = letter.case.customer
    title = letter_title(letter)
    with translation.override(letter.language):
        message = EmailMessage(
            subject=title,
            body=_(
                "Dear Customer,\n\nas you asked, we send you our letter by e-mail: “%(title)s”. It is "
                "attached as a PDF file; a copy is on the claim page in the Kartosfera portal.\n\n"
                "Kartosfera Bank"
            )
            % {"title": title},
            # The same sender and mail backend as the customer's notifications (settings.EMAIL_*).
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[customer.email],
        )
    with letter.pdf.open("rb") as pdf:
        message.attach(
            letter_file_name(
                f"{letter.case.number or letter.case_id}-{letter.letter_type}-v{letter.version}"
            ),
            pdf.read(),
            "application/pdf",
        )
    message.send(fail_silently=False)


def print_batch_assemble(*, actor: User, now: datetime) -> PrintBatch:
    """Put the paper letters waiting to be posted into a new print batch, oldest first, at most
    ``KARTOSFERA_PRINT_BATCH_MAX`` of them (the rest go in the next batch). Its number is the next
    one, so a batch is never made at a moment before the latest batch (an auditor reads the numbers
    as rising with time).

    :raises NothingToPrint: :raises PrintBatchOutOfOrder: :raises LetterActionNotPermitted:
    """
    require_aware(now, name="now")
    require_staff(actor, HANDLE_CASE, system_allowed=False)
    with transaction.atomic():
        # One batch is made at a time: the check below then sees the batch made just before this one,
        # so two made at the same moment cannot be numbered out of time.
        take_turn("letters.print_batch_assemble")
        latest = PrintBatch.objects.order_by("-pk").values_list("created_at", flat=True).first()
        if latest is not None and now < latest:
            raise PrintBatchOutOfOrder(now)
        letters = list(locked_batch(letters_awaiting_post(now=now), size=settings.KARTOSFERA_PRINT_BATCH_MAX))
        if not letters:
            raise NothingToPrint()
        batch = PrintBatch.objects.create(created_at=now, created_by=actor)
        PrintBatchLetter.objects.bulk_create(
            PrintBatchLetter(batch=batch, letter=letter, position=position)
            for position, letter in enumerate(letters, start=1)
        )
    return batch


def print_batch_pdf(*, batch_id: int, actor: User, now: datetime) -> bytes:
    """The batch's letters as one PDF to print, in batch order, each exactly as issued. Staff who may
    view cases download it (an auditor proves what was posted); each download is audited
    (``print_batch.downloaded``: the letters and the file's SHA-256), like an export's. It changes
    nothing in the batch (a preview or a second tab is not printing): staff mark it printed themselves
    (``print_batch_mark_printed``).

    :raises PrintBatchNotFound: :raises LetterActionNotPermitted:
    """
    require_aware(now, name="now")
    require_staff(actor, VIEW_CASE, system_allowed=False)
    batch = row_or_missing(PrintBatch.objects.all(), batch_id, PrintBatchNotFound)
    entries = list(PrintBatchLetter.objects.filter(batch=batch).select_related("letter").order_by("position"))
    writer = PdfWriter()
    for entry in entries:
        with entry.letter.pdf.open("rb") as pdf:
            writer.append(BytesIO(pdf.read()))
    out = BytesIO()
    writer.write(out)
    document = out.getvalue()
    with transaction.atomic():
        audit_record(
            action=PRINT_BATCH_DOWNLOADED,
            actor=actor,
            obj=batch,
            data={
                "letters": [entry.letter_id for entry in entries],
                "sha256": hashlib.sha256(document).hexdigest(),
                "size": len(document),
            },
            now=now,
        )
    return document


def print_batch_mark_printed(*, batch_id: int, actor: User, now: datetime) -> bool:
    """Staff say the batch is on paper at ``now`` (``printed_at``, audited ``print_batch.printed``):
    from then on a letter issued again stays in it and is posted with it (``letter_reissue``). Once:
    a second mark (a double click) changes nothing and returns False.

    :raises PrintBatchNotFound: :raises LetterActionNotPermitted:
    """
    require_aware(now, name="now")
    require_staff(actor, HANDLE_CASE, system_allowed=False)
    with transaction.atomic():
        batch = row_or_missing(PrintBatch.objects.select_for_update(), batch_id, PrintBatchNotFound)
        if batch.printed_at is not None or batch.posted_at is not None:
            return False
        batch.printed_at = now
        batch.save(update_fields=["printed_at"])
        audit_record(
            action=PRINT_BATCH_PRINTED,
            actor=actor,
            obj=batch,
            data={
                "letters": list(
                    PrintBatchLetter.objects.filter(batch=batch)
                    .order_by("position")
                    .values_list("letter_id", flat=True)
                )
            },
            now=now,
        )
    return True


def _unposted_batch_locked(batch_id: int) -> PrintBatch:
    """Inside a transaction: the batch, locked, while it is not posted.

    :raises PrintBatchNotFound: :raises PrintBatchAlreadyPosted:
    """
    batch = row_or_missing(PrintBatch.objects.select_for_update(), batch_id, PrintBatchNotFound)
    if batch.posted_at is not None:
        raise PrintBatchAlreadyPosted(batch_id)
    return batch


def print_batch_undo_printed(*, batch_id: int, actor: User, now: datetime) -> bool:
    """Staff marked the batch printed by mistake (a printer jam, a wrong click): it is not printed after
    all. ``printed_at`` is cleared (audited ``print_batch.printed_undone``: when it had been marked, the
    letters left in it, those taken out), and a version issued again, or a letter withdrawn, since it
    was marked leaves the batch as it would have before printing (``letter.taken_out_of_print_batch``):
    the batch printed again holds current letters only. A batch not marked printed changes nothing and
    returns False.

    :raises PrintBatchNotFound: :raises PrintBatchAlreadyPosted: a posted batch went out as printed.
    :raises LetterActionNotPermitted:
    """
    require_aware(now, name="now")
    require_staff(actor, HANDLE_CASE, system_allowed=False)
    with transaction.atomic():
        batch = _unposted_batch_locked(batch_id)
        if batch.printed_at is None:
            return False
        marked_at, batch.printed_at = batch.printed_at, None
        batch.save(update_fields=["printed_at"])
        contents = print_batch_contents(batch_id=batch_id)
        # A version issued again, or a letter withdrawn (a stale decision, REK-8), while it was marked.
        leaving = {row.letter.pk for row in contents.letters if row.replaced_by or row.letter.withdrawn_at}
        for row in contents.letters:
            if row.letter.pk in leaving:
                take_out_of_unprinted_batch(row.letter, replaced_by=row.replaced_by, actor=actor, now=now)
        audit_record(
            action=PRINT_BATCH_PRINTED_UNDONE,
            actor=actor,
            obj=batch,
            data={
                "printed_at": marked_at,
                "letters": [row.letter.pk for row in contents.letters if row.letter.pk not in leaving],
                "taken_out": [row.letter.pk for row in contents.letters if row.letter.pk in leaving],
            },
            now=now,
        )
    return True


def print_batch_mark_posted(*, batch_id: int, actor: User, now: datetime) -> PrintBatchContents:
    """The batch was handed to the post at ``now``: record the dispatch of each of its letters then,
    and audit the posting (``print_batch.posted``: which version of each letter went out, and which of
    them a later version had replaced), so an auditor proves which version the customer received.
    Returns the batch with the letters recorded as sent now, in print order.

    A letter issued again after the batch was printed is recorded too: its printed copy went with the
    batch (the new version goes in the next batch). One issued again before the batch was printed was
    taken out of it (``letter_reissue``); a batch never marked printed records no such letter.

    :raises PrintBatchNotFound: :raises PrintBatchAlreadyPosted: :raises PrintBatchOutOfOrder:
    :raises LetterActionNotPermitted:
    """
    require_aware(now, name="now")
    require_staff(actor, HANDLE_CASE, system_allowed=False)
    with transaction.atomic():
        batch = _unposted_batch_locked(batch_id)
        if now < batch.created_at:
            raise PrintBatchOutOfOrder(now)
        batch.posted_at, batch.posted_by = now, actor
        batch.save(update_fields=["posted_at", "posted_by"])
        sent = []
        for row in print_batch_contents(batch_id=batch_id).letters:
            letter, superseded = row.letter, row.replaced_by is not None
            if (
                letter.dispatched_at is None
                and letter.withdrawn_at is None
                and (batch.printed_at is not None or not superseded)
            ):
                letter_dispatch(
                    letter_id=letter.pk,
                    channel=DeliveryChannel.POST,
                    actor=actor,
                    now=now,
                    printed_in=batch.pk if superseded else None,
                )
                sent.append(row)
        posted = PrintBatchContents(batch=batch, letters=sent)
        audit_record(
            action=PRINT_BATCH_POSTED,
            actor=actor,
            obj=batch,
            data={
                "sent": [
                    {"letter": row.letter.pk, "case": row.letter.case_id, "version": row.letter.version}
                    for row in sent
                ],
                "replaced": [
                    {
                        "letter": row.letter.pk,
                        "version": row.letter.version,
                        "replaced_by": row.replaced_by.pk,
                        "replaced_by_version": row.replaced_by.version,
                    }
                    for row in sent
                    if row.replaced_by is not None
                ],
            },
            now=now,
        )
    return posted
