"""Search and a claim taken by phone, in a real browser (Playwright driving Debian's chromium), on a
desktop and at 375 px: the analyst finds the customer by name from the header's search box, opens the
customer page, registers the claim from there (card, then the transactions ticked as in the portal);
then, on a phone-sized screen, finds a customer by phone in the claim's lookup, is told next to the
field that the call cannot be in the future, corrects it and registers the claim.
Screenshots go to docs/screenshots/ with KARTOSFERA_UPDATE_SCREENSHOTS=1, else to var/screenshots/.
"""

from datetime import datetime

import pytest

from disputes.backoffice.services import staff_totp_device_ensure
from disputes.models import Case, CaseState, Channel
from kartosfera.legaltime import WARSAW
from tests.browser.test_backoffice_journey import PASSWORD, Desk
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS
from tests.disputes.conftest import make_theft, staff

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]

START = datetime(2025, 5, 26, 10, 30, tzinfo=WARSAW)


def test_find_a_customer_by_name_and_register_a_phone_claim(live_server, settings, time_machine, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    time_machine.move_to(START, tick=True)
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    analyst = staff("analyst", "analysts")
    analyst.set_password(PASSWORD)
    analyst.first_name, analyst.last_name = "Marta", "Zielińska"
    analyst.save()
    device = staff_totp_device_ensure(user=analyst)
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    rates_load_fixture(path=FIXTURE, now=START)
    lucja = make_theft(username="lucja", cancelled=False)
    lucja.customer.first_name, lucja.customer.last_name = "Łucja", "Wójcik-Żak"
    lucja.customer.save()
    jerzy = make_theft(username="jerzy", cancelled=False)
    jerzy.customer.first_name, jerzy.customer.last_name, jerzy.customer.mobile_phone = (
        "Jerzy",
        "Ślusarczyk",
        "+48512345678",
    )
    jerzy.customer.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="pl-PL")
        page.set_default_timeout(15_000)
        desk = Desk(page, live_server.url)
        desk.sign_in(analyst, device)

        # Desktop: the name typed without Polish letters, in any case, in the header's search box.
        page.get_by_label("Szukaj", exact=True).fill("WOJCIK")
        page.get_by_label("Szukaj", exact=True).press("Enter")
        page.wait_for_load_state("load")
        assert page.inner_text("h1") == "Wyszukiwanie: „WOJCIK”"
        desk.shot("07-search-by-name")
        desk.submit("main a:has-text('Łucja Wójcik-Żak')")
        assert page.inner_text("h1") == "Łucja Wójcik-Żak"
        desk.shot("08-customer-page")
        desk.submit("main a:has-text('Zarejestruj reklamację tego klienta')")
        desk.submit("main a:has-text('•••• ')")
        page.get_by_label("Biedronka").check()
        page.get_by_label("Kanał").select_option("PHONE")
        page.get_by_label("Przyczyna").select_option("STOLEN")
        page.get_by_label("Przyjęto (czas rozmowy lub wizyty)").fill("2025-05-26T10:15")
        page.get_by_label("Relacja klienta o okolicznościach").fill("Karta skradziona w tramwaju linii 4.")
        desk.shot("09-phone-claim-form")
        desk.submit("main button:has-text('Zarejestruj i złóż')")
        first = Case.objects.get(customer=lucja.customer)
        assert page.url.endswith(f"/back-office/cases/{first.pk}/")
        assert (first.state, first.channel, str(first.disputed_amount)) == (
            CaseState.SUBMITTED,
            Channel.PHONE,
            "120.00",
        )

        # 375 px: the claim's own lookup by phone; a call "in the future" is refused next to the field.
        page.set_viewport_size(PHONE)
        desk.go("/back-office/claims/new/")
        page.get_by_label("PESEL, imię i nazwisko lub telefon").fill("512 345 678")
        desk.submit("main button:has-text('Znajdź')")
        desk.shot("10-claim-lookup-phone")
        desk.submit("main a:has-text('Zarejestruj reklamację tego klienta')")
        desk.submit("main a:has-text('•••• ')")
        page.get_by_label("Euronet ATM").check()
        page.get_by_label("Kanał").select_option("LINE_828")
        page.get_by_label("Przyczyna").select_option("STOLEN")
        page.get_by_label("Przyjęto (czas rozmowy lub wizyty)").fill("2025-05-26T23:00")
        page.get_by_label("Relacja klienta o okolicznościach").fill("Wypłata, której nie robiłem.")
        desk.submit("main button:has-text('Zarejestruj i złóż')")
        error = page.locator("#id_received_at_error")
        assert error.inner_text().startswith("Czas rozmowy lub wizyty nie może być późniejszy niż teraz")
        assert page.get_by_label("Euronet ATM").is_checked()
        desk.shot("11-phone-claim-error-phone")
        page.get_by_label("Przyjęto (czas rozmowy lub wizyty)").fill("2025-05-26T10:20")
        desk.submit("main button:has-text('Zarejestruj i złóż')")
        browser.close()

    second = Case.objects.get(customer=jerzy.customer)
    assert (second.state, second.channel, str(second.disputed_amount)) == (
        CaseState.SUBMITTED,
        Channel.LINE_828,
        "800.00",
    )
