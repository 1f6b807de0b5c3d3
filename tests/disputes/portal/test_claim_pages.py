"""Filing a claim in the portal: one question per page, the draft kept on the server, clear refusals.

The stolen card of tests/disputes/conftest.py: two unauthorised transactions on Friday 23 May 2025,
the card cancelled as stolen that evening; the claim is sent on Monday 26 May 2025 at 10:00 Warsaw
time, so the refund is due by the end of Tuesday 27 May and the reply by Wednesday 25 June 2025.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cards.models import Transaction
from customers.middleware import SIGNED_IN_AT
from disputes.models import Case, CaseState, Evidence
from disputes.portal.forms import TransactionsForm
from disputes.services import (
    case_add_evidence,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
    claim_create_draft,
    claim_submit,
)
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import RECEIVED_AT, make_theft, refunded_net_of_cap, submitted_case, warsaw
from tests.disputes.helpers import snapshot
from tests.staff import sign_in_staff

PDF = b"%PDF-1.4\n%test police report\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64


@pytest.fixture
def now():
    with time_machine.travel(RECEIVED_AT, tick=False):
        yield RECEIVED_AT


def signed_in(browser, user):
    """``browser`` signed in as ``user``, with the sign-in time the portal's session limit checks."""
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SIGNED_IN_AT] = RECEIVED_AT.isoformat()
    session.save()
    return browser


@pytest.fixture
def portal(client, theft, now, eur_rates):
    return signed_in(client, theft.user)


def text(response) -> str:
    return response.content.decode()


def start(portal, theft, transaction_ids, draft="t1"):
    return portal.post(
        f"/claims/new/{theft.card.pk}/", {"transactions": transaction_ids, "draft_token": draft}
    )


def answer_everything(portal, case):
    steps = [
        ("cause", {"cause": "STOLEN"}),
        ("noticed", {"noticed_on": "2025-05-23", "noticed_time": "21:40"}),
        ("whereabouts", {"card_whereabouts": "W portfelu, skradzionym w tramwaju."}),
        ("access", {"access_to_card_and_phone": "Nikt."}),
        ("wallet", {"card_in_mobile_wallet": "NO"}),
        ("police", {"police_notified": "YES", "police_reference": "RSD-1234/25"}),
        ("account", {"account": ""}),
        ("delivery", {"reply_delivery": "POST"}),
    ]
    for index, (step, data) in enumerate(steps):
        response = portal.post(f"/claims/{case.pk}/step/{step}/", data)
        following = steps[index + 1][0] if index + 1 < len(steps) else "evidence"
        assert response.status_code == 302, (step, text(response))
        assert response["Location"] == f"/claims/{case.pk}/step/{following}/"


def test_the_transaction_history_preselects_the_chosen_transactions(portal, theft):
    history = portal.get(f"/cards/{theft.card.pk}/transactions/")
    assert f'action="/claims/new/{theft.card.pk}/"' in text(history)
    assert "Nie rozpoznaję tych transakcji" in text(history) or "Nie rozpoznaję" in text(history)

    page = portal.get(f"/claims/new/{theft.card.pk}/", {"transaction": [theft.atm.pk]})

    boxes = dict(re.findall(r'value="(\d+)" id="[^"]+"( checked)?', text(page)))
    assert boxes == {str(theft.atm.pk): " checked", str(theft.contactless.pk): ""}
    assert not Case.objects.exists()


def test_the_cancellation_page_offers_the_claim(portal, theft):
    page = portal.get(f"/cards/{theft.card.pk}/cancelled/")

    assert f'href="/claims/new/{theft.card.pk}/"' in text(page)
    assert "wkrótce" not in text(page)


def test_a_claim_filed_step_by_step_with_evidence_gets_its_number_and_deadlines(portal, theft):
    response = start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    assert response["Location"] == f"/claims/{case.pk}/step/cause/"
    answer_everything(portal, case)

    upload = portal.post(
        f"/claims/{case.pk}/step/evidence/",
        {"file": SimpleUploadedFile("policja.pdf", PDF), "kind": "POLICE_REPORT", "description": ""},
    )
    assert upload["Location"] == f"/claims/{case.pk}/step/evidence/"
    review = portal.get(f"/claims/{case.pk}/step/review/")
    assert "Nieautoryzowaną transakcję zgłoszoną w terminie zwrócimy do końca 27 maja 2025" in text(review)
    assert "Odpowiemy najpóźniej do 25 czerwca 2025." in text(review)
    sent = portal.post(f"/claims/{case.pk}/step/review/")

    case.refresh_from_db()
    assert sent["Location"] == f"/claims/{case.pk}/submitted/"
    assert case.state == CaseState.SUBMITTED
    assert (case.cause, case.police_reference, case.card_in_mobile_wallet) == ("STOLEN", "RSD-1234/25", False)
    assert case.card_whereabouts == "W portfelu, skradzionym w tramwaju."
    assert case.loss_noticed_at.isoformat() == "2025-05-23T19:40:00+00:00"
    assert case.evidence.get().original_name == "policja.pdf"
    confirmation = text(portal.get(sent["Location"]))
    assert case.number in confirmation
    assert "Oddamy 920,00\xa0zł na Twój rachunek najpóźniej do końca 27 maja 2025" in confirmation
    assert "Odpowiemy najpóźniej do 25 czerwca 2025." in confirmation
    status = text(portal.get(f"/claims/{case.pk}/"))
    assert "Potwierdzenie przyjęcia" in status and "w przygotowaniu" in status
    assert "Rozpoczęto szkic" in status and "Status: Złożona" in status
    assert "Dodano dokument: policja.pdf" in status
    assert f'href="/claims/{case.pk}/documents/{case.evidence.get().pk}/"' in status
    assert case.number in text(portal.get("/claims/"))


@pytest.mark.parametrize(("language", "received"), [("pl", "otrzymana"), ("en", "received on")])
def test_a_claim_filed_by_phone_is_listed_as_received_not_sent(portal, theft, analyst, language, received):
    case = submitted_case(theft, analyst, channel="PHONE")
    portal.cookies["django_language"] = language

    listed = text(portal.get("/claims/"))

    assert case.number in listed
    assert re.search(rf"· {received} \d{{1,2}} \w+ 2025</span>", listed)
    assert "wysłano" not in listed and "sent on" not in listed


def test_no_transaction_chosen_gets_a_polish_message_and_no_draft(portal, theft):
    response = start(portal, theft, [])

    assert response.status_code == 200
    assert "Wybierz co najmniej jedną transakcję, której nie rozpoznajesz." in text(response)
    assert 'class="error-summary"' in text(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("language", ["pl", "en"])
def test_sending_the_history_with_nothing_ticked_says_none_was_chosen(portal, theft, language):
    portal.cookies["django_language"] = language
    message = {
        "pl": "Wybierz co najmniej jedną transakcję, której nie rozpoznajesz.",
        "en": "Choose at least one transaction you do not recognise.",
    }[language]
    history = text(portal.get(f"/cards/{theft.card.pk}/transactions/"))
    sent = dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\w+)" form="claim-form">', history))

    body = text(portal.get(f"/claims/new/{theft.card.pk}/", sent))

    assert sent != {}
    assert f'<p class="field-error" id="id_transactions_error">{message}</p>' in body
    assert '<li><a href="#id_transactions">' in body
    assert re.search(r'name="draft_token" value="[0-9a-f]{32}"', body)
    assert not Case.objects.exists()


def test_opening_a_new_claim_from_a_link_asks_without_an_error(portal, theft):
    body = text(portal.get(f"/claims/new/{theft.card.pk}/"))

    assert "field-error" not in body


def test_a_transaction_already_in_an_open_claim_gets_a_polish_message_and_nothing_changes(portal, theft):
    earlier = submitted_case(theft, theft.user)
    before = snapshot(earlier)

    response = start(portal, theft, [theft.atm.pk])

    assert response.status_code == 200
    assert "Wybrana transakcja jest już w innej otwartej reklamacji." in text(response)
    assert list(Case.objects.values_list("pk", flat=True)) == [earlier.pk]
    assert snapshot(earlier) == before


@pytest.mark.parametrize("held", [False, True], ids=["none-held", "one-held"])
def test_checking_the_chosen_transactions_for_open_claims_takes_one_query_however_many(
    theft, now, eur_rates, held
):
    # Two queries whatever the choice: the chosen rows, then one look for an open claim holding any.
    if held:
        submitted_case(theft, theft.user)  # holds the ATM withdrawal and the contactless payment
    chosen = [theft.atm.pk, theft.contactless.pk] + [row.pk for row in _history(theft, 6)]
    form = TransactionsForm(
        {"transactions": chosen, "draft_token": "t1"},
        transactions=Transaction.objects.filter(card=theft.card),
    )

    with CaptureQueriesContext(connection) as queries:
        valid = form.is_valid()

    assert len(queries) == 2, [query["sql"] for query in queries]
    assert valid is not held
    assert form.errors.get("transactions") == (
        ["Wybrana transakcja jest już w innej otwartej reklamacji."] if held else None
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EXE, "Można dodać tylko pliki PDF, JPEG i PNG."),
        (PDF + b"x" * 2048, "Plik jest za duży: plik może mieć najwyżej 2 kB."),
    ],
    ids=["exe-renamed-pdf", "oversized"],
)
def test_a_disguised_or_oversized_upload_gets_a_polish_message_and_nothing_is_stored(
    portal, theft, settings, content, message
):
    settings.DISPUTES_EVIDENCE_MAX_BYTES = 2048
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get()
    before = snapshot(case)

    response = portal.post(
        f"/claims/{case.pk}/step/evidence/",
        {
            "file": SimpleUploadedFile("faktura.pdf", content, content_type="application/pdf"),
            "kind": "CUSTOMER_DOCUMENT",
        },
    )

    assert response.status_code == 200
    assert message in text(response)
    assert 'href="#id_file"' in text(response)
    assert snapshot(case) == before
    assert not Evidence.objects.exists()
    assert (
        not list((settings.MEDIA_ROOT / "evidence").glob("**/*"))
        if (settings.MEDIA_ROOT / "evidence").exists()
        else True
    )


def test_the_back_button_neither_loses_nor_duplicates_the_draft(portal, theft):
    start(portal, theft, [theft.atm.pk], draft="start-1")
    case = Case.objects.get()
    portal.post(f"/claims/{case.pk}/step/cause/", {"cause": "LOST"})
    portal.post(f"/claims/{case.pk}/step/noticed/", {"noticed_on": "2025-05-24", "noticed_time": ""})

    # Back to the start page, which the browser sends again with the same token: still one draft.
    again = start(portal, theft, theft.transaction_ids, draft="start-1")
    # Back to an answered question: the saved answer is there.
    cause_page = text(portal.get(f"/claims/{case.pk}/step/cause/"))
    noticed_page = text(portal.get(f"/claims/{case.pk}/step/noticed/"))

    case.refresh_from_db()
    assert again["Location"] == f"/claims/{case.pk}/step/cause/"
    assert Case.objects.count() == 1
    assert sorted(case.disputed.values_list("transaction_id", flat=True)) == sorted(theft.transaction_ids)
    assert re.search(r'value="LOST"[^>]*checked', cause_page)
    assert 'value="2025-05-24"' in noticed_page
    assert case.cause == "LOST"
    # A step sent twice (the back button, a double click) saves the same answer once.
    portal.post(f"/claims/{case.pk}/step/transactions/", {"transactions": [theft.contactless.pk]})
    portal.post(f"/claims/{case.pk}/step/transactions/", {"transactions": [theft.contactless.pk]})
    assert list(case.disputed.values_list("transaction_id", flat=True)) == [theft.contactless.pk]


def test_a_submitted_claim_is_no_longer_edited_by_its_steps(portal, theft):
    case = submitted_case(theft, theft.user)

    response = portal.post(f"/claims/{case.pk}/step/cause/", {"cause": "LOST"})

    case.refresh_from_db()
    assert response["Location"] == f"/claims/{case.pk}/"
    assert case.cause == "STOLEN"


def test_evidence_is_served_to_the_owner_and_staff_only(portal, theft, analyst, clerk, client_factory):
    case = submitted_case(theft, theft.user)
    portal.post(
        f"/claims/{case.pk}/documents/",
        {"file": SimpleUploadedFile("policja.pdf", PDF), "kind": "POLICE_REPORT"},
    )
    evidence = case.evidence.get()
    url = f"/claims/{case.pk}/documents/{evidence.pk}/"

    own = portal.get(url)
    staff = client_factory(analyst).get(url)
    unpermitted_staff = client_factory(clerk).get(url)
    anonymous = client_factory(None).get(url)
    password_only_staff = signed_in(Client(), analyst).get(url)

    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF
    assert own["Content-Type"] == "application/pdf"
    assert own["Content-Disposition"] == 'attachment; filename="policja.pdf"'
    assert staff.status_code == 200
    assert (unpermitted_staff.status_code, anonymous.status_code) == (404, 404)
    # Staff signed in with the password alone are sent to the second factor, and get no file.
    assert password_only_staff.status_code == 302
    assert password_only_staff["Location"] == f"/back-office/sign-in/?next={url}"
    assert not evidence.file.name.startswith("static")


def test_the_claim_pages_show_the_customer_only_the_documents_they_supplied(portal, theft, analyst, now):
    # The acquirer's second presentment and the bank's notices are the bank's case work: the customer's
    # pages list, link and serve only their own documents; the back office still sees everything.
    case = submitted_case(theft, theft.user)
    portal.post(
        f"/claims/{case.pk}/documents/",
        {"file": SimpleUploadedFile("policja.pdf", PDF), "kind": "POLICE_REPORT"},
    )
    # "Other" from the customer (the API offers it): theirs.
    case_add_evidence(
        case_id=case.pk,
        kind="OTHER",
        file=SimpleUploadedFile("paragon.pdf", PDF + b"receipt"),
        actor=theft.user,
        now=now,
    )
    bank_kinds = ("ACQUIRER_DOCUMENT", "LAW_ENFORCEMENT_NOTICE", "DELAY_NOTICE", "OTHER")
    for kind in bank_kinds:
        case_add_evidence(
            case_id=case.pk,
            kind=kind,
            file=SimpleUploadedFile(f"{kind.lower()}.pdf", PDF + kind.encode()),
            actor=analyst,
            now=now,
        )
    # An analyst's working document filed as "other" is the bank's too; the customer's own "other" is theirs.
    bank_documents = list(case.evidence.filter(kind__in=bank_kinds).exclude(original_name="paragon.pdf"))
    assert len(bank_documents) == 4

    for page in (f"/claims/{case.pk}/", f"/claims/{case.pk}/documents/"):
        shown = text(portal.get(page))
        assert "policja.pdf" in shown and "paragon.pdf" in shown, page
        for document in bank_documents:
            assert document.original_name not in shown, (page, document.kind)
            assert f"/claims/{case.pk}/documents/{document.pk}/" not in shown, (page, document.kind)
    for document in bank_documents:
        assert portal.get(f"/claims/{case.pk}/documents/{document.pk}/").status_code == 404, document.kind
    assert sorted(case.evidence.values_list("original_name", flat=True)) == [
        "acquirer_document.pdf",
        "delay_notice.pdf",
        "law_enforcement_notice.pdf",
        "other.pdf",
        "paragon.pdf",
        "policja.pdf",
    ]


def test_answering_the_banks_request_and_withdrawing_go_through_the_services(portal, theft, analyst, now):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=now)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=now)
    case_request_information(case_id=case.pk, questions="Gdzie była karta o 19:10?", actor=analyst, now=now)

    status = text(portal.get(f"/claims/{case.pk}/"))
    assert "Gdzie była karta o 19:10?" in status
    empty = portal.post(f"/claims/{case.pk}/respond/", {"response": "  "})
    assert "Odpowiedz na to pytanie." in text(empty) or "error-summary" in text(empty)
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_CUSTOMER
    portal.post(f"/claims/{case.pk}/respond/", {"response": "W portfelu, w skradzionej torbie."})
    case.refresh_from_db()
    assert case.state == CaseState.PROVISIONALLY_REFUNDED

    portal.post(f"/claims/{case.pk}/withdraw/", {"reason": "Rozpoznałam płatność."})

    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert case.transitions.get(name="withdraw").reason == "Rozpoznałam płatność."


def test_the_answer_page_once_answered_goes_back_to_the_claim_instead_of_an_empty_form(
    portal, theft, analyst, now
):
    # The back button, a second tab or the SMS link after answering: no question is waiting, so an
    # empty answer form would only lead to a refusal.
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=now)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=now)
    case_request_information(case_id=case.pk, questions="Gdzie była karta o 19:10?", actor=analyst, now=now)
    portal.post(f"/claims/{case.pk}/respond/", {"response": "W portfelu, w skradzionej torbie."})
    answered = case.transitions.filter(name="customer_responded").count()

    shown = portal.get(f"/claims/{case.pk}/respond/")
    again = portal.post(f"/claims/{case.pk}/respond/", {"response": "Jeszcze raz."})

    assert (shown.status_code, shown["Location"]) == (302, f"/claims/{case.pk}/")
    assert (again.status_code, again["Location"]) == (302, f"/claims/{case.pk}/")
    assert "Bank nie czeka na Twoją odpowiedź w tej reklamacji." in text(portal.get(f"/claims/{case.pk}/"))
    assert case.transitions.filter(name="customer_responded").count() == answered


def test_the_withdraw_page_says_the_refund_made_and_that_withdrawing_takes_it_back(
    portal, theft, analyst, now
):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))

    page = text(portal.get(f"/claims/{case.pk}/withdraw/"))

    assert (
        "W dniu 26 maja 2025 warunkowo zwróciliśmy na Twój rachunek 920,00\xa0zł w związku z tą reklamacją. "
        "Jeśli wycofasz reklamację, ta kwota zostanie pobrana z Twojego rachunku."
    ) in page


def test_the_withdraw_page_states_exactly_what_withdrawing_then_takes_back(
    portal, theft, analyst, now, settings
):
    # NET_OF_CAP: only the ATM withdrawal (800.00, the bank's share) was refunded; the 120.00 payment the
    # customer bears never was, so withdrawing takes back 800.00, not the 920.00 disputed.
    case = refunded_net_of_cap(theft, analyst, settings)
    shown = re.search(
        r"zwróciliśmy na Twój rachunek ([\d ,]+)\xa0zł", text(portal.get(f"/claims/{case.pk}/withdraw/"))
    )

    portal.post(f"/claims/{case.pk}/withdraw/", {"reason": "Rozpoznałam płatność."})

    reversed_total = sum(case.ledger_entries.filter(kind="REVERSAL").values_list("amount", flat=True))
    assert shown is not None and shown.group(1) == "800,00"
    assert reversed_total == Decimal(shown.group(1).replace(",", "."))


def test_the_withdraw_page_of_a_claim_never_refunded_says_nothing_of_a_refund(portal, theft, analyst, now):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))

    page = text(portal.get(f"/claims/{case.pk}/withdraw/"))

    assert "Wycofaj reklamację" in page
    assert "zwróciliśmy" not in page and "pobrana" not in page


def test_the_withdraw_page_of_a_claim_already_withdrawn_goes_back_to_the_claim(portal, theft, analyst, now):
    case = submitted_case(theft, theft.user)
    portal.post(f"/claims/{case.pk}/withdraw/", {"reason": "Rozpoznałam płatność."})

    shown = portal.get(f"/claims/{case.pk}/withdraw/")
    again = portal.post(f"/claims/{case.pk}/withdraw/", {"reason": "Jeszcze raz."})

    assert (shown.status_code, shown["Location"]) == (302, f"/claims/{case.pk}/")
    assert (again.status_code, again["Location"]) == (302, f"/claims/{case.pk}/")
    assert "Tej reklamacji nie można już wycofać." in text(portal.get(f"/claims/{case.pk}/"))
    assert list(case.transitions.filter(name="withdraw").values_list("reason", flat=True)) == [
        "Rozpoznałam płatność."
    ]


def test_the_documents_page_of_a_withdrawn_claim_goes_back_to_the_claim(portal, theft, now):
    case = submitted_case(theft, theft.user)
    portal.post(f"/claims/{case.pk}/withdraw/", {"reason": "Rozpoznałam płatność."})

    shown = portal.get(f"/claims/{case.pk}/documents/")
    sent = portal.post(
        f"/claims/{case.pk}/documents/",
        {"kind": "POLICE_REPORT", "file": SimpleUploadedFile("policja.pdf", PDF)},
    )

    assert (shown.status_code, shown["Location"]) == (302, f"/claims/{case.pk}/")
    assert (sent.status_code, sent["Location"]) == (302, f"/claims/{case.pk}/")
    assert "Do tej reklamacji nie można już dodawać dokumentów." in text(portal.get(f"/claims/{case.pk}/"))
    assert not case.evidence.exists()


def test_the_banks_request_tells_the_customer_by_when_to_answer_and_that_the_reply_does_not_wait(
    portal, theft, analyst, now
):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=now)
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=now)
    case_request_information(case_id=case.pk, questions="Gdzie była karta o 19:10?", actor=analyst, now=now)

    # Asked on Monday 26 May 2025: answer within 14 days, by 9 June; the reply is due on 25 June 2025,
    # as the SMS and the letter say.
    for page in (f"/claims/{case.pk}/", f"/claims/{case.pk}/respond/"):
        shown = re.sub(r"\s+", " ", text(portal.get(page)))
        assert "Prosimy o odpowiedź do 9 czerwca 2025." in shown, page
        assert "odpowiemy do 25 czerwca 2025 na podstawie informacji" in shown, page


@pytest.fixture
def client_factory():
    from django.test import Client

    def make(user):
        if user is None:
            return Client()
        return sign_in_staff(Client(), user) if user.is_staff else signed_in(Client(), user)

    return make


def test_a_claim_out_of_its_13_month_window_is_registered_and_says_so(client, db, eur_rates):
    # Debited on 26 May 2025, card never reported lost: the window (UUP-44-2) ended on 26 June 2026.
    theft = make_theft(cancelled=False)
    with time_machine.travel(warsaw(2026, 7, 1, 10, 0), tick=False):
        signed_in(client, theft.user)
        session = client.session
        session[SIGNED_IN_AT] = warsaw(2026, 7, 1, 10, 0).isoformat()
        session.save()
        start(client, theft, [theft.contactless.pk])
        case = Case.objects.get()
        answer_everything(client, case)
        client.post(f"/claims/{case.pk}/step/review/")
        page = text(client.get(f"/claims/{case.pk}/submitted/"))

    case.refresh_from_db()
    assert (case.state, case.out_of_window) == (CaseState.SUBMITTED, True)
    assert (
        "po upływie 13 miesięcy od obciążenia rachunku (najwcześniejszy termin minął 26 czerwca 2026)" in page
    )
    assert "Oddamy " not in page
    assert "Odpowiemy najpóźniej do 31 lipca 2026." in page


def test_a_draft_sent_from_the_review_page_with_answers_missing_goes_back_to_the_first_one(portal, theft):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    portal.post(f"/claims/{case.pk}/step/cause/", {"cause": "STOLEN"})

    sent = portal.post(f"/claims/{case.pk}/step/review/")

    case.refresh_from_db()
    assert (case.state, case.number) == (CaseState.DRAFT, None)
    assert sent["Location"] == f"/claims/{case.pk}/step/noticed/"
    page = text(portal.get(sent["Location"]))
    assert "Odpowiedz na to pytanie przed wysłaniem reklamacji." in page


@pytest.mark.parametrize(
    ("noticed_at", "step", "message"),
    [
        (
            warsaw(2025, 5, 27, 9, 0),
            "noticed",
            "Dzień zauważenia nie może być w przyszłości. Wpisz dzień zauważenia.",
        ),
        (
            warsaw(2023, 12, 1, 12, 0),
            "noticed",
            "Dzień zauważenia nie może być wcześniejszy niż wydanie karty (15 stycznia 2024).",
        ),
    ],
)
def test_an_impossible_noticed_day_stored_in_the_draft_is_refused_at_submission(
    portal, theft, noticed_at, step, message
):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    answer_everything(portal, case)
    Case.objects.filter(pk=case.pk).update(loss_noticed_at=noticed_at)  # as a forged or stale draft holds it

    sent = portal.post(f"/claims/{case.pk}/step/review/")

    assert sent["Location"] == f"/claims/{case.pk}/step/{step}/"
    assert message in text(portal.get(sent["Location"]))
    assert Case.objects.get(pk=case.pk).state == CaseState.DRAFT


def test_a_noticed_day_in_the_future_is_refused_on_its_own_page_not_only_when_sending(portal, theft):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)

    # Monday 26 May 2025: the next day has not happened yet.
    page = portal.post(f"/claims/{case.pk}/step/noticed/", {"noticed_on": "2025-05-27", "noticed_time": ""})

    assert page.status_code == 200
    assert "Dzień zauważenia nie może być w przyszłości. Wpisz dzień zauważenia." in text(page)
    assert Case.objects.get(pk=case.pk).loss_noticed_at is None
    today = portal.post(f"/claims/{case.pk}/step/noticed/", {"noticed_on": "2025-05-26", "noticed_time": ""})
    assert today["Location"] == f"/claims/{case.pk}/step/whereabouts/"


def test_a_loss_noticed_before_the_transactions_is_accepted(portal, theft):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    answer_everything(portal, case)
    portal.post(f"/claims/{case.pk}/step/noticed/", {"noticed_on": "2025-05-20", "noticed_time": ""})

    sent = portal.post(f"/claims/{case.pk}/step/review/")

    assert sent["Location"] == f"/claims/{case.pk}/submitted/"


def _history(theft, count: int):
    """``count`` more settled card payments, one a day going back from 22 May 2025."""
    from datetime import timedelta

    from tests.cards.factories import TransactionFactory

    return [
        TransactionFactory(
            card=theft.card,
            executed_at=warsaw(2025, 5, 22, 12, 0) - timedelta(days=day),
            merchant_name=f"Sklep {day}",
            channel="CHIP_POS",
        )
        for day in range(count)
    ]


def _boxes(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="transactions" value="(\d+)" id="[^"]+"( checked| disabled[^>]*)?', page))


def test_the_start_page_shows_the_history_a_page_at_a_time_and_keeps_the_choice(portal, theft):
    older = _history(theft, 30)  # 32 transactions: 25 on the first page, 7 on the second
    url = f"/claims/new/{theft.card.pk}/"

    first = text(portal.get(url))
    assert len(_boxes(first)) == 25 and "Strona 1 z 2" in first
    second = text(portal.post(url, {"transactions": [theft.atm.pk], "draft_token": "t9", "page": "2"}))
    assert len(_boxes(second)) == 7
    assert f'<input type="hidden" name="transactions" value="{theft.atm.pk}">' in second
    assert "Wybrano 1 transakcję (na tej lub innych stronach)." in second
    assert not Case.objects.exists()  # browsing is not sending
    portal.post(url, {"transactions": [theft.atm.pk, older[-1].pk], "draft_token": "t9", "current_page": "2"})

    case = Case.objects.get(customer=theft.customer)
    assert sorted(case.disputed.values_list("transaction_id", flat=True)) == sorted(
        [theft.atm.pk, older[-1].pk]
    )


def test_the_start_page_filters_by_day_and_type(portal, theft):
    _history(theft, 30)
    url = f"/claims/new/{theft.card.pk}/"

    page = text(
        portal.post(url, {"date_from": "2025-05-23", "date_to": "2025-05-23", "type": "", "show": "1"})
    )
    assert set(_boxes(page)) == {str(theft.atm.pk), str(theft.contactless.pk)}
    atm_only = text(portal.post(url, {"type": "ATM", "show": "1"}))
    assert set(_boxes(atm_only)) == {str(theft.atm.pk)}


def test_a_transaction_in_an_open_claim_is_shown_and_cannot_be_ticked(portal, theft):
    case = submitted_case(theft, theft.user)

    page = text(portal.get(f"/claims/new/{theft.card.pk}/"))

    assert _boxes(page)[str(theft.atm.pk)].startswith(" disabled")
    assert (
        f"Już w otwartej reklamacji {case.number}, jeszcze nierozpatrzonej: nie można jej wybrać ponownie. "
        f'<a href="/claims/{case.pk}/">Zobacz tę reklamację</a>' in page
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Już zgłoszona w reklamacji {number}, która została rozpatrzona: nie można jej zgłosić ponownie, "
            'dopóki ta reklamacja nie zostanie zamknięta. <a href="/claims/{pk}/">Zobacz tę reklamację</a>',
        ),
        (
            "en",
            "Already claimed in claim {number}, which has been decided: it cannot be claimed again while "
            'that claim is open. <a href="/claims/{pk}/">See that claim</a>',
        ),
    ],
)
def test_a_transaction_of_a_decided_claim_names_that_claim_and_says_it_is_decided(
    portal, theft, language, expected
):
    case = submitted_case(theft, theft.user)
    # Decided, not yet closed: the claim still holds its transactions.
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.DECIDED, outcome="REJECTED", decided_at=RECEIVED_AT
    )
    portal.cookies["django_language"] = language

    page = text(portal.get(f"/claims/new/{theft.card.pk}/"))

    assert _boxes(page)[str(theft.atm.pk)].startswith(" disabled")
    assert expected.format(number=case.number, pk=case.pk) in page
    assert "open claim:" not in page and "otwartej reklamacji:" not in page


def test_a_stolen_card_still_active_is_offered_a_block_inside_the_wizard(client, db, eur_rates, now):
    theft = make_theft(cancelled=False)
    signed_in(client, theft.user)
    start(client, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    client.post(f"/claims/{case.pk}/step/cause/", {"cause": "STOLEN"})

    page = text(client.get(f"/claims/{case.pk}/step/noticed/"))
    assert "Twoja karta nadal działa" in page
    assert f'href="/cards/{theft.card.pk}/cancel/"' in page
    blocked = client.post(f"/claims/{case.pk}/block-card/", {"next": f"/claims/{case.pk}/step/noticed/"})

    theft.card.refresh_from_db()
    assert (blocked["Location"], theft.card.status) == (f"/claims/{case.pk}/step/noticed/", "BLOCKED")
    after = text(client.get(blocked["Location"]))
    assert "Karta jest zablokowana. Jeśli ją znajdziesz, odblokujesz ją w zakładce „Moje karty”." in after
    assert "Twoja karta nadal działa" not in after


def test_a_claim_sent_about_a_stolen_card_still_active_says_to_block_it_after_sending(
    client, db, eur_rates, now
):
    # Sent without taking the wizard's offer: the card still pays for whoever has it, and the claim's
    # pages are where the customer now looks.
    theft = make_theft(cancelled=False)
    signed_in(client, theft.user)
    start(client, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    answer_everything(client, case)
    client.post(f"/claims/{case.pk}/step/review/")

    sent = text(client.get(f"/claims/{case.pk}/submitted/"))
    status = text(client.get(f"/claims/{case.pk}/"))
    blocked = client.post(f"/claims/{case.pk}/block-card/", {"next": f"/claims/{case.pk}/"})

    for page in (sent, status):
        assert "Twoja karta nadal działa" in page
        assert f'action="/claims/{case.pk}/block-card/"' in page
    theft.card.refresh_from_db()
    assert (blocked["Location"], theft.card.status) == (f"/claims/{case.pk}/", "BLOCKED")
    assert "Twoja karta nadal działa" not in text(client.get(f"/claims/{case.pk}/"))


def test_a_card_already_cancelled_is_not_offered_a_block(portal, theft):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    portal.post(f"/claims/{case.pk}/step/cause/", {"cause": "STOLEN"})

    assert "Twoja karta nadal działa" not in text(portal.get(f"/claims/{case.pk}/step/noticed/"))


def test_the_wizard_asks_how_letters_go_and_paper_is_the_default(portal, theft):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    theft.customer.email = ""
    theft.customer.save(update_fields=["email"])

    page = text(portal.get(f"/claims/{case.pk}/step/delivery/", HTTP_ACCEPT_LANGUAGE="pl"))
    refused = portal.post(f"/claims/{case.pk}/step/delivery/", {"reply_delivery": "EMAIL"})

    assert "Jak mamy wysyłać Ci pisma w sprawie tej reklamacji, w tym odpowiedź?" in page
    assert (
        'value="POST" id="id_reply_delivery_0" checked' in page
        or 'value="POST" checked' in page
        or ("checked" in page.split('value="POST"')[1].split(">")[0])
    )
    assert refused.status_code == 200
    assert "Najpierw dodaj adres e-mail w swoim profilu" in text(refused)
    case.refresh_from_db()
    assert case.reply_delivery == "POST"


def _claim_about(theft, transaction_ids) -> Case:
    """A submitted claim about only these of the stolen card's transactions."""
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=transaction_ids,
        channel="PORTAL",
        cause="STOLEN",
        actor=theft.user,
        now=RECEIVED_AT,
    )
    return claim_submit(case_id=draft.pk, actor=theft.user, now=RECEIVED_AT)


def test_the_card_history_links_a_transaction_in_an_open_claim_instead_of_offering_it(portal, theft):
    held = _claim_about(theft, [theft.atm.pk])

    with CaptureQueriesContext(connection) as queries:
        page = text(portal.get(f"/cards/{theft.card.pk}/transactions/"))

    boxes = re.findall(r'name="transaction" value="(\d+)"', page)
    assert boxes == [str(theft.contactless.pk)]
    assert f'<a href="/claims/{held.pk}/" class="hint">W reklamacji {held.number}</a>' in page
    # Read with the list, not looked up row by row.
    claim_reads = [q["sql"] for q in queries.captured_queries if "disputes_casetransaction" in q["sql"]]
    assert claim_reads and all("cards_transaction" in sql for sql in claim_reads)


def test_the_card_history_names_the_claim_in_english(portal, theft):
    held = _claim_about(theft, [theft.atm.pk])
    portal.cookies["django_language"] = "en"

    page = text(portal.get(f"/cards/{theft.card.pk}/transactions/"))

    assert f'<a href="/claims/{held.pk}/" class="hint">In claim {held.number}</a>' in page


def test_the_start_page_counts_only_what_can_be_chosen_and_says_why_the_rest_was_not(portal, theft):
    held = _claim_about(theft, [theft.atm.pk])

    page = text(portal.get(f"/claims/new/{theft.card.pk}/", {"transaction": [theft.atm.pk]}))

    assert "Wybrano" not in page
    assert _boxes(page)[str(theft.atm.pk)].startswith(" disabled")
    assert f"Nie wybrano: Euronet ATM 800,00\xa0zł jest już w otwartej reklamacji {held.number}" in page
    assert f'href="/claims/{held.pk}/"' in page


def test_the_start_page_keeps_what_can_be_chosen_of_a_mixed_choice(portal, theft):
    _claim_about(theft, [theft.atm.pk])

    page = text(
        portal.get(
            f"/claims/new/{theft.card.pk}/",
            {"transaction": [theft.atm.pk, theft.contactless.pk, "x", "999999999"]},
        )
    )

    assert "Wybrano 1 transakcję (na tej lub innych stronach)." in page
    boxes = _boxes(page)
    assert boxes[str(theft.atm.pk)].startswith(" disabled")
    assert boxes[str(theft.contactless.pk)] == " checked"


def test_an_active_card_starts_the_claim_with_no_cause_chosen_and_sending_none_is_refused(
    client, db, eur_rates, now
):
    # The cause picks the liability rules (RULES.md section 3): only the card's own cancellation may
    # answer it in advance, never a default.
    theft = make_theft(cancelled=False)
    signed_in(client, theft.user)
    start(client, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    assert case.cause == ""

    page = text(client.get(f"/claims/{case.pk}/step/cause/"))
    assert re.search(r'name="cause" value="[A-Z]+"[^>]*checked', page) is None
    unanswered = client.post(f"/claims/{case.pk}/step/cause/", {})

    assert unanswered.status_code == 200
    assert "Wybierz, co się stało z kartą." in text(unanswered)
    case.refresh_from_db()
    assert case.cause == ""
    sent = client.post(f"/claims/{case.pk}/step/review/")
    assert sent["Location"] == f"/claims/{case.pk}/step/cause/"
    assert "Wybierz, co się stało z kartą." in text(client.get(sent["Location"]))
    case.refresh_from_db()
    assert (case.state, case.number) == (CaseState.DRAFT, None)


def test_a_draft_thrown_away_before_its_cause_was_answered_is_withdrawn(client, db, eur_rates, now):
    # A draft may lack its cause until it is sent; throwing it away first must not need one.
    theft = make_theft(cancelled=False)
    signed_in(client, theft.user)
    start(client, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    assert case.cause == ""

    answer = client.post(f"/claims/{case.pk}/withdraw/", {"reason": "Jednak rozpoznaję te płatności."})

    assert answer.status_code == 302 and answer["Location"] == f"/claims/{case.pk}/"
    case.refresh_from_db()
    assert (case.state, case.cause, case.number, case.submitted_at) == (CaseState.WITHDRAWN, "", None, None)


def test_a_card_cancelled_as_stolen_starts_the_claim_with_stolen_chosen(portal, theft):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)

    page = text(portal.get(f"/claims/{case.pk}/step/cause/"))

    assert case.cause == "STOLEN"
    assert re.search(r'name="cause" value="STOLEN"[^>]*checked', page)


@pytest.mark.parametrize(
    ("step", "question"),
    [
        ("cause", "Co się stało z kartą?"),
        ("noticed", "Którego dnia to zauważyłeś(-aś)?"),
        ("police", "Czy zgłosiłeś(-aś) sprawę na policję?"),
        ("account", "Czy chcesz nam jeszcze coś przekazać? (nieobowiązkowe)"),
    ],
)
def test_each_wizard_question_is_asked_once_as_the_heading_that_labels_its_input(
    portal, theft, step, question
):
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)

    page = text(portal.get(f"/claims/{case.pk}/step/{step}/"))

    assert page.count(question) == 1
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert question in heading
    assert heading.startswith("<label for=") or re.search(r"<legend><h1>", page)


LATE_HINT = "Transakcje, którymi obciążono rachunek ponad 13 miesięcy przed reklamacją"


def test_the_review_shows_the_late_claim_hint_only_for_a_transaction_past_its_13_month_window(portal, theft):
    start(portal, theft, theft.transaction_ids)
    recent = Case.objects.get(customer=theft.customer)
    answer_everything(portal, recent)
    old = TransactionFactory(
        card=theft.card,
        executed_at=warsaw(2024, 3, 30, 12, 0),
        debited_on=date(2024, 4, 2),  # the window ended on 2 May 2025, before the claim of 26 May 2025
        processed_on=date(2024, 4, 2),
        merchant_name="Stary sklep",
    )
    start(portal, theft, [theft.atm.pk, old.pk], draft="t2")
    late = Case.objects.exclude(pk=recent.pk).get(customer=theft.customer)
    answer_everything(portal, late)

    assert LATE_HINT not in text(portal.get(f"/claims/{recent.pk}/step/review/"))
    assert LATE_HINT in text(portal.get(f"/claims/{late.pk}/step/review/"))


@pytest.fixture
def english_draft(portal, theft) -> Case:
    """The theft's claim with every question answered, ready to send, with the portal in English."""
    start(portal, theft, theft.transaction_ids)
    case = Case.objects.get(customer=theft.customer)
    answer_everything(portal, case)
    portal.cookies["django_language"] = "en"
    return case


def plain_text(response) -> str:
    """The page's text with runs of white space (non-breaking spaces too) as one space."""
    return " ".join(text(response).replace("\xa0", " ").split())


def test_the_review_and_the_submitted_page_say_the_dates_in_plain_sentences_in_english(portal, english_draft):
    case = english_draft
    review = plain_text(portal.get(f"/claims/{case.pk}/step/review/"))
    sent = portal.post(f"/claims/{case.pk}/step/review/")
    submitted = plain_text(portal.get(sent["Location"]))

    assert (
        "If a transaction was unauthorised and you report it in time, we refund it by the end of 27 May 2025 "
        "(the next business day)." in review
    )
    assert "You will receive our reply by 25 June 2025 at the latest." in review
    assert "We will return PLN 920.00 to your account by the end of 27 May 2025 at the latest" in submitted
    assert "You will receive our reply by 25 June 2025 at the latest." in submitted
    for page in (review, submitted):
        assert "Refund by:" not in page and "Reply by:" not in page


def test_the_claim_pages_say_their_dates_in_english_in_english(portal, english_draft):
    case = english_draft
    review = plain_text(portal.get(f"/claims/{case.pk}/step/review/"))
    picker = plain_text(portal.get(f"/claims/{case.pk}/step/transactions/"))
    portal.post(f"/claims/{case.pk}/step/review/")
    detail = plain_text(portal.get(f"/claims/{case.pk}/"))

    # The loss was noticed on 23 May 2025 at 21:40, Warsaw time; both payments were made that day.
    assert "<dd>23 May 2025, 21:40 <a" in review
    for page in (review, picker):
        assert "maja" not in page
        assert re.search(r">23 May 2025, \d\d:\d\d</time>", page)
    # Received on Monday 26 May 2025 at 10:00: the summary, the transactions and the timeline.
    assert "maja" not in detail
    assert "<dt>Received</dt><dd>26 May 2025, 10:00</dd>" in detail
    assert "<li>Euronet ATM, 23 May 2025, 19:10: PLN 800.00</li>" in detail
    assert '">26 May 2025, 10:00</time> — Draft started' in detail


def _field_tag(page: str, name: str) -> str:
    found = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', page)
    assert found, name
    return found.group(0)


def test_a_field_with_an_error_is_marked_invalid_and_described_by_its_error(portal, theft):
    # Nothing ticked and a "From" day that is no date: the choice and the filter each carry the mark
    # and name the text of their own error, which the error summary links to.
    page = text(portal.post(f"/claims/new/{theft.card.pk}/", {"date_from": "23 maja", "draft_token": "t1"}))

    assert 'class="error-summary"' in page
    for name in ("transactions", "date_from"):
        field = _field_tag(page, name)
        described = re.search(r'aria-describedby="([^"]+)"', field)
        assert 'aria-invalid="true"' in field, field
        assert described, field
        ids = described.group(1).split()
        assert all(f'id="{named}"' in page for named in ids), ids
        assert any(f'<p class="field-error" id="{named}">' in page for named in ids), ids
