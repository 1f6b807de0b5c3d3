"""From "I don't recognise this" to the bank's messages, on a phone, in Polish and in English.

The customer ticks a transaction on the card's history, files the claim (the wizard offers to block
the still-active card, and she does), sends it, and reads what the bank texted and e-mailed her; the
bank then asks for information and decides, and those messages appear too. Screenshots at 375 px.
"""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from cards.models import CardStatus
from customers.models import Notification
from disputes.models import Case
from disputes.selectors import letter_requests_pending
from disputes.services import (
    case_assess_liability,
    case_decide,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
)
from kartosfera.formatting import format_long_date
from kartosfera.legaltime import warsaw_date
from letters.models import CustomerAddress, Letter, StaffProfile
from letters.services import letter_request_process, print_batch_assemble, print_batch_mark_posted
from liability.engine import Findings
from liability.services import rates_seed_synthetic
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS, Journey
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory
from tests.customers.portal import PASSWORD, registered_customer
from tests.disputes.conftest import staff
from tests.disputes.helpers import confirm_postings

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]

WORDS = {
    "pl": {
        "sign_in": "Zaloguj się",
        "dont_recognise": "Nie rozpoznaję tych transakcji",
        "continue": "Zapisz i przejdź dalej",
        "still_usable": "Twoja karta nadal działa",
        "block": "Zablokuj kartę teraz",
        "blocked": "Karta jest zablokowana.",
        "next": "Dalej",
        "send": "Wyślij reklamację",
        "sent": "Reklamacja wysłana",
        "messages": "Wiadomości",
        "received": "Przyjęliśmy Twoją reklamację {number}.",
        "card_blocked": "Twoja karta •••• 4821 została zablokowana.",
        "asked": "Aby rozpatrzyć reklamację {number}, potrzebujemy od Ciebie: Gdzie był telefon?",
        "decided": "Rozpatrzyliśmy Twoją reklamację {number}: uznana w całości.",
        "refunded": "Zwróciliśmy na Twój rachunek 1\xa0250,00\xa0zł",
        "decision": "Reklamacja uznana w całości. Całą reklamowaną kwotę, 1\xa0250,00\xa0zł, ponosi bank",
        "posted": "wysłane pocztą {day}",
        "reply_sent": "Odpowiedź wysłana pocztą",
        "reply": "Odpowiedź na reklamację nr {number}",
    },
    "en": {
        "sign_in": "Sign in",
        "dont_recognise": "I don't recognise these",
        "continue": "Save and continue",
        "still_usable": "Your card can still be used",
        "block": "Block the card now",
        "blocked": "The card is blocked.",
        "next": "Continue",
        "send": "Send the claim",
        "sent": "Claim sent",
        "messages": "Messages",
        "received": "We have received your claim {number}.",
        "card_blocked": "Your card •••• 4821 has been blocked.",
        "asked": "To handle your claim {number} we need the following from you: Gdzie był telefon?",
        "decided": "We have decided on your claim {number}: accepted in full.",
        "refunded": "We have refunded PLN\xa01,250.00 to your account",
        "decision": "Accepted in full. The bank bears the whole disputed amount, PLN\xa01,250.00",
        "posted": "sent by post on {day}",
        "reply_sent": "Reply sent by post",
        "reply": "Reply to complaint no. {number}",
    },
}


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_claim_from_i_dont_recognise_this_to_the_messages_on_a_phone(
    live_server, sms_outbox, language, monkeypatch, request
):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the bank's steps in between are the
    # test's own ORM calls (as in the back-office journey).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The messages leave from this process (also under `make test-services`), so the page lists them
    # as sent when it is read.
    from kartosfera.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", eager))

    words = WORDS[language]
    customer = registered_customer(
        first_name="Anna", last_name="Kowalska", mobile_phone="+48601234567", preferred_language=language
    )
    CustomerAddress.objects.create(
        customer=customer, street="ul. Polna 12 m. 4", postal_code="00-625", city="Warszawa"
    )
    card = CardFactory(
        customer=customer, product=CardProductFactory(), status=CardStatus.ACTIVE, last4="4821"
    )
    for n in range(30):  # a history longer than a page
        TransactionFactory(
            card=card,
            merchant_name=f"Żabka {n}",
            executed_at=datetime(2026, 5, 1, tzinfo=UTC) + timedelta(hours=n),
        )
    stolen = TransactionFactory(
        card=card,
        merchant_name="Media Expert",
        amount_pln=Decimal("1250.00"),
        original_amount=Decimal("1250.00"),
        channel="CONTACTLESS",
        executed_at=datetime(2026, 5, 18, 19, 40, tzinfo=UTC),
    )
    rates_seed_synthetic(
        currency="EUR", start=date(2026, 5, 1), end=date(2026, 5, 31), now=datetime(2026, 6, 1, tzinfo=UTC)
    )
    analyst, supervisor = (
        staff(f"analyst-{language}", "analysts"),
        staff(f"supervisor-{language}", "supervisors"),
    )
    for user, position in ((analyst, "Analityk reklamacji"), (supervisor, "Kierownik Zespołu Reklamacji")):
        user.first_name, user.last_name = "Ewa", "Maj"
        user.save(update_fields=["first_name", "last_name"])
        StaffProfile.objects.create(user=user, position=position, position_en="Complaints")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE, locale=f"{language}-PL" if language == "pl" else "en-GB")
        page.set_default_timeout(15_000)
        journey = Journey(page, live_server.url, sms_outbox, customer.mobile_phone)
        shot = lambda name: journey.shot(f"{name}-{language}")  # noqa: E731

        # Signing in switches the portal to the customer's language, whatever the browser said.
        journey.go("/sign-in/")
        page.fill("#id_identifier", customer.pesel)
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").first.click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == language

        # "I don't recognise this" on the card's history.
        journey.go(f"/cards/{card.pk}/transactions/")
        page.locator(f"#claim-transaction-{stolen.pk}").check()
        journey.click("button", words["dont_recognise"])
        assert page.locator(f"input[name=transactions][value='{stolen.pk}']").is_checked()
        shot("20-claim-start")
        journey.click("button", words["continue"])
        page.check("#id_cause_1")  # stolen
        journey.click("button", words["continue"])
        assert words["still_usable"] in journey.text()
        shot("21-claim-block-offered")
        journey.click("button", words["block"])
        assert words["blocked"] in journey.text()
        page.fill("#id_noticed_on", "2026-05-18")
        journey.click("button", words["continue"])
        page.fill("#id_card_whereabouts", "W torebce, skradzionej w tramwaju.")
        journey.click("button", words["continue"])
        page.fill("#id_access_to_card_and_phone", "Nikt.")
        journey.click("button", words["continue"])
        page.check("#id_card_in_mobile_wallet_1")
        journey.click("button", words["continue"])
        page.check("#id_police_notified_1")
        journey.click("button", words["continue"])
        journey.click("button", words["continue"])
        # How the bank's letters go: paper by post unless she asks for e-mail (Complaints Act art. 5).
        assert page.locator("#id_reply_delivery_0").is_checked()
        journey.click("button", words["continue"])
        journey.click("link", words["next"])
        journey.click("button", words["send"])
        assert words["sent"] in journey.text()
        case = Case.objects.get(customer=customer)

        # The bank's side: the refund, a question, the decision (each writes to the customer).
        now = case.received_at
        case_start_review(case_id=case.pk, actor=analyst, now=now + timedelta(minutes=5))
        case_refund_provisionally(case_id=case.pk, actor=analyst, now=now + timedelta(minutes=10))
        # The core system confirms the refund's credit: the customer is told of the refund then.
        confirm_postings(at=now + timedelta(minutes=15))
        case_request_information(
            case_id=case.pk, questions="Gdzie był telefon?", actor=analyst, now=now + timedelta(minutes=20)
        )
        case_assess_liability(
            case_id=case.pk,
            findings=Findings(undetectable=True),
            actor=analyst,
            now=now + timedelta(minutes=30),
        )
        case_decide(case_id=case.pk, actor=supervisor, now=now + timedelta(minutes=40))

        # The letters are issued, the paper ones printed in a batch and posted the next morning.
        for request_id in letter_requests_pending().filter(case=case).values_list("pk", flat=True):
            letter_request_process(letter_request_id=request_id, actor=None, now=now + timedelta(minutes=45))
        batch = print_batch_assemble(actor=analyst, now=now + timedelta(hours=1))
        posted_at = now + timedelta(hours=2)
        # The bank's steps above are dated ahead of the wall clock; the worker's part (recording the
        # reply) reads the clock, so the clock is where the posting is.
        with time_machine.travel(posted_at + timedelta(minutes=1), tick=True):
            print_batch_mark_posted(batch_id=batch.pk, actor=analyst, now=posted_at)

        # She downloads each letter from the claim page and reads it.
        journey.go(f"/claims/{case.pk}/")
        assert words["posted"].format(day=format_long_date(warsaw_date(posted_at), language=language)) in (
            journey.text()
        )
        assert words["reply_sent"] in journey.text()
        shot("23-claim-letters")
        links = page.locator("a[href^='/letters/'][download]")
        read = {}
        for index in range(links.count()):
            with page.expect_download() as download:
                links.nth(index).click()
            pdf = PdfReader(download.value.path())
            read[download.value.suggested_filename] = " ".join(p.extract_text() for p in pdf.pages)
        issued = Letter.objects.filter(case=case).order_by("pk")
        assert len(read) == issued.count() >= 4
        number = case.number
        for letter in issued:
            [text] = [t for name, t in read.items() if f"-{letter.letter_type}-v{letter.version}" in name]
            assert number in text, letter.letter_type
        decision = next(t for name, t in read.items() if "DECISION_ACCEPTED" in name)
        assert words["reply"].format(number=number) in decision

        journey.click("link", words["messages"])
        text = journey.text()
        for key in ("received", "card_blocked", "asked", "decided", "refunded"):
            assert words[key].format(number=case.number) in text, key
        shot("22-messages")

        # The claim page states the decision in words; the reply deadline no longer counts down.
        journey.go(f"/claims/{case.pk}/")
        assert words["decision"] in journey.text()
        shot("23-claim-decision")
        browser.close()

    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED
    assert list(case.disputed.values_list("transaction_id", flat=True)) == [stolen.pk]
    sent = Notification.objects.filter(customer=customer)
    assert sorted(set(sent.values_list("kind", flat=True))) == [
        "CARD_BLOCKED",
        "CLAIM_RECEIVED",
        "DECISION_ISSUED",
        "INFORMATION_REQUESTED",
        "REFUND_MADE",
    ]
    assert not sent.filter(sent_at__isnull=True).exists()  # each left once its act was committed
    assert set(sent.values_list("language", flat=True)) == {language}
    assert re.fullmatch(r"RK/\d{4}/\d{6}", case.number)
