"""The portal's pages of details fit a 390 px phone: a long value (an e-mail address with no place to
break) wraps inside its definition list rather than widening the page or being cut off. Skips where
/usr/bin/chromium is absent.
"""

from datetime import datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client

from customers.middleware import SIGNED_IN_AT
from kartosfera import clock
from kartosfera.legaltime import WARSAW
from liability.services import rates_load_fixture
from tests.browser.test_backoffice_width import OVERFLOW
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS
from tests.disputes.conftest import make_theft, submitted_case
from tests.liability.nbp_server import FIXTURE

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]

PHONE_390 = {"width": 390, "height": 844}
LONG_EMAIL = "anna.kowalska.z.bardzo.dlugim.adresem.poczty@przyklad-bardzo-dlugiej-domeny.example.com"

# Each definition-list value whose text is wider than its box (cut off or spilling out).
CUT_VALUES = """() => [...document.querySelectorAll('dl dd, dl dt')]
  .filter(e => e.scrollWidth > e.clientWidth + 0.5
               || e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map(e => e.textContent.trim().slice(0, 60))"""


def _session_cookie(user) -> str:
    """A signed-in portal session for ``user``, as the sign-in view leaves it."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = clock.now().isoformat()
    session.save()
    return session.session_key


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_portal_detail_pages_fit_a_390_px_phone_with_a_long_e_mail(live_server, monkeypatch, language):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    rates_load_fixture(path=FIXTURE, now=clock.now())
    theft = make_theft()
    theft.customer.email = LONG_EMAIL
    theft.customer.preferred_language = language
    theft.customer.save()
    case = submitted_case(theft, theft.user, received_at=datetime(2025, 5, 26, 10, 0, tzinfo=WARSAW))
    pages = [
        "/profile/",
        f"/cards/{theft.card.pk}/",
        f"/cards/{theft.card.pk}/transactions/",
        f"/claims/{case.pk}/",
    ]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE_390, locale="pl-PL")
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": _session_cookie(theft.user),
                    "url": live_server.url,
                },
                {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems = {}
        for path in pages:
            page.goto(live_server.url + path)
            assert page.url == live_server.url + path, page.url  # signed in, not sent to the sign-in page
            layout = page.evaluate(OVERFLOW)
            cut = page.evaluate(CUT_VALUES)
            if layout["scrollWidth"] > layout["innerWidth"] or cut:
                problems[path] = {**layout, "cut": cut}
        page.goto(live_server.url + "/profile/")
        shown_email = page.locator("dd", has_text="anna.kowalska").inner_text()
        browser.close()

    assert problems == {}
    assert shown_email == LONG_EMAIL
