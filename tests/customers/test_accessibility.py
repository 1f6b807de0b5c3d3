"""Phone numbers as links, targets and focus, passwords explained in the customer's words."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from customers.models import User

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text(encoding="utf-8")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def variable(name: str) -> str:
    return re.search(rf"--{name}: (#[0-9a-f]{{6}})", CSS).group(1)


def test_the_focus_ring_reaches_3_to_1_on_white_and_on_the_header():
    assert re.search(
        r":focus-visible \{ outline: 3px solid var\(--focus-ink\);[^}]*box-shadow: 0 0 0 6px var\(--focus\)",
        CSS,
    )
    assert round(contrast(variable("focus-ink"), "#ffffff"), 2) == 17.17
    assert round(contrast(variable("focus"), variable("brand")), 2) == 5.12
    assert round(contrast(variable("focus"), "#ffffff"), 2) == 1.64  # why yellow alone was not enough


def test_every_checkbox_and_radio_is_at_least_24_px():
    assert "input[type=checkbox], input[type=radio] { width: 1.5rem; height: 1.5rem;" in CSS


def test_the_828_line_is_a_tel_link():
    rendered = Template("{% load kartosfera_format %}{{ line|tel_link }} {{ abroad|tel_link }}").render(
        Context({"line": "828 828 828", "abroad": "+48 828 828 828"})
    )
    assert rendered == (
        '<a href="tel:+48828828828" class="tel">828 828 828</a> '
        '<a href="tel:+48828828828" class="tel">+48 828 828 828</a>'
    )


@pytest.mark.django_db
def test_the_card_pages_link_the_828_line(client):
    from tests.cards.factories import CardFactory
    from tests.customers.portal import registered_customer, sign_in

    customer = registered_customer()
    card = CardFactory(customer=customer)
    sign_in(client, customer)

    page = client.get(f"/cards/{card.pk}/transactions/").content.decode()
    assert '<a href="tel:+48828828828" class="tel">828 828 828</a>' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "pl",
            "Hasło jest zbyt podobne do Twojego numeru PESEL lub numeru identyfikacyjnego nadanego przez "
            "bank.",
        ),
        ("en", "The password is too similar to your PESEL or bank identification number."),
    ],
)
def test_a_password_like_the_pesel_is_refused_naming_the_pesel(language, expected):
    user = User(username="80010112345", first_name="Ewa", last_name="Nowak")

    with translation.override(language), pytest.raises(ValidationError) as refused:
        validate_password("80010112345a", user=user)

    with translation.override(language):
        assert expected in refused.value.messages
