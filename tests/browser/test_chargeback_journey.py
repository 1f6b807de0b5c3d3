"""One analyst's and one supervisor's journey in a real browser (Playwright driving Debian's
chromium), run whole on a desktop and whole on a 375 px phone.

The analyst finds the customer by name from the header's search box; registers the claim she phoned
in from the claim's lookup (found by her phone number, her card, the withdrawal ticked; a call "in the
future" is refused next to the field and corrected); takes the case, refunds it (D+1) and adds the
police report. Then ITS chargeback is worked from the chargeback queue: filed for part of the amount
with the police report (the filing window leaves the queue), the acquirer's second presentment
recorded with its document (CB-MC-2P enters the queue), taken to pre-arbitration within that window
(it leaves again), and the result proposed; the supervisor approves it (four-eyes) and the queue is
empty. On the phone, no page scrolls sideways. Screenshots go to docs/screenshots/ with
KARTOSFERA_UPDATE_SCREENSHOTS=1, else to var/screenshots/. Skips where /usr/bin/chromium is absent.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from chargebacks.models import ChargebackState
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

# Monday 26 May 2025, 10:30 Warsaw: the customer phoned a quarter of an hour ago.
START = datetime(2025, 5, 26, 10, 30, tzinfo=WARSAW)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NO_DEADLINE = "odpowiedzieć ma agent rozliczeniowy albo organizacja płatnicza"


def queue_rows(page) -> list[str]:
    return [" ".join(row.split()) for row in page.locator("main table.queue tbody tr").all_inner_texts()]


class Journey(Desk):
    """The desk of one run: its screenshots are named by the run's screen, and on the phone every page
    is measured (the page never scrolls sideways; tables scroll in their own regions)."""

    def __init__(self, page, base_url: str, screen: str) -> None:
        super().__init__(page, base_url)
        self.screen, self.pages_measured = screen, []

    def shot(self, name: str) -> None:
        super().shot(f"journey-{self.screen}-{name}")

    def fits(self) -> None:
        if self.screen != "phone":
            return
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (self.page.url, width)
        self.pages_measured.append(self.page.url)

    def go(self, path: str) -> None:
        super().go(path)
        self.fits()

    def submit(self, selector: str) -> None:
        super().submit(selector)
        self.fits()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_find_register_by_phone_and_work_its_chargeback_to_each_deadline(
    screen, live_server, settings, time_machine, monkeypatch
):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM reads in between pages
    # are plain synchronous calls, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    time_machine.move_to(START, tick=True)
    # The server's clock is in 2025 and the browser's is not: cookies must not carry an expiry date.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    analyst, supervisor = staff("analyst", "analysts"), staff("supervisor", "supervisors")
    for user, (first_name, last_name) in (
        (analyst, ("Ewa", "Zielińska")),
        (supervisor, ("Marek", "Wiśniewski")),
    ):
        user.set_password(PASSWORD)
        user.first_name, user.last_name = first_name, last_name
        user.save()
    devices = {user.pk: staff_totp_device_ensure(user=user) for user in (analyst, supervisor)}
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    rates_load_fixture(path=FIXTURE, now=START)
    lucja = make_theft(username="lucja", cancelled=False)
    lucja.customer.first_name, lucja.customer.last_name = "Łucja", "Wójcik-Żak"
    lucja.customer.mobile_phone = "+48512345678"
    lucja.customer.save()
    make_theft(username="other", cancelled=False)  # another customer: the searches must tell them apart
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = DESKTOP if screen == "desktop" else PHONE

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport, locale="pl-PL")
        page.set_default_timeout(15_000)
        desk = Journey(page, live_server.url, screen)
        desk.sign_in(analyst, devices[analyst.pk])

        # 1. Found by name, typed without Polish letters and in capitals, in the header's search box.
        page.get_by_label("Szukaj", exact=True).fill("WOJCIK")
        page.get_by_label("Szukaj", exact=True).press("Enter")
        page.wait_for_load_state("load")
        desk.fits()
        assert page.inner_text("h1") == "Wyszukiwanie: „WOJCIK”"
        desk.shot("01-search-by-name")
        desk.submit("main a:has-text('Łucja Wójcik-Żak')")
        assert page.inner_text("h1") == "Łucja Wójcik-Żak"
        desk.shot("02-customer-page")

        # 2. The claim she phoned in, from the claim's lookup: found by her phone number.
        desk.go("/back-office/claims/new/")
        page.get_by_label("PESEL, imię i nazwisko lub telefon").fill("512 345 678")
        desk.submit("main button:has-text('Znajdź')")
        assert page.locator("main ul.results > li").count() == 1
        desk.shot("03-claim-lookup-by-phone")
        desk.submit("main a:has-text('Zarejestruj reklamację tego klienta')")
        desk.submit("main a:has-text('•••• ')")
        page.get_by_label("Euronet ATM").check()
        page.get_by_label("Kanał").select_option("PHONE")
        page.get_by_label("Przyczyna").select_option("STOLEN")
        page.get_by_label("Przyjęto (czas rozmowy lub wizyty)").fill("2025-05-26T23:00")
        page.get_by_label("Relacja klienta o okolicznościach").fill("Wypłata, której nie robiłam.")
        desk.submit("main button:has-text('Zarejestruj i złóż')")
        error = page.locator("#id_received_at_error")
        assert error.inner_text().startswith("Czas rozmowy lub wizyty nie może być późniejszy niż teraz")
        assert page.get_by_label("Euronet ATM").is_checked()  # what was ticked stays ticked
        desk.shot("04-phone-claim-error")
        page.get_by_label("Przyjęto (czas rozmowy lub wizyty)").fill("2025-05-26T10:15")
        desk.submit("main button:has-text('Zarejestruj i złóż')")
        case = Case.objects.get(customer=lucja.customer)
        assert page.url.endswith(f"/back-office/cases/{case.pk}/")
        assert (case.state, case.channel, case.disputed_amount) == (
            CaseState.SUBMITTED,
            Channel.PHONE,
            Decimal("800.00"),
        )
        chargeback = case.chargebacks.get()
        atm = f"#cb-{chargeback.pk}"

        # The case is taken, reviewed and refunded (D+1, met today); the police report is added.
        desk.submit("main button:has-text('Weź tę sprawę')")
        desk.submit("main button:has-text('Rozpocznij rozpatrywanie')")
        desk.submit("button[name=do-refund]")
        page.locator("#evidence-kind").select_option("POLICE_REPORT")
        page.locator("#evidence-file").set_input_files(
            files=[{"name": "zawiadomienie-policja.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        desk.submit("form[action$='/evidence/'] button[type=submit]")
        case.refresh_from_db()
        assert (case.state, case.assignee) == (CaseState.PROVISIONALLY_REFUNDED, analyst)

        # 3 and 4. Its chargeback in the chargeback queue, by its filing window (CB-MC-4837).
        desk.go("/back-office/queue/chargebacks/")
        rows = queue_rows(page)
        assert len(rows) == 1 and "23 września 2025" in rows[0] and "CB-MC-4837" in rows[0]
        assert case.number in rows[0] and "Szkic" in rows[0]
        desk.shot("05-chargeback-queue-filing-window")
        desk.submit(f"main table.queue a[href$='{atm}']")
        article = page.locator(atm)
        article.locator("summary", has_text="Złóż obciążenie zwrotne").click()
        arn = article.get_by_label("Numer referencyjny agenta rozliczeniowego (ARN)")
        arn.fill("74837651234567890123456")
        article.get_by_label("Kwota obciążenia zwrotnego (PLN)").fill("650,00")
        article.get_by_label("zawiadomienie-policja.pdf").check()
        desk.submit(f"{atm} form[action$='/file/'] button[type=submit]")
        assert "Obciążenie zwrotne złożono w organizacji płatniczej." in page.inner_text("main")
        desk.shot("06-chargeback-filed")
        # Filed in time: the filing window is met and leaves the queue; the acquirer is to answer.
        desk.go("/back-office/queue/chargebacks/")
        rows = queue_rows(page)
        assert len(rows) == 1 and NO_DEADLINE in rows[0] and "23 września 2025" not in rows[0]
        assert "Złożony" in rows[0]
        desk.sign_out()

        # Fifteen days later: the acquirer's second presentment arrives with its document.
        time_machine.shift(timedelta(days=15))
        desk.sign_in(analyst, devices[analyst.pk])
        desk.go("/back-office/queue/chargebacks/")
        desk.submit(f"main table.queue a[href$='{atm}']")
        article = page.locator(atm)
        article.locator("summary", has_text="Zarejestruj drugą prezentację agenta rozliczeniowego").click()
        article.get_by_label("Dokument agenta rozliczeniowego").set_input_files(
            files=[{"name": "second-presentment.pdf", "mimeType": "application/pdf", "buffer": PDF + b"2"}]
        )
        article.get_by_label("Co podaje agent rozliczeniowy").fill("Akceptant: płatność z PIN-em.")
        desk.submit(f"{atm} form[action$='/representment/'] button[type=submit]")
        desk.shot("07-chargeback-represented")
        # CB-MC-2P, 45 days from the filing (26 May): the bank's clock runs again, in the queue.
        desk.go("/back-office/queue/chargebacks/")
        rows = queue_rows(page)
        assert len(rows) == 1 and "10 lipca 2025" in rows[0] and "CB-MC-2P" in rows[0]
        desk.shot("08-chargeback-queue-response-window")

        # Disputed within the window: pre-arbitration; the window is met and leaves the queue.
        desk.submit(f"main table.queue a[href$='{atm}']")
        article = page.locator(atm)
        article.locator("summary", has_text="Zakwestionuj: prearbitraż").click()
        article.get_by_label("Dlaczego bank to kwestionuje").fill("Nagranie z bankomatu: wypłacał obcy.")
        desk.submit(f"{atm} form[action$='/escalate/'] button[type=submit]")
        desk.go("/back-office/queue/chargebacks/")
        rows = queue_rows(page)
        assert len(rows) == 1 and NO_DEADLINE in rows[0] and "10 lipca 2025" not in rows[0]
        assert "Przedarbitraż" in rows[0]

        # The acquirer accepts: the analyst proposes the result, won; money moves under four-eyes.
        desk.submit(f"main table.queue a[href$='{atm}']")
        page.locator(atm).locator("summary", has_text="Zaproponuj wynik: wygrany").click()
        desk.submit(f"{atm} form[action$='/result/']:has(input[value='1']) button[type=submit]")
        assert "wynik czeka na zatwierdzenie przez drugą osobę" in page.inner_text("main")
        desk.sign_out()

        # The supervisor approves it: the acquirer's credit is booked.
        time_machine.shift(31)  # a fresh TOTP time step
        desk.sign_in(supervisor, devices[supervisor.pk])
        desk.go("/back-office/approvals/")
        approvals = " ".join(page.inner_text("main table").split())
        assert "Wynik obciążenia zwrotnego Mastercard 4870 (Euronet ATM): Wygrany" in approvals
        assert "Ewa Zielińska" in approvals and "WON" not in approvals
        desk.shot("09-approvals")
        desk.submit("button[name=approve]")
        page.locator(atm).scroll_into_view_if_needed()
        text = " ".join(page.inner_text(atm).split())
        assert "wygrany: agent rozliczeniowy uznaje 650,00 zł" in text
        assert "second-presentment.pdf" in text and "zawiadomienie-policja.pdf" in text
        timeline = " ".join(page.inner_text("section[aria-labelledby=tl-h]").split())
        assert "Obciążenie zwrotne Mastercard 4870: Wygrany (Przedarbitraż → Wygrany)" in timeline
        desk.shot("10-chargeback-won")
        desk.go("/back-office/queue/chargebacks/")
        assert queue_rows(page) == ["Brak obciążeń zwrotnych."]
        browser.close()

    chargeback.refresh_from_db()
    assert (chargeback.state, chargeback.amount) == (ChargebackState.WON, Decimal("650.00"))
    assert list(chargeback.transitions.values_list("name", "actor__username")) == [
        ("file", "analyst"),
        ("record_representment", "analyst"),
        ("escalate_to_pre_arbitration", "analyst"),
        ("win", "supervisor"),
    ]
    assert list(case.ledger_entries.order_by("pk").values_list("kind", "amount", "actor__username")) == [
        ("PROVISIONAL_REFUND", Decimal("800.00"), "analyst"),
        ("CHARGEBACK_CREDIT", Decimal("650.00"), "supervisor"),
    ]
    assert list(chargeback.documents.values_list("evidence__original_name", "direction")) == [
        ("zawiadomienie-policja.pdf", "SENT"),
        ("second-presentment.pdf", "RECEIVED"),
    ]
    if screen == "phone":
        assert len(desk.pages_measured) >= 20
