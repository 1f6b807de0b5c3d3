"""The case page: the card as it was at each transaction, and the letters with their preview."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEntry
from cards.models import CardEvent
from customers.middleware import SIGNED_IN_AT
from disputes.services import letter_request_fulfil
from letters.models import CustomerAddress, Letter, StaffProfile
from letters.services import letter_dispatch, letter_issue
from tests.backoffice.conftest import NOW
from tests.disputes.conftest import REPORTED_AT, warsaw
from tests.letters.conftest import read_pdf


def _card_rows(response):
    return [row.card for row in response.context["p"].transactions]


def test_each_transaction_shows_the_card_as_it_was_then(case, theft, analyst, as_staff):
    card = theft.card
    # Internet payments were switched off after the transactions; contactless before both of them.
    card.internet_enabled, card.contactless_enabled = False, False
    card.save(update_fields=["internet_enabled", "contactless_enabled"])
    CardEvent.objects.create(
        card=card,
        kind=CardEvent.Kind.CONTROLS_CHANGED,
        channel="PORTAL",
        data={"contactless_enabled": {"from": True, "to": False}},
        occurred_at=theft.atm.executed_at - timedelta(days=3),
    )
    CardEvent.objects.create(
        card=card,
        kind=CardEvent.Kind.CONTROLS_CHANGED,
        channel="PORTAL",
        data={"internet_enabled": {"from": True, "to": False}},
        occurred_at=REPORTED_AT + timedelta(hours=1),
    )
    CardEvent.objects.create(
        card=card,
        kind=CardEvent.Kind.LIMITS_CHANGED,
        channel="PORTAL",
        data={"daily_cash_limit": {"from": "5000.00", "to": str(card.daily_cash_limit)}},
        occurred_at=theft.atm.executed_at + timedelta(minutes=5),  # between the two transactions
    )

    response = as_staff(analyst).get(reverse("backoffice:case", kwargs={"case_id": case.pk}))

    rows = _card_rows(response)
    assert [(r.internet_enabled, r.contactless_enabled, r.status) for r in rows] == [
        (True, False, "ACTIVE"),
        (True, False, "ACTIVE"),
    ]
    assert [str(r.daily_cash_limit) for r in rows] == ["5000.00", str(card.daily_cash_limit)]
    assert (card.internet_enabled, card.status) == (False, "CANCELLED")  # what the card is now
    html = response.content.decode()
    assert html.count("internet payments: yes") + html.count("płatności internetowe: tak") == 2


@pytest.fixture
def pending_letter(case, theft, analyst, supervisor):
    """The acknowledgement the submitted claim asked for, not issued yet (the task runs on commit).

    The letter needs the customer's address and a signatory with a position.
    """
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    for user in (analyst, supervisor):
        StaffProfile.objects.get_or_create(user=user, defaults={"position": "Analityk reklamacji"})
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")
    assert request.fulfilled_at is None
    return request


def preview_url(case, request) -> str:
    return reverse("backoffice:letter_preview", kwargs={"case_id": case.pk, "letter_request_id": request.pk})


@pytest.mark.parametrize("role", ["analyst", "supervisor", "auditor"])
def test_staff_preview_a_pending_letter_and_nothing_is_stored(
    case, pending_letter, analyst, supervisor, auditor, as_staff, role
):
    user = {"analyst": analyst, "supervisor": supervisor, "auditor": auditor}[role]
    client = as_staff(user)
    page = client.get(reverse("backoffice:case", kwargs={"case_id": case.pk}))
    audit_before = AuditEntry.objects.count()

    response = client.get(preview_url(case, pending_letter))

    assert preview_url(case, pending_letter) in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    text = read_pdf(response.content)
    assert text.says(case.number)
    assert text.says(f"{case.number}/L{pending_letter.pk}/v1/PREVIEW")
    pending_letter.refresh_from_db()
    assert pending_letter.fulfilled_at is None
    assert not Letter.objects.filter(case=case).exists()
    assert AuditEntry.objects.count() == audit_before


def test_an_issued_letter_is_listed_for_download_not_preview(case, pending_letter, auditor, as_staff):
    letter = letter_issue(letter_request_id=pending_letter.pk, actor=None, now=NOW)
    client = as_staff(auditor)

    page = client.get(reverse("backoffice:case", kwargs={"case_id": case.pk})).content.decode()
    download = client.get(reverse("letters:pdf", kwargs={"letter_id": letter.pk}))

    assert reverse("letters:pdf", kwargs={"letter_id": letter.pk}) in page
    assert preview_url(case, pending_letter) not in page
    assert download.status_code == 200
    assert read_pdf(b"".join(download.streaming_content)).says(f"{case.number}/L{pending_letter.pk}/v1")


def _history(client, case, language: str) -> str:
    page = client.get(reverse("backoffice:case", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE=language)
    return page.content.decode().split('id="tl-h"')[1]


def test_the_history_says_a_letter_was_sent_only_once_its_dispatch_is_recorded(
    case, pending_letter, analyst, as_staff
):
    client = as_staff(analyst)
    letter_issue(letter_request_id=pending_letter.pk, actor=None, now=NOW)

    issued_en, issued_pl = _history(client, case, "en"), _history(client, case, "pl")
    letter = letter_dispatch(
        letter_id=pending_letter.letters.get().pk, channel="POST", actor=None, now=warsaw(2025, 5, 27, 9, 30)
    )
    sent_en, sent_pl = _history(client, case, "en"), _history(client, case, "pl")

    # Issued (the PDF made) is not sent: the reply deadline is met by the dispatch alone.
    assert "(issued 26 May 2025, 12:00:00 — not sent yet)" in issued_en
    assert "(wystawione 26 maja 2025, 12:00:00 — jeszcze niewysłane)" in issued_pl
    assert "(sent)" not in issued_en and "(wysłane)" not in issued_pl
    assert "sent 27 May" not in issued_en
    assert letter.dispatch_channel == "POST"
    assert "(issued 26 May 2025, 12:00:00 — sent 27 May 2025, 09:30:00 (Post))" in sent_en
    assert "(wystawione 26 maja 2025, 12:00:00 — wysłane 27 maja 2025, 09:30:00 (Poczta))" in sent_pl


def test_the_history_and_the_letters_say_a_letter_waits_or_was_done_outside_the_letters_app(
    case, pending_letter, analyst, as_staff
):
    client = as_staff(analyst)

    waiting = _history(client, case, "en")
    letter_request_fulfil(letter_request_id=pending_letter.pk, actor=analyst, now=NOW)
    page = client.get(reverse("backoffice:case", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()

    assert "Acknowledgement (waiting to be issued)" in waiting
    # Marked done by staff with no letter stored here: neither waiting nor known to be sent.
    outside = "marked done outside the letters app: no copy or dispatch recorded here"
    assert f"Acknowledgement ({outside})" in body.split('id="tl-h"')[1]
    assert [row.pending for row in page.context["p"].letters if row.request.pk == pending_letter.pk] == [
        False
    ]
    assert preview_url(case, pending_letter) not in body
    assert f"<td>{outside}</td>" in body.split('id="letters-h"')[1]


def test_a_customer_cannot_preview_even_their_own_letter(client, case, theft, pending_letter):
    client.force_login(theft.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = NOW.isoformat()
    session.save()

    response = client.get(preview_url(case, pending_letter))

    assert response.status_code == 403


def test_anonymous_is_sent_to_the_staff_sign_in(client, case, pending_letter):
    response = client.get(preview_url(case, pending_letter))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:sign_in"))


def test_a_letter_of_another_case_answers_404(case, theft, pending_letter, analyst, as_staff):
    from tests.backoffice.conftest import make_theft, submitted_case

    other = submitted_case(make_theft(username="other"), analyst, received_at=NOW - timedelta(hours=1))

    url = reverse(
        "backoffice:letter_preview", kwargs={"case_id": other.pk, "letter_request_id": pending_letter.pk}
    )

    response = as_staff(analyst).get(url)

    assert response.status_code == 404


def test_the_preview_cannot_be_posted_to(case, pending_letter, auditor, as_staff):
    response = as_staff(auditor).post(preview_url(case, pending_letter))

    assert response.status_code == 405


def test_a_letter_the_case_cannot_make_yet_is_explained_and_nothing_is_stored(case, analyst, as_staff):
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")  # no address on file

    response = as_staff(analyst).get(preview_url(case, request), HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert response.redirect_chain == [(reverse("backoffice:case", kwargs={"case_id": case.pk}), 302)]
    assert "The letter cannot be made from the case" in response.content.decode()
    assert not Letter.objects.filter(case=case).exists()


@pytest.mark.parametrize("extra", [0, 3])
def test_the_preview_costs_a_fixed_number_of_queries(
    case, pending_letter, analyst, as_staff, django_assert_num_queries, extra
):
    client = as_staff(analyst)
    for i in range(extra):  # more history on the case: notes and other letters requested
        client.post(f"/back-office/cases/{case.pk}/note/", {"text": f"note {i}"})
        case.letter_requests.create(letter_type="ACKNOWLEDGEMENT", context={}, requested_at=NOW)
    client.get(preview_url(case, pending_letter))

    with django_assert_num_queries(9):  # the user's permissions in one query (customers.backends)
        response = client.get(preview_url(case, pending_letter))

    assert response.status_code == 200


def test_staff_print_the_paper_letters_as_one_pdf_and_mark_them_posted(
    case, pending_letter, analyst, auditor, as_staff
):
    from letters.models import PrintBatch

    analyst.first_name, analyst.last_name = "Piotr", "Wróbel"
    analyst.save(update_fields=["first_name", "last_name"])
    letter = letter_issue(letter_request_id=pending_letter.pk, actor=None, now=NOW)
    client = as_staff(analyst)
    waiting = client.get(reverse("backoffice:print"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    client.post(reverse("backoffice:print_batch_new"))
    batch = PrintBatch.objects.get()
    pdf = client.get(reverse("backoffice:print_batch_file", kwargs={"batch_id": batch.pk}))
    refused = as_staff(auditor).post(reverse("backoffice:print_batch_posted", kwargs={"batch_id": batch.pk}))
    letter.refresh_from_db()
    assert (refused.status_code, letter.dispatched_at) == (403, None)
    posted = as_staff(analyst).post(reverse("backoffice:print_batch_posted", kwargs={"batch_id": batch.pk}))

    assert "1 pismo czeka" in waiting and case.number in waiting
    # The letter by its name and version, never its code; the batch by the person who made it.
    assert "Potwierdzenie przyjęcia, wersja 1" in waiting and "ACKNOWLEDGEMENT" not in waiting
    batches = client.get(reverse("backoffice:print"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "(Piotr Wróbel)" in batches and "(analyst)" not in batches
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    batch_pages = PdfReader(BytesIO(pdf.content)).pages
    assert len(batch_pages) == letter.page_count
    assert f"{case.number}/L{pending_letter.pk}/v1" in " ".join(page.extract_text() for page in batch_pages)
    assert posted.status_code == 302
    letter.refresh_from_db()
    batch.refresh_from_db()
    assert (letter.dispatch_channel, letter.dispatched_at) == ("POST", batch.posted_at)
    assert batch.posted_by == analyst


def test_a_server_clock_behind_the_latest_batch_is_told_and_changes_nothing(
    case, pending_letter, analyst, as_staff
):
    """Two web servers whose clocks disagree: the print room says so instead of answering 500."""
    from letters.models import PrintBatch
    from letters.services import print_batch_assemble

    letter_issue(letter_request_id=pending_letter.pk, actor=None, now=NOW)
    # Another server, its clock an hour ahead, made a batch "at 13:00"; this one's clock says 12:00.
    batch = print_batch_assemble(actor=analyst, now=NOW + timedelta(hours=1))
    client = as_staff(analyst)

    made = client.post(reverse("backoffice:print_batch_new"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    posted = client.post(
        reverse("backoffice:print_batch_posted", kwargs={"batch_id": batch.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert made.status_code == posted.status_code == 200
    assert "nothing was changed" in made.content.decode()
    assert "cannot be marked posted yet" in posted.content.decode()
    assert list(PrintBatch.objects.values_list("pk", flat=True)) == [batch.pk]
    batch.refresh_from_db()
    assert batch.posted_at is None
