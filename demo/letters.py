"""Demo data for letters: postal addresses of the demo customers and the demo staff's positions.

Runs after the disputes seeder inside the same transaction, so the letters its cases asked for are
issued when ``seed_demo`` commits (the workflow queues them on commit). Idempotent.
"""

from datetime import datetime

from customers.models import Customer, User
from demo.disputes import REPLIES_POSTED, Ctx, Step, demo_ctx
from disputes.models import Case, CaseState
from disputes.selectors import letter_requests_pending
from disputes.services import case_close
from letters.models import CustomerAddress, StaffProfile
from letters.services import letter_request_process, print_batch_assemble, print_batch_mark_posted
from outbox.models import OutboxMessage
from outbox.services import outbox_run_in_place

# Fictional addresses (streets that exist in many Polish towns; no real person lives at them).
ADDRESSES = [
    ("ul. Polna 12 m. 4", "00-625", "Warszawa"),
    ("ul. Lipowa 7", "31-422", "Kraków"),
    ("ul. Kwiatowa 3 m. 15", "80-180", "Gdańsk"),
    ("ul. Słoneczna 21", "50-210", "Wrocław"),
    ("ul. Ogrodowa 5 m. 2", "61-821", "Poznań"),
    ("ul. Leśna 9", "90-001", "Łódź"),
    ("ul. Szkolna 14 m. 8", "20-004", "Lublin"),
    ("ul. Kolejowa 30", "40-101", "Katowice"),
    ("ul. Parkowa 2 m. 11", "15-001", "Białystok"),
    ("ul. Krótka 6", "70-001", "Szczecin"),
]

STAFF = {
    "analyst": ("Piotr", "Wróbel", "Analityk reklamacji kartowych", "Card complaints analyst"),
    "supervisor": ("Ewa", "Maj", "Kierownik Zespołu Reklamacji", "Head of the Complaints Team"),
}


def seed(*, now: datetime) -> list[str]:
    """Give every demo customer a postal address and the demo staff a signing position; post the
    demo's decision letters through a print batch, as staff do, and close the cases that it lets."""
    for index, customer in enumerate(Customer.objects.order_by("pk")):
        street, postal_code, city = ADDRESSES[index % len(ADDRESSES)]
        CustomerAddress.objects.get_or_create(
            customer=customer, defaults={"street": street, "postal_code": postal_code, "city": city}
        )
    for username, (first, last, position, position_en) in STAFF.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        if not user.first_name and not user.last_name:
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
        StaffProfile.objects.get_or_create(
            user=user, defaults={"position": position, "position_en": position_en}
        )
    posted = _post_replies(now=now)
    return [
        f"Letters: {posted} decision letter(s) posted through print batches (/back-office/print/).",
        "Letters: issued as PDF for every case step that calls for one when the demo data is committed;"
        " customers download theirs from the claim page, staff see them in /admin/letters/letter/.",
    ]


def reply_posted(days: int) -> Step:
    """A demo step: the case's letters are issued, printed in a batch and posted ``days`` ago at 15:00.

    The seeding is one transaction: a worker would see the outbox rows only after it commits, while
    the steps after this one (closing the case) need the reply's dispatch recorded on the case. So the
    rows the demo depends on (the recording of the reply) run here, in this process, in every mode;
    their publication after the commit finds them finished.
    """

    def post(case: Case, ctx: Ctx) -> None:
        for request_id in letter_requests_pending().filter(case=case).values_list("pk", flat=True):
            letter_request_process(letter_request_id=request_id, actor=None, now=ctx.at(days, 13, 0))
        batch = print_batch_assemble(actor=ctx.analyst, now=ctx.at(days, 14, 0))
        print_batch_mark_posted(batch_id=batch.pk, actor=ctx.analyst, now=ctx.at(days, 15, 0))
        outbox_run_in_place(
            message_ids=OutboxMessage.objects.filter(
                task="disputes.tasks.record_reply_dispatched", kwargs__case_id=case.pk
            ).values_list("pk", flat=True)
        )

    return post


def _post_replies(*, now: datetime) -> int:
    """Post the disputes demo's decision letters and close the cases its plans close afterwards."""
    ctx = demo_ctx(now=now)
    posted = 0
    for plan in REPLIES_POSTED:
        case = Case.objects.filter(
            customer_account=plan.account, state=CaseState.DECIDED, reply_dispatched_at__isnull=True
        ).first()
        if case is None:
            continue
        reply_posted(plan.days)(case, ctx)
        posted += 1
        if plan.close is not None:
            case_close(case_id=case.pk, actor=ctx.analyst, now=ctx.at(plan.close, 16, 0))
    return posted
