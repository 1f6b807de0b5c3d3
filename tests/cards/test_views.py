"""The card pages: another customer's ids answer 404 everywhere, CSRF is enforced, the flows work."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cards.models import CardStatus
from customers.models import OtpPurpose
from customers.services import otp_issue
from disputes.services import case_add_evidence, claim_create_draft
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory, WalletTokenFactory
from tests.customers.portal import last_code, messages_to, registered_customer, sign_in, wrong_code
from tests.letters.helpers import issued_letter_for

pytestmark = pytest.mark.django_db

# Every URL keyword of the portal, and what to put in it. An id belongs to a customer; a new keyword
# must be added here (the test fails until it is), so that no customer URL escapes the 404 check.
ID_KWARGS = {"card_id", "challenge_id", "token_id", "case_id", "evidence_id", "letter_id"}
OTHER_KWARGS = {"action": "suspend", "which": "old", "step": "cause"}
PORTAL_NAMESPACES = ("cards", "customers", "claims", "letters")


def portal_patterns() -> list[tuple[str, set[str]]]:
    """(``namespace:name``, keyword names) of every URL pattern in the portal's namespaces."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in PORTAL_NAMESPACES:
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern), "nested includes: extend this walker"
                found.append((f"{entry.namespace}:{pattern.name}", set(pattern.pattern.converters)))
    return found


def owned_objects(customer):
    card = CardFactory(customer=customer)
    token = WalletTokenFactory(card=card)
    challenge = otp_issue(
        customer=customer,
        purpose=OtpPurpose.CARD_ACTIVATE,
        subject=f"card:{card.pk}",
        operation={"operation": "ACTIVATE"},
        now=datetime.now(UTC),
    )
    transaction = TransactionFactory(card=card)
    case = claim_create_draft(
        customer=customer,
        card_id=card.pk,
        transaction_ids=[transaction.pk],
        channel="PORTAL",
        cause="STOLEN",
        actor=customer.user,
        now=datetime.now(UTC),
    )
    evidence = case_add_evidence(
        case_id=case.pk,
        kind="POLICE_REPORT",
        file=SimpleUploadedFile("policja.pdf", b"%PDF-1.4 police report"),
        actor=customer.user,
        now=datetime.now(UTC),
    )
    return {
        "card_id": card.pk,
        "token_id": token.pk,
        "challenge_id": challenge.pk,
        "case_id": case.pk,
        "evidence_id": evidence.pk,
        "letter_id": issued_letter_for(customer, card).pk,
    }


def test_every_customer_url_answers_404_with_another_customers_ids(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    me = registered_customer()
    other = registered_customer()
    mine, theirs = owned_objects(me), owned_objects(other)
    sign_in(client, me)
    checked = []

    for name, kwargs in portal_patterns():
        unknown = kwargs - ID_KWARGS - set(OTHER_KWARGS)
        assert not unknown, f"{name}: teach this test the URL keyword(s) {unknown}"
        ids = kwargs & ID_KWARGS
        if not ids:
            continue
        for foreign in sorted(ids):
            values = {key: (theirs if key == foreign else mine)[key] for key in ids}
            values |= {key: OTHER_KWARGS[key] for key in kwargs - ids}
            url = reverse(name, kwargs=values)
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 404, (
                    f"{method.__name__.upper()} {url} ({name}, {foreign}) answered {response.status_code}"
                )
                checked.append(url)

    # The walker really found the card and claim URLs (a broken walker must not pass silently).
    assert len({url for url in checked}) >= 26
    assert {url.split("/")[1] for url in checked} >= {"cards", "claims", "letters"}
    assert other.cards.get().status == CardStatus.ACTIVE
    # Their draft (the claim URLs) and their submitted claim (the letter) are as they were.
    draft = other.cases.get(state="DRAFT")
    assert draft.evidence.count() == 1
    assert other.cases.exclude(pk=draft.pk).get().letters.count() == 1


def test_own_urls_answer_and_staff_without_a_customer_gets_404(client, admin_client):
    customer = registered_customer()
    card = CardFactory(customer=customer)
    sign_in(client, customer)

    assert client.get(f"/cards/{card.pk}/").status_code == 200
    assert admin_client.get(f"/cards/{card.pk}/").status_code == 404
    assert Client().get(f"/cards/{card.pk}/")["Location"] == f"/sign-in/?next=/cards/{card.pk}/"


def test_csrf_is_enforced_on_card_changes():
    customer = registered_customer()
    card = CardFactory(customer=customer)
    browser = Client(enforce_csrf_checks=True)
    browser.get("/sign-in/")
    token = browser.cookies["csrftoken"].value
    browser.post(
        "/sign-in/",
        {"identifier": customer.pesel, "password": "Zielona-Herbata-2026", "csrfmiddlewaretoken": token},
    )
    assert browser.get("/cards/").status_code == 200

    refused = browser.post(f"/cards/{card.pk}/block/", {"reason": ""})
    card.refresh_from_db()
    assert (refused.status_code, card.status) == (403, CardStatus.ACTIVE)

    browser.get(f"/cards/{card.pk}/block/")
    accepted = browser.post(
        f"/cards/{card.pk}/block/", {"reason": "", "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )
    card.refresh_from_db()
    assert (accepted.status_code, card.status) == (302, CardStatus.BLOCKED)


def test_sign_in_itself_needs_the_csrf_token():
    customer = registered_customer()
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/sign-in/", {"identifier": customer.pesel, "password": "Zielona-Herbata-2026"})

    assert response.status_code == 403


@pytest.fixture
def signed_in(client):
    customer = registered_customer()
    sign_in(client, customer)
    return client, customer


def test_activation_through_the_pages(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer, status=CardStatus.INACTIVE)

    page = client.get(f"/cards/{card.pk}/")
    assert "Aktywuj kartę" in page.content.decode()
    response = client.post(f"/cards/{card.pk}/activate/")
    confirm_url = response["Location"]
    assert "Aktywuj kartę" in client.get(confirm_url).content.decode()
    wrong = client.post(confirm_url, {"code": wrong_code(last_code(sms_outbox, customer.mobile_phone))})
    assert "Kod jest błędny. Pozostałe próby: 4." in wrong.content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.INACTIVE
    done = client.post(confirm_url, {"code": last_code(sms_outbox, customer.mobile_phone)}, follow=True)

    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE
    assert "Karta jest aktywna." in done.content.decode()


def test_cancellation_through_the_pages_shows_the_report_time_and_offers_a_replacement(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer)

    with time_machine.travel(datetime(2026, 5, 20, 19, 47, 13, 500000, tzinfo=UTC), tick=False):
        response = client.post(f"/cards/{card.pk}/cancel/", {"reason": "STOLEN", "understood": "on"})
    with time_machine.travel(datetime(2026, 5, 20, 19, 48, 2, tzinfo=UTC), tick=False):
        page = client.post(
            response["Location"], {"code": last_code(sms_outbox, customer.mobile_phone)}, follow=True
        )

    body = page.content.decode()
    assert page.redirect_chain[-1][0] == f"/cards/{card.pk}/cancelled/"
    assert "20 maja 2026, 21:47:13" in body
    assert "Zamów nową kartę" in body
    assert "828 828 828" in body and "+48 828 828 828" in body
    assert "Widzę transakcje, których nie rozpoznaję: złóż reklamację" in body
    assert f'href="/claims/new/{card.pk}/"' in body

    with time_machine.travel(datetime(2026, 5, 20, 19, 50, tzinfo=UTC), tick=False):
        replaced = client.post(f"/cards/{card.pk}/replacement/", follow=True)
    new = customer.cards.get(replaces=card)
    assert replaced.redirect_chain[-1][0] == f"/cards/{new.pk}/"
    assert new.status == CardStatus.INACTIVE


def test_an_expired_card_says_so_and_a_new_card_can_be_ordered_once(signed_in):
    """A card whose renewal never reached the customer: its page says it cannot be used and offers a
    new card of the same kind; once ordered, the page points to it instead."""
    client, customer = signed_in
    card = CardFactory(customer=customer, status=CardStatus.EXPIRED)

    before = client.get(f"/cards/{card.pk}/").content.decode()
    ordered = client.post(f"/cards/{card.pk}/replacement/", follow=True)
    new = customer.cards.get(replaces=card)
    after = client.get(f"/cards/{card.pk}/").content.decode()
    again = client.post(f"/cards/{card.pk}/replacement/", follow=True)

    assert "Ta karta straciła ważność i nie można już nią płacić." in before
    assert f'action="/cards/{card.pk}/replacement/"' in before and "Zamów nową kartę" in before
    assert ordered.redirect_chain[-1][0] == f"/cards/{new.pk}/" and new.status == CardStatus.INACTIVE
    assert f"Tę kartę zastępuje karta {new.masked}." in after
    assert f'action="/cards/{card.pk}/replacement/"' not in after
    assert "już zamówiona" in again.content.decode()
    assert customer.cards.filter(replaces=card).count() == 1


def test_an_expired_card_whose_renewal_is_in_use_points_to_it_and_orders_nothing(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer, status=CardStatus.EXPIRED)
    card.created_at -= timedelta(days=3 * 365)  # issued three years before its renewal
    card.save(update_fields=["created_at"])
    renewal = CardFactory(customer=customer, product=card.product, status=CardStatus.ACTIVE)

    page = client.get(f"/cards/{card.pk}/").content.decode()
    refused = client.post(f"/cards/{card.pk}/replacement/", follow=True)

    assert f"Tę kartę zastępuje karta {renewal.masked}." in page
    assert f'action="/cards/{card.pk}/replacement/"' not in page
    assert "już zamówiona" in refused.content.decode()
    assert customer.cards.count() == 2


def test_cancelling_needs_the_reason_and_the_acknowledgement(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer)

    response = client.post(f"/cards/{card.pk}/cancel/", {"reason": "STOLEN"})

    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_understood"' in body
    assert "Potwierdź, że rozumiesz, że zastrzeżenie jest nieodwracalne." in body
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def cancelled_card(customer):
    """The customer's card, cancelled as lost on 1 May 2026."""
    return CardFactory(
        customer=customer,
        status=CardStatus.CANCELLED,
        cancelled_at=datetime(2026, 5, 1, tzinfo=UTC),
        cancellation_reason="LOST",
    )


def test_a_second_cancellation_through_the_page_gets_a_polish_message(signed_in, sms_outbox):
    client, customer = signed_in
    card = cancelled_card(customer)

    response = client.post(f"/cards/{card.pk}/cancel/", {"reason": "STOLEN", "understood": "on"})

    assert "Ta karta jest już zastrzeżona." in response.content.decode()
    card.refresh_from_db()
    assert card.cancellation_reason == "LOST"


def test_changing_limits_of_a_cancelled_card_says_it_cannot_be_changed_not_that_a_cancellation_repeats(
    signed_in,
):
    client, customer = signed_in
    card = cancelled_card(customer)

    response = client.post(
        f"/cards/{card.pk}/limits/",
        {"daily_cash_limit": "100", "daily_pos_limit": "100", "daily_internet_limit": "100"},
    )

    body = response.content.decode()
    assert "Ta karta jest już zastrzeżona. Nie można jej już używać ani zmieniać" in body
    assert "nie można powtórzyć" not in body
    card.refresh_from_db()
    assert card.daily_cash_limit == Decimal("2000.00")


def test_the_card_history_says_which_setting_and_limit_changed_and_to_what(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    client.post(
        f"/cards/{card.pk}/controls/",
        {"contactless_enabled": "on", "internet_enabled": "on", "atm_enabled": "on"},
    )
    client.post(
        f"/cards/{card.pk}/limits/",
        {"daily_cash_limit": "1 500", "daily_pos_limit": "5000", "daily_internet_limit": "5000"},
    )

    body = client.get(f"/cards/{card.pk}/").content.decode()

    assert "Zmieniono ustawienia karty: Płatności i wypłaty za granicą wyłączone" in body
    assert "Zmieniono limity dzienne: Wypłaty z bankomatów 2\xa0000,00\xa0zł → 1\xa0500,00\xa0zł" in body


@pytest.mark.parametrize("page", ["controls", "limits", "block", "cancel", "pin", "unblock", "activate"])
def test_a_cancelled_cards_action_pages_offer_no_form_and_say_the_card_cannot_change(signed_in, page):
    client, customer = signed_in
    card = cancelled_card(customer)

    body = client.get(f"/cards/{card.pk}/{page}/").content.decode()

    assert "<h1>Tej karty nie można już zmieniać</h1>" in body
    assert "Ta karta jest już zastrzeżona. Nie można jej już używać ani zmieniać" in body
    assert '<form method="post"' not in body.split("</header>", 1)[1]


def test_a_business_cards_limits_page_explains_who_sets_them_instead_of_a_form(client):
    customer = registered_customer(kind="BUSINESS", company_name="Zieliński Transport sp. z o.o.")
    sign_in(client, customer)
    card = CardFactory(customer=customer)

    body = client.get(f"/cards/{card.pk}/limits/").content.decode()

    assert "Limity dzienne karty firmowej ustawia bank na wniosek Twojej firmy." in body
    assert 'name="daily_cash_limit"' not in body


def test_the_lost_card_steps_address_every_customer_not_only_men(signed_in):
    client, _ = signed_in

    body = client.get("/cards/").content.decode()

    assert "Złóż reklamację transakcji, których nie wykonałeś(-aś):" in body


def test_a_limit_over_the_maximum_gets_a_polish_message_linked_from_the_summary(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(
        customer=customer, product=CardProductFactory(max_daily_internet_limit=Decimal("20000.00"))
    )

    response = client.post(
        f"/cards/{card.pk}/limits/",
        {"daily_cash_limit": "2000", "daily_pos_limit": "5000", "daily_internet_limit": "20 000,01"},
    )

    body = response.content.decode()
    assert 'href="#id_daily_internet_limit"' in body
    assert "Limit nie może przekraczać maksimum tej karty, czyli 20\xa0000,00\xa0zł." in body
    card.refresh_from_db()
    assert card.daily_internet_limit == Decimal("5000.00")


def test_a_limit_over_the_maximum_is_refused_alongside_another_fields_error(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(
        customer=customer,
        product=CardProductFactory(
            max_daily_internet_limit=Decimal("30000.00"), max_daily_pos_limit=Decimal("20000.00")
        ),
    )

    response = client.post(
        f"/cards/{card.pk}/limits/",
        {"daily_cash_limit": "dużo", "daily_pos_limit": "20 000,01", "daily_internet_limit": "99999999"},
    )

    body = response.content.decode()
    assert 'href="#id_daily_cash_limit"' in body
    assert 'href="#id_daily_pos_limit"' in body
    assert 'href="#id_daily_internet_limit"' in body
    assert "Limit nie może przekraczać maksimum tej karty, czyli 20\xa0000,00\xa0zł." in body
    assert "Limit nie może przekraczać maksimum tej karty, czyli 30\xa0000,00\xa0zł." in body
    card.refresh_from_db()
    assert (card.daily_cash_limit, card.daily_pos_limit, card.daily_internet_limit) == (
        Decimal("2000.00"),
        Decimal("5000.00"),
        Decimal("5000.00"),
    )
    assert messages_to(sms_outbox, customer.mobile_phone) == []


def test_raising_a_limit_through_the_pages(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer)

    response = client.post(
        f"/cards/{card.pk}/limits/",
        {"daily_cash_limit": "3 000,00", "daily_pos_limit": "5000", "daily_internet_limit": "5000"},
    )
    assert "3\xa0000,00\xa0zł" in client.get(response["Location"]).content.decode()
    client.post(response["Location"], {"code": last_code(sms_outbox, customer.mobile_phone)})

    card.refresh_from_db()
    assert card.daily_cash_limit == Decimal("3000.00")


def test_the_pin_page_sends_a_code_then_takes_the_pin_twice(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer)

    client.post(f"/cards/{card.pk}/pin/", {"action": "send_code"})
    refused = client.post(
        f"/cards/{card.pk}/pin/",
        {"pin": "1234", "pin_repeated": "1234", "code": last_code(sms_outbox, customer.mobile_phone)},
    )
    assert "Ten PIN jest zbyt łatwy do odgadnięcia" in refused.content.decode()
    done = client.post(
        f"/cards/{card.pk}/pin/",
        {"pin": "5829", "pin_repeated": "5829", "code": last_code(sms_outbox, customer.mobile_phone)},
    )

    assert done["Location"] == f"/cards/{card.pk}/"
    assert card.events.get().kind == "PIN_CHANGED"


def test_the_pin_page_asks_for_a_code_first_then_for_the_pin_and_the_code(signed_in, sms_outbox):
    client, customer = signed_in
    card = CardFactory(customer=customer)

    before = client.get(f"/cards/{card.pk}/pin/").content.decode()
    client.post(f"/cards/{card.pk}/pin/", {"action": "send_code"})
    after = client.get(f"/cards/{card.pk}/pin/").content.decode()

    assert "Aby zmienić PIN, najpierw wyślemy kod" in before
    assert 'name="action" value="send_code"' in before
    assert 'name="pin"' not in before and "Wyślij nowy kod" not in before
    assert 'name="pin"' in after and 'name="pin_repeated"' in after and 'name="code"' in after
    assert "Wyślij nowy kod" in after
    assert "Aby zmienić PIN, najpierw wyślemy kod" not in after


def test_a_processor_timeout_shows_a_clear_message_on_the_page(signed_in, settings):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    settings.KARTOSFERA_CARD_PROCESSOR_SIMULATOR_FAILURES = {card.processor_token: "TIMEOUT"}

    response = client.post(f"/cards/{card.pk}/block/", {"reason": ""})

    assert "System kartowy nie odpowiedział na czas. Nic nie zostało zmienione" in response.content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_blocking_twice_is_told_as_done_not_as_a_problem(signed_in):
    """A double click on "Block": the second request finds the card blocked, which is what was asked."""
    client, customer = signed_in
    card = CardFactory(customer=customer)

    client.post(f"/cards/{card.pk}/block/", {"reason": ""})
    again = client.post(f"/cards/{card.pk}/block/", {"reason": ""}, follow=True)

    body = again.content.decode()
    assert again.redirect_chain[-1][0] == f"/cards/{card.pk}/"
    assert "Ta karta jest już zablokowana." in body and 'class="error-summary"' not in body
    card.refresh_from_db()
    assert card.status == CardStatus.BLOCKED
    assert card.events.filter(kind="BLOCKED").count() == 1


@pytest.mark.parametrize(
    ("status", "page", "told"),
    [
        (CardStatus.BLOCKED, "block", "Ta karta jest już zablokowana."),
        (CardStatus.ACTIVE, "unblock", "Ta karta nie jest zablokowana."),
        (CardStatus.ACTIVE, "activate", "Ta karta jest już aktywna."),
        (
            CardStatus.BLOCKED,
            "activate",
            "Ta karta jest już aktywowana. Jest czasowo zablokowana: tutaj możesz ją odblokować.",
        ),
    ],
)
def test_a_page_for_what_the_card_already_is_goes_back_to_the_card_saying_so(signed_in, status, page, told):
    """The back button after blocking, unblocking or activating: no form whose button would be refused."""
    client, customer = signed_in
    card = CardFactory(customer=customer, status=status)

    shown = client.get(f"/cards/{card.pk}/{page}/", follow=True)

    body = shown.content.decode()
    assert shown.redirect_chain == [(f"/cards/{card.pk}/", 302)]
    assert told in body and 'class="error-summary"' not in body


def test_every_card_page_shows_the_emergency_line_and_the_lost_card_steps(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer)

    for url in (
        "/cards/",
        f"/cards/{card.pk}/",
        f"/cards/{card.pk}/block/",
        f"/cards/{card.pk}/cancel/",
        f"/cards/{card.pk}/limits/",
        f"/cards/{card.pk}/controls/",
        f"/cards/{card.pk}/transactions/",
        f"/cards/{card.pk}/pin/",
    ):
        body = client.get(url).content.decode()
        assert "828 828 828" in body and "+48 828 828 828" in body, url
        assert "Od razu zablokuj kartę" in body, url


def test_transactions_are_filtered_by_type_searched_and_paged(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    for n in range(30):
        TransactionFactory(card=card, merchant_name=f"Biedronka {n}", executed_at=start + timedelta(hours=n))
    TransactionFactory(card=card, channel="ATM", merchant_name="Euronet ATM", executed_at=start)
    TransactionFactory(
        card=card, channel="CHIP_POS", merchant_name="REWE", merchant_country="DE", executed_at=start
    )
    TransactionFactory(card=card, channel="INTERNET", merchant_name="Allegro", executed_at=start)

    first_page = client.get(f"/cards/{card.pk}/transactions/").content.decode()
    second_page = client.get(f"/cards/{card.pk}/transactions/?page=2").content.decode()
    atm = client.get(f"/cards/{card.pk}/transactions/?type=ATM").content.decode()
    foreign = client.get(f"/cards/{card.pk}/transactions/?type=FOREIGN").content.decode()
    searched = client.get(f"/cards/{card.pk}/transactions/?q=allegro").content.decode()

    assert (
        first_page.count("<tr>") == 1 + 25 and "Biedronka 29" in first_page and "Strona 1 z 2" in first_page
    )
    assert second_page.count("<tr>") == 1 + 8
    assert "Euronet ATM" in atm and "Biedronka" not in atm
    assert "REWE" in foreign and "(DE)" in foreign and "Biedronka" not in foreign
    assert "Allegro" in searched and "Biedronka" not in searched


@pytest.mark.parametrize(
    ("language", "expected"), [("pl", "6 grudnia 2026, 17:42"), ("en", "6 December 2026, 17:42")]
)
def test_the_transaction_list_writes_dates_in_the_pages_language(signed_in, language, expected):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    TransactionFactory(card=card, executed_at=datetime(2026, 12, 6, 16, 42, tzinfo=UTC))  # 17:42 in Warsaw
    client.cookies["django_language"] = language

    page = client.get(f"/cards/{card.pk}/transactions/").content.decode().replace("\xa0", " ")

    assert f">{expected}</time>" in page
    assert "06.12.2026" not in page


def test_devices_are_suspended_and_removed_through_the_pages(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    token = WalletTokenFactory(card=card, device_name="Pixel 8")

    assert "Zawieś: Pixel 8" in client.get(f"/cards/{card.pk}/").content.decode()
    client.post(f"/cards/{card.pk}/devices/{token.pk}/suspend/")
    token.refresh_from_db()
    assert token.status == "SUSPENDED"
    asked = client.post(f"/cards/{card.pk}/devices/{token.pk}/remove/").content.decode()
    token.refresh_from_db()
    assert token.status == "SUSPENDED"  # removing cannot be undone: the page asks first
    assert "<h1>Usunąć Pixel 8?</h1>" in asked
    assert '<input type="hidden" name="confirmed" value="1">' in asked
    client.post(f"/cards/{card.pk}/devices/{token.pk}/remove/", {"confirmed": "1"})
    token.refresh_from_db()
    assert token.status == "REMOVED"


def test_turning_mobile_payments_off_is_confirmed_on_a_second_page(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer, mobile_payments_enabled=True)
    token = WalletTokenFactory(card=card, device_name="Pixel 8")

    asked = client.post(f"/cards/{card.pk}/mobile-payments/", {"enabled": "0"}).content.decode()
    card.refresh_from_db()
    assert (card.mobile_payments_enabled, asked.count("Wyłączyć płatności mobilne?")) == (True, 2)
    client.post(f"/cards/{card.pk}/mobile-payments/", {"enabled": "0", "confirmed": "1"})

    card.refresh_from_db()
    token.refresh_from_db()
    assert (card.mobile_payments_enabled, token.status) == (False, "SUSPENDED")


def test_the_pages_are_in_english_when_chosen(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    client.cookies["django_language"] = "en"

    body = client.get(f"/cards/{card.pk}/").content.decode()

    assert '<html lang="en">' in body
    assert "Cancel the card for good" in body


def test_a_device_message_is_in_the_customers_language_whichever_language_the_pages_loaded_in(signed_in):
    client, customer = signed_in
    card = CardFactory(customer=customer)
    token = WalletTokenFactory(card=card, device_name="Pixel 8")

    in_polish = client.post(f"/cards/{card.pk}/devices/{token.pk}/suspend/", follow=True).content.decode()
    client.cookies["django_language"] = "en"
    in_english = client.post(f"/cards/{card.pk}/devices/{token.pk}/resume/", follow=True).content.decode()

    assert "Płatności z urządzenia Pixel 8 są zawieszone." in in_polish
    assert "Payments from Pixel 8 work again." in in_english


def test_turning_on_3_d_secure_speaks_of_it_in_one_gender_on_the_page_and_in_the_history(signed_in):
    # "Zabezpieczenie 3-D Secure" is neuter: "włączone" agrees with it as with the plural switches.
    client, customer = signed_in
    card = CardFactory(customer=customer, three_ds_enabled=False)

    before = client.get(f"/cards/{card.pk}/").content.decode()
    done = client.post(f"/cards/{card.pk}/3ds/", follow=True).content.decode()

    assert "<dt>Zabezpieczenie 3-D Secure</dt><dd>wyłączone</dd>" in before
    assert "Włącz zabezpieczenie 3-D Secure" in before
    assert "Zabezpieczenie 3-D Secure jest włączone: płatności internetowe potwierdzasz" in done
    assert "<dt>Zabezpieczenie 3-D Secure</dt><dd>włączone</dd>" in done
    assert "Zmieniono ustawienia karty: Zabezpieczenie 3-D Secure włączone" in done
