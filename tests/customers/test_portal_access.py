"""Registration, sign-in, lockout, session expiry and signing other sessions out, through the pages."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher
from django.test import Client

from customers.models import CustomerEvent, OtpChallenge, User
from customers.rules import Sex, generate_pesel
from tests.customers.factories import CustomerFactory
from tests.customers.portal import (
    PASSWORD,
    last_code,
    messages_to,
    registered_customer,
    run_queued_texts,
    sign_in,
    wrong_code,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Czerwona-Porzeczka-77"
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def start_registration(client, customer, birth_date=None):
    return client.post(
        "/register/",
        {
            "identifier": customer.pesel or customer.bank_id,
            "birth_date": (birth_date or customer.birth_date).isoformat(),
        },
    )


def body(response) -> str:
    return response.content.decode()


def test_registration_with_a_pesel_the_texted_code_and_a_password_signs_the_customer_in(client, sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000111")

    response = start_registration(client, customer)
    assert response.status_code == 302 and response["Location"] == "/register/code/"
    code_page = client.get("/register/code/")
    assert "Jeśli jesteś naszym klientem, wysłaliśmy 6-cyfrowy kod" in body(code_page)
    assert "111" not in body(code_page)  # not even part of the number: the page is the same for anyone
    response = client.post("/register/code/", {"code": last_code(sms_outbox, "+48601000111")})
    assert response["Location"] == "/register/password/"
    response = client.post("/register/password/", {"password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/cards/"
    customer.refresh_from_db()
    assert customer.user.username == customer.pesel
    assert identify_hasher(customer.user.password).algorithm == "argon2"
    assert customer.user.check_password(PASSWORD)
    assert client.get("/cards/").status_code == 200
    assert list(CustomerEvent.objects.filter(customer=customer).values_list("kind", flat=True)) == [
        "REGISTERED"
    ]


def test_a_non_resident_registers_with_the_bank_id(client, sms_outbox):
    customer = CustomerFactory(
        pesel=None, bank_id="40012345", birth_date=date(1990, 4, 8), mobile_phone="+48572901234"
    )

    start_registration(client, customer)
    client.post("/register/code/", {"code": last_code(sms_outbox, "+48572901234")})
    client.post("/register/password/", {"password1": PASSWORD, "password2": PASSWORD})

    customer.refresh_from_db()
    assert customer.user.username == "40012345"


def test_a_pesel_with_a_wrong_check_digit_gets_a_polish_message_and_nothing_is_sent(client, sms_outbox):
    customer = CustomerFactory()
    wrong = customer.pesel[:10] + str((int(customer.pesel[10]) + 1) % 10)

    response = client.post("/register/", {"identifier": wrong, "birth_date": customer.birth_date.isoformat()})

    assert response.status_code == 200
    assert (
        "Cyfra kontrolna tego numeru PESEL jest błędna" in body(response)
        or "cyfra kontrolna" in body(response).lower()
    )
    assert 'class="error-summary"' in body(response)
    assert OtpChallenge.objects.count() == 0
    assert messages_to(sms_outbox, customer.mobile_phone) == []


def test_a_date_of_birth_that_is_not_the_one_in_the_pesel_is_refused(client, sms_outbox):
    customer = CustomerFactory()

    response = start_registration(client, customer, birth_date=customer.birth_date + timedelta(days=1))

    assert "Data urodzenia różni się od zapisanej w Twoim numerze PESEL." in body(response)
    assert not OtpChallenge.objects.filter(customer=customer).exists()


def test_an_unknown_pesel_gets_the_same_answer_as_a_wrong_date_of_birth_for_a_bank_id(client, sms_outbox):
    unknown = generate_pesel(birth_date=date(1970, 1, 1), serial=42, sex=Sex.MALE)
    known = CustomerFactory(pesel=None, bank_id="40012346", birth_date=date(1990, 4, 8))

    first = client.post("/register/", {"identifier": unknown, "birth_date": "1970-01-01"})
    second = Client().post("/register/", {"identifier": known.bank_id, "birth_date": "1990-04-09"})

    assert (first.status_code, first["Location"]) == (302, "/register/code/")
    assert (second.status_code, second["Location"]) == (302, "/register/code/")
    assert OtpChallenge.objects.count() == 0
    assert messages_to(sms_outbox, known.mobile_phone) == []


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_registration_answers_the_same_whether_or_not_the_pesel_is_a_customers(sms_outbox):
    """Page for page, a stranger's PESEL and a customer's get the same answers: the code page, a
    wrong code with the attempts left, a resend refused as too soon, then accepted, five wrong codes."""
    customer = CustomerFactory(mobile_phone="+48601000222")
    stranger = generate_pesel(birth_date=date(1970, 1, 1), serial=42, sex=Sex.MALE)
    pages = {}
    for who, identity in (
        ("customer", {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()}),
        ("stranger", {"identifier": stranger, "birth_date": "1970-01-01"}),
    ):
        browser = Client()
        with time_machine.travel(NOW, tick=False):
            started = browser.post("/register/", identity)
            run_queued_texts()  # what the worker does after the commit
            code_page = browser.get("/register/code/")
            wrong = browser.post("/register/code/", {"code": "000001"})
            too_soon = browser.post("/register/code/resend/", follow=True)
        with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
            resent = browser.post("/register/code/resend/", follow=True)
            run_queued_texts()
            for _ in range(3):
                browser.post("/register/code/", {"code": "000001"})
            voided = browser.post("/register/code/", {"code": "000001"})
            after_voided = browser.get("/register/code/")
        pages[who] = [
            (started.status_code, started["Location"]),
            _without_csrf(body(code_page)),
            _without_csrf(body(wrong)),
            _without_csrf(body(too_soon)),
            _without_csrf(body(resent)),
            _without_csrf(body(voided)),
            (after_voided.status_code, after_voided["Location"]),
        ]

    assert pages["customer"] == pages["stranger"]
    assert "Kod jest błędny. Pozostałe próby: 4." in pages["stranger"][2]
    assert "Nowy kod można wysłać za 60 s." in pages["stranger"][3] or "60" in pages["stranger"][3]
    assert "Wysłaliśmy nowy kod." in pages["stranger"][4]
    assert pages["stranger"][6] == (302, "/register/")
    assert len(messages_to(sms_outbox, "+48601000222")) == 2  # the customer got the code and the resend


def test_a_code_typed_too_late_expires_alike_for_a_customer_and_a_stranger(sms_outbox):
    customer = CustomerFactory(mobile_phone="+48601000888")
    stranger = generate_pesel(birth_date=date(1970, 1, 1), serial=43, sex=Sex.MALE)
    answers = []
    for identity in (
        {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()},
        {"identifier": stranger, "birth_date": "1970-01-01"},
    ):
        browser = Client()
        with time_machine.travel(NOW, tick=False):
            browser.post("/register/", identity)
        with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
            answers.append(_without_csrf(body(browser.post("/register/code/", {"code": "000001"}))))

    assert answers[0] == answers[1]
    assert "Kod wygasł" in answers[1]


def test_a_resend_past_the_phones_hourly_cap_is_answered_as_a_strangers_is(sms_outbox, settings):
    settings.KARTOSFERA_OTP = {**settings.KARTOSFERA_OTP, "MAX_PER_HOUR": 1}
    customer = CustomerFactory(mobile_phone="+48601000999")
    stranger = generate_pesel(birth_date=date(1970, 1, 1), serial=44, sex=Sex.MALE)
    answers = []
    for identity in (
        {"identifier": customer.pesel, "birth_date": customer.birth_date.isoformat()},
        {"identifier": stranger, "birth_date": "1970-01-01"},
    ):
        browser = Client()
        with time_machine.travel(NOW, tick=False):
            browser.post("/register/", identity)
        with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
            answers.append(_without_csrf(body(browser.post("/register/code/resend/", follow=True))))

    assert answers[0] == answers[1]
    assert "Wysłaliśmy nowy kod." in answers[1]
    assert len(messages_to(sms_outbox, "+48601000999")) == 1  # the cap held: no second text


def test_registration_starts_are_limited_per_address_and_nothing_is_sent_past_the_limit(
    client, sms_outbox, settings
):
    settings.KARTOSFERA_ACCESS_START = {"PER_ADDRESS_PER_HOUR": 3, "PER_HOUR": 100}
    customers = [CustomerFactory(mobile_phone=f"+4860100033{n}") for n in range(4)]
    other_address = Client(REMOTE_ADDR="203.0.113.50")

    with time_machine.travel(NOW, tick=False):
        for customer in customers[:3]:
            assert start_registration(client, customer).status_code == 302
        refused = start_registration(client, customers[3])
        elsewhere = start_registration(other_address, customers[3])
        run_queued_texts()  # the worker texts the code before the next start replaces it
    with time_machine.travel(NOW + timedelta(minutes=61), tick=False):
        later = start_registration(client, customers[3])

    assert refused.status_code == 200
    assert "W ostatniej godzinie z Twojego połączenia rozpoczęto zbyt wiele rejestracji" in body(refused)
    assert elsewhere.status_code == 302 and later.status_code == 302
    assert len(messages_to(sms_outbox, customers[3].mobile_phone)) == 2


def test_registration_starts_are_limited_overall(sms_outbox, settings):
    settings.KARTOSFERA_ACCESS_START = {"PER_ADDRESS_PER_HOUR": 10, "PER_HOUR": 2}
    customers = [CustomerFactory(mobile_phone=f"+4860100044{n}") for n in range(3)]

    with time_machine.travel(NOW, tick=False):
        answers = [
            start_registration(Client(REMOTE_ADDR=f"203.0.113.{n}"), customer)
            for n, customer in enumerate(customers)
        ]

    assert [answer.status_code for answer in answers] == [302, 302, 200]
    assert "W tej chwili rejestruje się zbyt wiele osób." in body(answers[2])
    assert messages_to(sms_outbox, customers[2].mobile_phone) == []
    assert not OtpChallenge.objects.filter(customer=customers[2]).exists()


def test_a_wrong_code_gets_a_polish_message_and_creates_no_sign_in(client, sms_outbox):
    customer = CustomerFactory()
    start_registration(client, customer)

    response = client.post(
        "/register/code/", {"code": wrong_code(last_code(sms_outbox, customer.mobile_phone))}
    )

    assert "Kod jest błędny. Pozostałe próby: 4." in body(response)
    assert client.get("/register/password/")["Location"] == "/register/"
    customer.refresh_from_db()
    assert customer.user is None


def test_an_expired_code_gets_a_polish_message_and_creates_no_sign_in(client, sms_outbox):
    customer = CustomerFactory()
    start_registration(client, customer)
    code = last_code(sms_outbox, customer.mobile_phone)

    with time_machine.travel(timedelta(minutes=5, seconds=1)):
        response = client.post("/register/code/", {"code": code})

    assert "Kod wygasł" in body(response)
    customer.refresh_from_db()
    assert customer.user is None
    assert OtpChallenge.objects.get(customer=customer).verified_at is None


def test_a_weak_password_is_refused_and_the_code_still_works_for_a_better_one(client, sms_outbox):
    customer = CustomerFactory()
    start_registration(client, customer)
    client.post("/register/code/", {"code": last_code(sms_outbox, customer.mobile_phone)})

    response = client.post("/register/password/", {"password1": "1234567890", "password2": "1234567890"})

    assert response.status_code == 200
    assert "To hasło jest za często używane." in body(response) or "zbyt" in body(response)
    assert User.objects.filter(username=customer.pesel).count() == 0
    response = client.post("/register/password/", {"password1": PASSWORD, "password2": PASSWORD})
    assert response["Location"] == "/cards/"


def test_registering_again_sets_a_new_password_and_signs_out_other_sessions(client, sms_outbox):
    customer = registered_customer()
    other = Client()
    sign_in(other, customer)
    assert other.get("/cards/").status_code == 200

    start_registration(client, customer)
    client.post("/register/code/", {"code": last_code(sms_outbox, customer.mobile_phone)})
    client.post("/register/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    customer.user.refresh_from_db()
    assert customer.user.check_password(NEW_PASSWORD)
    assert client.get("/cards/").status_code == 200
    assert other.get("/cards/")["Location"].startswith("/sign-in/")


def test_sign_in_with_the_pesel_and_password(client):
    customer = registered_customer()

    response = sign_in(client, customer)

    assert response.status_code == 302 and response["Location"] == "/cards/"
    assert client.get("/cards/").status_code == 200


def test_a_wrong_password_gets_a_polish_message(client):
    customer = registered_customer()

    response = sign_in(client, customer, password="not-the-password")

    assert "PESEL lub numer identyfikacyjny albo hasło są błędne." in body(response)
    assert client.get("/cards/").status_code == 302


def test_five_failures_from_a_stranger_lock_the_stranger_out_and_not_the_owner(client):
    customer = registered_customer()
    stranger = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        sign_in(stranger, customer, password="wrong-password")

    locked = sign_in(stranger, customer)  # even with the right password
    owner = sign_in(client, customer)  # the owner, on their own device

    assert locked.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania" in body(locked)
    assert stranger.get("/cards/").status_code == 302
    assert owner.status_code == 302 and owner["Location"] == "/cards/"
    assert client.get("/cards/").status_code == 200
    # The five failures and the locked-out attempt, all on the stranger's identifier and address.
    assert AccessAttempt.objects.get(username=customer.pesel, ip_address="10.0.0.1").failures_since_start == 6
    assert not AccessAttempt.objects.exclude(ip_address="10.0.0.1").exists()


def test_an_address_that_fails_on_many_identifiers_is_locked_for_every_identifier(client, settings):
    settings.KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT = 8
    customers = [registered_customer() for _ in range(3)]
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for customer in customers[:2]:
        for _ in range(4):  # under the limit for each identifier
            sign_in(guesser, customer, password="wrong-password")

    locked = sign_in(guesser, customers[2])
    owner = sign_in(client, customers[2])

    assert locked.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania" in body(locked)
    assert owner.status_code == 302 and owner["Location"] == "/cards/"


PROXY = "10.0.0.254"  # the reverse proxy every request comes through


def behind_the_proxy(client_address: str) -> Client:
    """A browser at ``client_address``, as the application sees it behind one reverse proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_behind_a_proxy_a_strangers_failures_lock_the_stranger_and_not_the_owner(settings):
    settings.KARTOSFERA_TRUSTED_PROXY_COUNT = 1
    customer = registered_customer()
    stranger = behind_the_proxy("198.51.100.7")
    for _ in range(5):
        sign_in(stranger, customer, password="wrong-password")

    locked = sign_in(stranger, customer)
    owner = sign_in(behind_the_proxy("203.0.113.20"), customer)

    assert locked.status_code == 429
    assert owner.status_code == 302 and owner["Location"] == "/cards/"
    assert AccessAttempt.objects.get(username=customer.pesel).ip_address == "198.51.100.7"


def test_behind_a_proxy_an_address_written_by_the_client_does_not_escape_the_lock(settings):
    settings.KARTOSFERA_TRUSTED_PROXY_COUNT = 1
    customer = registered_customer()
    for n in range(5):
        # The client writes a new address each time; the proxy appends the one it really came from.
        forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
        sign_in(forged, customer, password="wrong-password")

    locked = sign_in(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7"), customer)

    assert locked.status_code == 429
    assert AccessAttempt.objects.get(username=customer.pesel).failures_since_start == 6


def test_the_lock_lifts_after_the_cool_off(client):
    customer = registered_customer()
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="10.0.0.2"), customer, password="wrong-password")

    with time_machine.travel(timedelta(minutes=31)):
        response = sign_in(client, customer)

    assert response["Location"] == "/cards/"


def test_a_session_ends_after_the_absolute_limit_however_active(client, settings):
    settings.SESSION_COOKIE_AGE = 24 * 3600  # no idle expiry in this test: only the absolute limit
    customer = registered_customer()
    sign_in(client, customer)
    with time_machine.travel(timedelta(hours=4)):
        assert client.get("/cards/").status_code == 200

    with time_machine.travel(timedelta(hours=8, seconds=1)):
        response = client.get("/cards/")

    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_changing_the_password_keeps_this_session_and_signs_out_the_others(client):
    customer = registered_customer()
    other = Client()
    sign_in(client, customer)
    sign_in(other, customer)

    response = client.post(
        "/profile/password/", {"old_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response["Location"] == "/profile/"
    assert client.get("/cards/").status_code == 200
    assert other.get("/cards/").status_code == 302
    assert CustomerEvent.objects.filter(customer=customer, kind="PASSWORD_CHANGED").count() == 1


def test_a_wrong_current_password_changes_nothing(client):
    customer = registered_customer()
    sign_in(client, customer)

    response = client.post(
        "/profile/password/",
        {"old_password": "nope-nope-nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert "Obecne hasło jest błędne." in body(response)
    customer.user.refresh_from_db()
    assert customer.user.check_password(PASSWORD)


def test_the_phone_number_changes_with_a_code_to_the_old_and_one_to_the_new_number(client, sms_outbox):
    customer = registered_customer(mobile_phone="+48601000111")
    other = Client()
    sign_in(client, customer)
    sign_in(other, customer)

    client.post("/profile/phone/", {"new_phone": "512 345 678"})
    response = client.post(
        "/profile/phone/confirm/",
        {
            "old_code": last_code(sms_outbox, "+48601000111"),
            "new_code": last_code(sms_outbox, "+48512345678"),
        },
    )

    assert response["Location"] == "/profile/"
    customer.refresh_from_db()
    assert customer.mobile_phone == "+48512345678"
    assert client.get("/cards/").status_code == 200
    assert other.get("/cards/").status_code == 302
    assert CustomerEvent.objects.get(customer=customer, kind="PHONE_CHANGED").data == {
        "from": "+48601000111",
        "to": "+48512345678",
    }


def test_a_wrong_code_for_the_new_number_changes_nothing(client, sms_outbox):
    customer = registered_customer(mobile_phone="+48601000111")
    sign_in(client, customer)
    client.post("/profile/phone/", {"new_phone": "+48512345678"})

    response = client.post(
        "/profile/phone/confirm/",
        {
            "old_code": last_code(sms_outbox, "+48601000111"),
            "new_code": wrong_code(last_code(sms_outbox, "+48512345678")),
        },
    )

    assert "Kod jest błędny. Pozostałe próby: 4." in body(response)
    customer.refresh_from_db()
    assert customer.mobile_phone == "+48601000111"
    assert not CustomerEvent.objects.filter(customer=customer, kind="PHONE_CHANGED").exists()


def test_a_landline_is_refused_as_the_new_number(client, sms_outbox):
    customer = registered_customer()
    sign_in(client, customer)

    response = client.post("/profile/phone/", {"new_phone": "22 123 45 67"})

    assert response.status_code == 200
    assert 'class="error-summary"' in body(response)
    assert OtpChallenge.objects.filter(customer=customer).count() == 0


def test_an_idle_session_expires_after_15_minutes(client):
    customer = registered_customer()
    sign_in(client, customer)
    with time_machine.travel(timedelta(minutes=14)):
        assert client.get("/cards/").status_code == 200

    with time_machine.travel(timedelta(minutes=14 + 16)):
        response = client.get("/cards/")

    assert response.status_code == 302


def _session_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_an_active_session_is_written_once_a_refresh_interval_not_on_every_request(client):
    customer = registered_customer()
    sign_in(client, customer)
    with time_machine.travel(timedelta(minutes=1)):
        client.get("/cards/")
    written = _session_expiry(client)

    with time_machine.travel(timedelta(minutes=1, seconds=30)):
        assert client.get("/cards/").status_code == 200
    unchanged = _session_expiry(client)
    with time_machine.travel(timedelta(minutes=2, seconds=1)):
        assert client.get("/cards/").status_code == 200

    assert unchanged == written
    # The clock runs on between the travels (by milliseconds): the expiry moved by the 61 s between them.
    assert timedelta(seconds=61) <= _session_expiry(client) - written < timedelta(seconds=62)


def test_a_session_used_every_ten_minutes_outlives_the_idle_limit(client):
    customer = registered_customer()
    sign_in(client, customer)

    for minutes in (10, 20, 30, 40):
        with time_machine.travel(timedelta(minutes=minutes)):
            assert client.get("/cards/").status_code == 200


def test_sign_out_ends_the_session(client):
    customer = registered_customer()
    sign_in(client, customer)

    client.post("/sign-out/")

    assert client.get("/cards/").status_code == 302
