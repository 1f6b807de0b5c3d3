"""The second factor everywhere staff go: the admin signs in through the back office's two steps, a
password-only staff session opens no staff view or file, a TOTP secret is shown once (at enrolment),
and staff sessions end after the fixed lifetime as customers' do."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.middleware import SIGNED_IN_AT
from disputes.backoffice.services import staff_totp_device_ensure
from tests.backoffice.conftest import NOW, add_to, sign_in

SIGN_IN = reverse("backoffice:sign_in")


def _code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def password_only(client, user):
    """A staff session that passed the password and not the second factor."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = NOW.isoformat()
    session.save()
    return client


@pytest.fixture
def administrator(db):
    from tests.disputes.conftest import staff

    user = staff("admin", "administrators")
    user.is_superuser = True
    user.set_password("Correct-Horse-42")
    user.save()
    return user


# Staff-only pages and files outside the back office itself (the back office's own URLs:
# tests/backoffice/test_access.py).
STAFF_URLS = [
    "/admin/",
    "/admin/customers/customer/",
    "/admin/otp_totp/totpdevice/",
    "/reports/",
    "/reports/exports/",
    "/reports/exports/1/download/",
    "/letters/1/pdf",
    "/back-office/evidence/1/",
]


@pytest.mark.parametrize("url", STAFF_URLS)
def test_a_password_only_staff_session_is_sent_to_the_second_factor(client, administrator, url):
    response = password_only(client, administrator).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={url}"


def test_the_admin_sign_in_page_is_the_back_offices_two_steps(client):
    response = client.get("/admin/login/?next=/admin/customers/customer/")

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next=/admin/customers/customer/"


def test_the_admin_opens_after_the_password_and_the_totp_code(client, administrator, time_machine):
    device = staff_totp_device_ensure(user=administrator)

    anonymous = client.get("/admin/")
    first = client.post(
        f"{SIGN_IN}?next=/admin/customers/customer/", {"username": "admin", "password": "Correct-Horse-42"}
    )
    not_yet = client.get("/admin/")
    second = client.post(reverse("backoffice:sign_in_code"), {"code": _code(device)})
    admin = client.get("/admin/customers/customer/")

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    assert first.status_code == 302 and first["Location"] == reverse("backoffice:sign_in_code")
    assert not_yet.status_code == 302 and not_yet["Location"] == "/admin/login/?next=/admin/"
    assert second.status_code == 302 and second["Location"] == "/admin/customers/customer/"
    assert admin.status_code == 200


def test_a_totp_secret_is_shown_at_enrolment_and_never_again(client, administrator, analyst):
    sign_in(client, administrator)

    add_page = client.get("/admin/otp_totp/totpdevice/add/")
    key = re.search(r'name="key"[^>]*value="([0-9a-f]{40})"', add_page.content.decode()).group(1)
    created = client.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": analyst.pk,
            "name": "phone",
            "confirmed": "on",
            "key": key,
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    device = TOTPDevice.objects.get(user=analyst, name="phone")
    change_page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    list_page = client.get("/admin/otp_totp/totpdevice/")
    config_page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    qrcode = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")

    assert add_page.status_code == 200 and key in add_page.content.decode()
    assert created.status_code == 302 and device.key == key
    assert change_page.status_code == 200 and key not in change_page.content.decode()
    assert 'name="key"' not in change_page.content.decode()
    assert list_page.status_code == 200 and key not in list_page.content.decode()
    assert (config_page.status_code, qrcode.status_code) == (403, 403)


def test_a_staff_session_ends_after_the_fixed_lifetime_however_active(
    client, analyst, settings, time_machine
):
    settings.KARTOSFERA_SESSION_MAX_AGE_SECONDS = 3600
    sign_in(client, analyst)
    queue = reverse("backoffice:queue", kwargs={"name": "mine"})

    # Active all along: a request every ten minutes keeps the idle limit (15 minutes) away.
    within = []
    for _ in range(6):
        within.append(client.get(queue).status_code)
        time_machine.shift(timedelta(minutes=10))
    time_machine.shift(timedelta(minutes=1))
    after = client.get(queue)

    assert within == [200] * 6
    assert after.status_code == 302 and after["Location"] == f"{SIGN_IN}?next={queue}"
    assert "_auth_user_id" not in client.session


def test_a_staff_member_without_back_office_access_cannot_reach_the_admin_with_a_password(db):
    from tests.disputes.conftest import staff

    clerk = staff("clerk", None)
    clerk.set_password("Correct-Horse-42")
    clerk.save()
    client = Client()

    response = client.post(SIGN_IN, {"username": "clerk", "password": "Correct-Horse-42"})

    assert response.status_code == 200
    assert "backoffice_pending_user" not in client.session
    assert client.get("/admin/").status_code == 302


def test_an_auditor_with_the_second_factor_reads_reports(client, auditor):
    add_to(auditor, "auditors")
    assert sign_in(client, auditor).get("/reports/").status_code == 200


def test_a_right_code_straight_after_a_wrong_one_is_refused_with_the_wait(client, analyst):
    device = staff_totp_device_ensure(user=analyst)
    analyst.set_password("Correct-Horse-42")
    analyst.save()
    client.post(SIGN_IN, {"username": "analyst", "password": "Correct-Horse-42"})
    code_url = reverse("backoffice:sign_in_code")
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"

    first = client.post(code_url, {"code": wrong})
    second = client.post(code_url, {"code": _code(device)})

    assert first.context["form"].errors == {
        "code": ["Kod jest nieprawidłowy. Kody zmieniają się co 30 sekund."]
    }
    assert second.context["form"].errors == {
        "code": [
            "Zbyt wiele błędnych kodów: przez jeszcze 1 sekundę żaden kod nie będzie sprawdzany. "
            "Poczekaj, a potem wpisz kod, który wtedy pokaże aplikacja."
        ]
    }
    assert "_auth_user_id" not in client.session
