"""The staff sign-in says a refused password once, where a screen reader announces it."""

import re

import pytest
from django.urls import reverse

SIGN_IN = reverse("backoffice:sign_in")


@pytest.mark.django_db
def test_a_wrong_password_is_said_once_as_an_alert(client):
    client.cookies["django_language"] = "en"

    response = client.post(SIGN_IN, {"username": "nobody", "password": "not-the-password"})

    page = response.content.decode()
    said = "Wrong user name or password, or no access to the back office."
    assert page.count(said) == 1
    assert re.search(rf'role="alert"[^>]*>\s*<li>{re.escape(said)}</li>', page)
