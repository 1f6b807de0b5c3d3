"""The letters of the demo's cases, made when the letters worker and the print room would have made them.

In production the letters worker issues a letter moments after the step that asked for it, an e-mail
leaves then, and staff print the day's paper letters in one batch and post it. The demo seeds weeks
of history in one transaction, so nobody would issue its letters before it commits, dated today: an
acknowledgement of a claim filed weeks ago would promise a refund date already past. Here the demo
does their work itself, through their services, at the moments they would have done it.

The print room makes one batch a business day (``PRINT_AT``, posted ``POSTED_AFTER``). The demo's history
holds the batches of the days before today, made once every case's letters are issued
(``print_room_history``), so that their numbers rise with their dates; a letter issued since
yesterday's batch waits for today's, as the print room shows.
"""

from datetime import datetime, time, timedelta

from deadlines.calendar import BusinessCalendar
from deadlines.selectors import bank_calendar
from demo.disputes._steps import Ctx
from disputes.models import Case
from disputes.selectors import letter_requests_pending
from kartosfera.legaltime import WARSAW, warsaw_date
from letters.selectors import letters_awaiting_post
from letters.services import (
    letter_request_process,
    letters_email_send,
    print_batch_assemble,
    print_batch_mark_posted,
)
from outbox.models import OutboxMessage
from outbox.services import outbox_run_in_place

ISSUED_AFTER = timedelta(minutes=1)  # the worker's moment between the step and its letter
PRINT_AT = time(14, 0)  # Warsaw: the day's print batch is made
POSTED_AFTER = timedelta(hours=1)  # and handed to the post


def print_batch_time(issued_at: datetime, calendar: BusinessCalendar) -> datetime:
    """When the print batch that takes a paper letter issued at ``issued_at`` is made: the day's, or
    the next business day's once the day's was made or on a day the bank does no business (CAL-BD:
    the print room does not post on Saturdays, Sundays or Polish holidays)."""
    local = issued_at.astimezone(WARSAW)
    day = local.date()
    if local.time() >= PRINT_AT or not calendar.is_business_day(day):
        day = calendar.next_business_day_after(day)
    return datetime.combine(day, PRINT_AT, tzinfo=WARSAW)


def letters_issue(case: Case, ctx: Ctx) -> None:
    """Issue the case's pending letters, each a moment after the step that asked for it (never after
    the demo's now), and e-mail then those the customer asked to get by e-mail."""
    pending = letter_requests_pending().filter(case=case).order_by("requested_at", "pk")
    for request_id, requested_at in pending.values_list("pk", "requested_at"):
        at = min(requested_at + ISSUED_AFTER, ctx.now)
        letter_request_process(letter_request_id=request_id, actor=None, now=at)
        letters_email_send(case_id=case.pk, now=at)


def print_room_history(ctx: Ctx) -> int:
    """Make the print room's daily batches of every demo case's paper letters, in date order, up to
    yesterday's (today's is still to be made); record the replies among them on their cases, as the
    worker would. How many batches.

    Run once every demo case's letters are issued: the cases are seeded one after another, each through
    weeks of history, so a batch made while seeding one case would come before the batches of the days
    before it that the next case's letters go in, and batch numbers would not rise with time
    (``print_batch_assemble`` refuses it). Each batch is made at its time and holds every letter issued
    by then (``letters_awaiting_post``), so each letter is posted the day it would have been.
    """
    today = datetime.combine(warsaw_date(ctx.now), time(0), tzinfo=WARSAW)
    calendar = bank_calendar()
    batches = 0
    while True:
        first = letters_awaiting_post(now=ctx.now).values_list("issued_at", flat=True).first()
        if first is None:
            break
        made_at = print_batch_time(first, calendar)
        if made_at + POSTED_AFTER > today:
            break
        batch = print_batch_assemble(actor=ctx.analyst, now=made_at)
        print_batch_mark_posted(batch_id=batch.pk, actor=ctx.analyst, now=made_at + POSTED_AFTER)
        batches += 1
    # The letters app asks the workflow to record the reply through the outbox: a worker would run it
    # after the commit, while closing a case whose reply was posted needs it now.
    outbox_run_in_place(
        message_ids=OutboxMessage.objects.filter(
            task="disputes.tasks.record_reply_dispatched", finished_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return batches
