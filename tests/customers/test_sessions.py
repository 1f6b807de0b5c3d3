"""The session store (``customers.sessions``) and the second factor's device (``kartosfera.middleware``),
each read with SQL built once: the same rows as Django's and django-otp's own reads."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from customers.sessions import SessionStore
from disputes.backoffice.services import staff_totp_device_ensure
from tests.backoffice.conftest import sign_in
from tests.disputes.conftest import staff

pytestmark = pytest.mark.django_db
QUEUE = "/back-office/queue/mine/"


def test_a_live_session_is_read_and_an_expired_one_is_not():
    store = SessionStore()
    store["kept"] = "yes"
    store.save()
    key = store.session_key

    assert SessionStore(key).load() == {"kept": "yes"}

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-key").load() == {}


def test_the_second_factor_is_the_sessions_own_device(client):
    analyst = staff("analyst", "analysts")
    sign_in(client, analyst)

    assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize("persistent_id", ["otp_totp.totpdevice/999999", "otp_totp.totpdevice/x", "nothing"])
def test_a_session_without_its_device_is_sent_to_the_second_factor(client, persistent_id):
    analyst = staff("analyst", "analysts")
    sign_in(client, analyst)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()

    response = client.get(QUEUE)

    assert response.status_code == 302 and response["Location"].startswith("/back-office/sign-in/")


def test_another_users_device_does_not_verify_a_session(client):
    analyst, other = staff("analyst", "analysts"), staff("other", "analysts")
    sign_in(client, analyst)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_totp_device_ensure(user=other).persistent_id
    session.save()

    response = client.get(QUEUE)

    assert response.status_code == 302 and response["Location"].startswith("/back-office/sign-in/")
