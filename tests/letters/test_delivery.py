# ruff: noqa: F811 (the letters tests' fixtures, imported from test_issue, are test arguments here)
"""How letters leave the bank: the print batch marked posted, the e-mail at the customer's request; the
reply deadline (REK-6) and the deemed-acceptance sweep (REK-8) count the decision letter's dispatch."""

import smtplib
from datetime import date
from io import BytesIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from disputes.services import (
    case_assess_liability,
    case_decide,
    case_refund_provisionally,
    case_set_reply_delivery,
    case_start_review,
    cases_deem_accepted_overdue,
)
from letters.models import Letter
from letters.selectors import letters_awaiting_post
from letters.services import (
    NothingToPrint,
    letter_reissue,
    letter_request_process,
    letters_email_send,
    print_batch_assemble,
    print_batch_mark_posted,
    print_batch_mark_printed,
    print_batch_pdf,
)
from liability.engine import Findings
from outbox.models import OutboxMessage
from outbox.services import outbox_run_in_place
from tests.disputes.conftest import submitted_case, warsaw

# The letters tests' fixtures: stored files in a temporary MEDIA_ROOT, NBP rates, signing staff.
from tests.letters.test_issue import _media, _sign_in, analyst, eur_rates, supervisor, theft  # noqa: F401
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db


def _decided(theft, analyst, supervisor, *, decided_at):
    """The claim received Mon 2025-05-26 (reply due Wed 2025-06-25, REK-6), decided at ``decided_at``
    and its letters issued then."""
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=decided_at, reason="Niewykrywalne")
    for request in case.letter_requests.filter(fulfilled_at__isnull=True).order_by("pk"):
        letter_request_process(letter_request_id=request.pk, actor=None, now=decided_at)
    return case


def _record_replies(case):
    # The worker's part, run here: the letters app asked the workflow to record the reply.
    outbox_run_in_place(
        message_ids=OutboxMessage.objects.filter(
            task="disputes.tasks.record_reply_dispatched", kwargs__case_id=case.pk
        ).values_list("pk", flat=True)
    )


def test_a_decision_issued_on_day_29_and_posted_on_day_31_is_a_late_reply(
    theft, eur_rates, analyst, supervisor
):
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 24, 10, 0))  # day 29
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 26, 9, 0))

    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 26, 10, 0))  # day 31
    _record_replies(case)

    case.refresh_from_db()
    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    assert (decision.dispatched_at, decision.dispatch_channel) == (warsaw(2025, 6, 26, 10, 0), "POST")
    assert (case.reply_due_on, case.reply_rule) == (date(2025, 6, 25), "REK-6")
    assert case.reply_dispatched_at == warsaw(2025, 6, 26, 10, 0)
    recorded = case.transitions.get(name="dispatch_reply")
    assert (recorded.data["letter"], recorded.data["channel"], recorded.data["in_time"]) == (
        decision.pk,
        "POST",
        False,
    )
    # The sweep deems the late reply accepted (REK-8), as if no reply had been sent.
    assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 11, 0), batch_size=10) == 1
    case.refresh_from_db()
    assert (case.state, case.deemed_accepted_at) == ("DEEMED_ACCEPTED", warsaw(2025, 6, 26, 11, 0))


def test_a_decision_posted_on_day_30_is_in_time_and_the_sweep_leaves_it(
    theft, eur_rates, analyst, supervisor
):
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 24, 10, 0))
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 25, 14, 0))

    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 25, 23, 59))  # day 30
    _record_replies(case)

    assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 11, 0), batch_size=10) == 0
    case.refresh_from_db()
    assert (case.state, case.reply_dispatched_at) == ("DECIDED", warsaw(2025, 6, 25, 23, 59))
    assert case.transitions.get(name="dispatch_reply").data["in_time"] is True


def test_the_print_batch_is_one_pdf_of_every_paper_letter_and_marking_posts_each(
    theft, eur_rates, analyst, supervisor
):
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 3, 9, 0))
    letters = list(Letter.objects.filter(case=case).order_by("issued_at", "pk"))
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 3, 14, 0))

    reader = PdfReader(
        BytesIO(print_batch_pdf(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 3, 14, 30)))
    )
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 3, 15, 0))

    assert len(reader.pages) == sum(letter.page_count for letter in letters)
    assert [letter.letter_type for letter in letters][-1] == "DECISION_ACCEPTED"
    assert {
        (letter.dispatched_at, letter.dispatch_channel) for letter in Letter.objects.filter(case=case)
    } == {(warsaw(2025, 6, 3, 15, 0), "POST")}
    assert mail.outbox == []


def test_a_print_batch_holds_only_the_letters_issued_by_the_time_it_is_made(
    theft, eur_rates, analyst, supervisor
):
    # A batch recorded at a past moment (the demo's history) cannot hold a letter issued after it.
    case = submitted_case(theft, theft.user)  # Mon 2025-05-26
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 27, 9, 0))
    acknowledgement, refund = case.letter_requests.order_by("pk")
    letter_request_process(letter_request_id=acknowledgement.pk, actor=None, now=warsaw(2025, 5, 26, 11, 5))
    letter_request_process(letter_request_id=refund.pk, actor=None, now=warsaw(2025, 5, 27, 9, 5))

    with pytest.raises(NothingToPrint):
        print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 26, 14, 0))

    assert [entry.letter.letter_request_id for entry in batch.printbatchletter_set.order_by("position")] == [
        acknowledgement.pk
    ]
    assert [letter.letter_request_id for letter in letters_awaiting_post(now=warsaw(2025, 5, 27, 14, 0))] == [
        refund.pk
    ]


def test_a_customer_who_asked_for_e_mail_gets_each_letter_attached_and_it_counts_when_it_leaves(
    theft, eur_rates, analyst, supervisor
):
    theft.customer.email = "ola@example.com"
    theft.customer.save(update_fields=["email"])
    case = submitted_case(theft, theft.user)
    case_set_reply_delivery(
        case_id=case.pk, delivery="EMAIL", actor=theft.user, now=warsaw(2025, 5, 26, 10, 30)
    )
    for request in case.letter_requests.filter(fulfilled_at__isnull=True):
        letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 26, 10, 40))

    outbox_run_in_place(
        message_ids=OutboxMessage.objects.filter(
            task="letters.tasks.send_letters_by_email", kwargs__case_id=case.pk
        ).values_list("pk", flat=True)
    )

    [ack] = Letter.objects.filter(case=case)
    [message] = mail.outbox
    assert (message.to, message.subject) == (
        ["ola@example.com"],
        f"Potwierdzenie przyjęcia reklamacji nr {case.number}",
    )
    [(_name, content, mimetype)] = message.attachments
    with ack.pdf.open("rb") as pdf:
        assert (content, mimetype) == (pdf.read(), "application/pdf")
    assert ack.dispatch_channel == "EMAIL" and ack.dispatched_at is not None
    # The paper queue holds nothing of this case.
    assert not letters_awaiting_post(now=warsaw(2025, 5, 26, 11, 0)).filter(case=case).exists()


def test_a_letter_the_mail_server_refuses_goes_on_paper_after_the_fallback_delay(
    theft, eur_rates, analyst, settings
):
    settings.LETTERS_EMAIL_FALLBACK_SECONDS = 7200
    settings.EMAIL_BACKEND = "tests.letters.test_delivery.RefusingBackend"
    theft.customer.email = "ola@example.com"
    theft.customer.save(update_fields=["email"])
    case = submitted_case(theft, theft.user)
    case_set_reply_delivery(
        case_id=case.pk, delivery="EMAIL", actor=theft.user, now=warsaw(2025, 5, 26, 10, 30)
    )
    for request in case.letter_requests.filter(fulfilled_at__isnull=True):
        letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 26, 10, 40))
    [ack] = Letter.objects.filter(case=case)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        letters_email_send(case_id=case.pk, now=warsaw(2025, 5, 26, 10, 41))

    ack.refresh_from_db()
    assert (ack.dispatched_at, ack.dispatch_channel) == (None, "")
    # Within the delay the e-mail may still leave; after it, the letter waits for the print batch.
    assert not letters_awaiting_post(now=warsaw(2025, 5, 26, 12, 39)).filter(pk=ack.pk).exists()
    assert letters_awaiting_post(now=warsaw(2025, 5, 26, 12, 41)).filter(pk=ack.pk).exists()
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 5, 26, 14, 0))
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 5, 26, 15, 0))
    ack.refresh_from_db()
    assert (ack.dispatched_at, ack.dispatch_channel) == (warsaw(2025, 5, 26, 15, 0), "POST")
    # Once posted, it is never e-mailed as well.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert letters_email_send(case_id=case.pk, now=warsaw(2025, 5, 26, 16, 0)) == []


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient for good."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"ola@example.com": (550, b"No such user")})


def test_e_mail_needs_an_address_and_changes_nothing_without_one(theft, eur_rates, analyst):
    from disputes.services import EmailAddressMissing

    theft.customer.email = ""
    theft.customer.save(update_fields=["email"])
    case = submitted_case(theft, theft.user)

    with pytest.raises(EmailAddressMissing):
        case_set_reply_delivery(
            case_id=case.pk, delivery="EMAIL", actor=theft.user, now=warsaw(2025, 5, 26, 10, 30)
        )

    case.refresh_from_db()
    assert case.reply_delivery == "POST"


def test_the_claim_page_links_every_letter_and_tells_how_it_left(theft, eur_rates, analyst, supervisor):
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 3, 9, 0))
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 3, 14, 0))
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 3, 15, 0))
    _record_replies(case)
    ack = Letter.objects.get(case=case, letter_type="CLAIM_ACKNOWLEDGEMENT")
    second = letter_reissue(
        letter_id=ack.pk, reason="Błędny adres", actor=analyst, now=warsaw(2025, 6, 4, 9, 0)
    )
    client = Client()
    _sign_in(client, theft.user)

    page = client.get(f"/claims/{case.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    for letter in Letter.objects.filter(case=case):
        assert f'href="/letters/{letter.pk}/pdf"' in page
    assert f"Odpowiedź na reklamację nr {case.number}" in page
    assert "Wystawione 3 czerwca 2025" in page
    assert "wysłane pocztą 3 czerwca 2025" in page
    assert f"Potwierdzenie przyjęcia reklamacji nr {case.number} (poprawiona wersja 2)" in page
    assert "jeszcze niewysłane" in page  # the corrected version waits for the next print batch
    assert "Odpowiedź wysłana pocztą" in page
    assert "kopie będzie można" not in page
    assert second.dispatched_at is None


def test_the_customer_changes_the_delivery_on_the_claim_page(theft, eur_rates):
    theft.customer.email = "ola@example.com"
    theft.customer.save(update_fields=["email"])
    case = submitted_case(theft, theft.user)
    client = Client()
    _sign_in(client, theft.user)

    response = client.post(
        f"/claims/{case.pk}/delivery/", {"reply_delivery": "EMAIL"}, HTTP_ACCEPT_LANGUAGE="pl"
    )

    case.refresh_from_db()
    assert (response.status_code, case.reply_delivery) == (302, "EMAIL")
    event = case.events.get(kind="REPLY_DELIVERY_CHANGED")
    assert event.data == {"from": "POST", "to": "EMAIL"}
    assert (
        OutboxMessage.objects.filter(
            task="letters.tasks.send_letters_by_email", kwargs__case_id=case.pk
        ).count()
        == 1
    )


def test_after_deemed_acceptance_only_the_notice_is_printed_and_recorded_as_the_reply(
    theft, eur_rates, analyst, supervisor
):
    # Decided on day 29 (Tue 2025-06-24), not posted; deemed accepted by the REK-8 sweep on day 31.
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 24, 10, 0))
    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 11, 0), batch_size=10) == 1
    for request in case.letter_requests.filter(fulfilled_at__isnull=True).order_by("pk"):
        letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 6, 26, 11, 5))
    notice = Letter.objects.get(case=case, letter_type="DEEMED_ACCEPTED")

    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 26, 14, 0))
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 26, 15, 0))
    _record_replies(case)

    printed = list(batch.letters.filter(case=case).values_list("letter_type", flat=True))
    assert "DECISION_ACCEPTED" not in printed and "DEEMED_ACCEPTED" in printed
    decision.refresh_from_db()
    # Withdrawn, recorded and kept, never sent.
    assert decision.withdrawn_at == warsaw(2025, 6, 26, 11, 5)
    assert decision.withdrawal_reason.startswith("REK-8")
    assert (decision.dispatched_at, decision.dispatch_channel) == (None, "")
    case.refresh_from_db()
    assert (case.state, case.reply_dispatched_at) == ("DEEMED_ACCEPTED", warsaw(2025, 6, 26, 15, 0))
    assert case.transitions.get(name="dispatch_reply").data["letter"] == notice.pk


def test_a_stale_decision_letter_is_not_recorded_as_the_reply(theft, eur_rates, analyst, supervisor):
    from disputes.services import ReplyLetterStale, case_dispatch_reply

    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 24, 10, 0))
    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 11, 0), batch_size=10)

    with pytest.raises(ReplyLetterStale):
        case_dispatch_reply(
            case_id=case.pk,
            letter_id=decision.pk,
            letter_type="DECISION_ACCEPTED",
            channel="POST",
            dispatched_at=warsaw(2025, 6, 26, 15, 0),
            actor=None,
            now=warsaw(2025, 6, 26, 15, 0),
        )
    case.refresh_from_db()
    assert case.reply_dispatched_at is None
    # Before the notice is issued the stale letter is already out of the post queue.
    assert not letters_awaiting_post(now=warsaw(2025, 6, 26, 15, 0)).filter(pk=decision.pk).exists()


def test_a_decision_withdrawn_while_in_a_batch_not_yet_printed_leaves_the_batch(
    theft, eur_rates, analyst, supervisor
):
    # The decision went into the afternoon batch on day 29; before anyone printed it the case was
    # deemed accepted (REK-8): the stale decision must not reach paper, as a reissued version would not.
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 24, 10, 0))
    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 24, 14, 0))
    assert batch.letters.filter(pk=decision.pk).exists()

    assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 11, 0), batch_size=10) == 1
    for request in case.letter_requests.filter(fulfilled_at__isnull=True).order_by("pk"):
        letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 6, 26, 11, 5))
    notice = Letter.objects.get(case=case, letter_type="DEEMED_ACCEPTED")

    assert not batch.letters.filter(pk=decision.pk).exists()
    entry = AuditEntry.objects.get(action="letter.taken_out_of_print_batch", object_id=str(decision.pk))
    assert (entry.data["batch"], entry.data["replaced_by"], entry.recorded_at) == (
        batch.pk,
        notice.pk,
        warsaw(2025, 6, 26, 11, 5),
    )
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 26, 15, 0))
    decision.refresh_from_db()
    assert decision.dispatched_at is None


def printed_then_deemed_accepted(theft, analyst, supervisor):
    """A decision letter batched and marked printed on day 29 (Tue 2025-06-24), its claim deemed
    accepted on day 31 (REK-8) and the notice issued at 11:05: the decision and its batch."""
    case = _decided(theft, analyst, supervisor, decided_at=warsaw(2025, 6, 24, 10, 0))
    decision = Letter.objects.get(case=case, letter_type="DECISION_ACCEPTED")
    batch = print_batch_assemble(actor=analyst, now=warsaw(2025, 6, 24, 14, 0))
    print_batch_mark_printed(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 24, 14, 5))
    cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 11, 0), batch_size=10)
    for request in case.letter_requests.filter(fulfilled_at__isnull=True).order_by("pk"):
        letter_request_process(letter_request_id=request.pk, actor=None, now=warsaw(2025, 6, 26, 11, 5))
    return decision, batch


def test_the_print_room_warns_of_a_printed_letter_withdrawn_since_and_posting_does_not_record_it(
    theft, eur_rates, analyst, supervisor
):
    # Printed on day 29; deemed accepted on day 31 before the post went: the paper copy must come out.
    decision, batch = printed_then_deemed_accepted(theft, analyst, supervisor)
    client = sign_in_staff(Client(), analyst)

    room = client.get(reverse("backoffice:print"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert batch.letters.filter(pk=decision.pk).exists()  # printed: its paper copy is in the stack
    assert "1 printed letter of this batch was withdrawn after printing" in room
    print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=warsaw(2025, 6, 26, 15, 0))
    decision.refresh_from_db()
    assert decision.dispatched_at is None
