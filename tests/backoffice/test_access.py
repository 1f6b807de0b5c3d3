"""Every back-office URL refuses anonymous visitors and customers; staff need the second factor."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from customers.middleware import SIGNED_IN_AT
from disputes.backoffice.services import staff_totp_device_ensure
from tests.backoffice.conftest import NOW, sign_in

# Every staff URL (name, kwargs, method).
URLS = [
    ("backoffice:home", {}, "get"),
    ("backoffice:queue", {"name": "mine"}, "get"),
    ("backoffice:queue", {"name": "breached"}, "get"),
    ("backoffice:approvals", {}, "get"),
    ("backoffice:case", {"case_id": "CASE"}, "get"),
    ("backoffice:claim_new", {}, "get"),
    ("backoffice:claim_new", {}, "post"),
    ("backoffice:search", {}, "get"),
    ("backoffice:customer", {"customer_id": 1}, "get"),
    ("backoffice:bulk_assign", {}, "post"),
    ("backoffice:take_next", {}, "post"),
    ("backoffice:approve", {"proposal_id": 1}, "post"),
    ("backoffice:return_proposal", {"proposal_id": 1}, "post"),
    ("backoffice:evidence", {"evidence_id": 1}, "get"),
    ("backoffice:letter_preview", {"case_id": "CASE", "letter_request_id": 1}, "get"),
    ("backoffice:print", {}, "get"),
    ("backoffice:print_batch_new", {}, "post"),
    ("backoffice:print_batch", {"batch_id": 1}, "get"),
    ("backoffice:print_batch_file", {"batch_id": 1}, "get"),
    ("backoffice:print_batch_printed", {"batch_id": 1}, "post"),
    ("backoffice:print_batch_printed_undo", {"batch_id": 1}, "post"),
    ("backoffice:print_batch_posted", {"batch_id": 1}, "post"),
    *[
        ("backoffice:case_action", {"case_id": "CASE", "action": action}, "post")
        for action in (
            "assign", "take", "start_review", "refund", "withhold_refund", "request_information",
            "customer_responded", "extend_reply", "assess", "propose", "deem_accepted",
            "withdraw", "close", "note", "evidence",
        )
    ],
]  # fmt: skip


def url_of(name, kwargs, case):
    return reverse(name, kwargs={k: (case.pk if v == "CASE" else v) for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs", "method"), URLS)
def test_anonymous_is_sent_to_the_staff_sign_in(client, case, name, kwargs, method):
    response = getattr(client, method)(url_of(name, kwargs, case))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:sign_in") + "?next=")


@pytest.mark.parametrize(("name", "kwargs", "method"), URLS)
def test_a_signed_in_customer_is_refused(client, case, theft, name, kwargs, method):
    client.force_login(theft.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = NOW.isoformat()
    session.save()

    response = getattr(client, method)(url_of(name, kwargs, case))

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "method"), URLS)
def test_staff_without_the_second_factor_are_sent_to_sign_in(client, case, analyst, name, kwargs, method):
    client.force_login(analyst, backend="django.contrib.auth.backends.ModelBackend")

    response = getattr(client, method)(url_of(name, kwargs, case))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:sign_in"))


def test_staff_pages_answer_with_both_factors(client, case, analyst):
    sign_in(client, analyst)

    assert client.get(reverse("backoffice:queue", kwargs={"name": "all"})).status_code == 200
    assert client.get(reverse("backoffice:case", kwargs={"case_id": case.pk})).status_code == 200
    assert client.get(reverse("backoffice:queue", kwargs={"name": "nope"})).status_code == 404


def _code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_sign_in_with_password_then_totp(client, analyst, time_machine):
    analyst.set_password("Correct-Horse-42")
    analyst.save()
    device = staff_totp_device_ensure(user=analyst)

    mine = reverse("backoffice:queue", kwargs={"name": "mine"})
    code_url = reverse("backoffice:sign_in_code")

    first = client.post(
        reverse("backoffice:sign_in"), {"username": "analyst", "password": "Correct-Horse-42"}
    )
    not_yet = client.get(mine)
    wrong = client.post(code_url, {"code": f"{(int(_code(device)) + 1) % 10**6:06d}"})
    time_machine.shift(60)  # django-otp throttles after a wrong code; a new time step, a new code
    right = client.post(code_url, {"code": _code(device)})

    assert first.status_code == 302 and first["Location"] == code_url
    assert not_yet.status_code == 302
    assert wrong.status_code == 200 and list(wrong.context["form"].errors) == ["code"]
    assert right.status_code == 302 and right["Location"] == mine
    assert client.get(reverse("backoffice:queue", kwargs={"name": "mine"})).status_code == 200


def test_a_customer_cannot_start_the_staff_sign_in(client, theft):
    theft.user.set_password("Correct-Horse-42")
    theft.user.save()

    response = client.post(
        reverse("backoffice:sign_in"), {"username": theft.user.username, "password": "Correct-Horse-42"}
    )

    assert response.status_code == 200
    assert "backoffice_pending_user" not in client.session
