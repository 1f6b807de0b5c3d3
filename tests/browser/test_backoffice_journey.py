"""The back office in a real browser (Playwright driving Debian's chromium).

A supervisor assigns a case; the analyst filters the queue, refunds the case, requests information,
extends the reply with a delay notice, assesses liability and proposes a rejection; a second,
different person approves: the supervisor, who then reads the decision letter issued for dispatch.
Screenshots go to docs/screenshots/ with KARTOSFERA_UPDATE_SCREENSHOTS=1, else to var/screenshots/.
Skips where /usr/bin/chromium is absent.
"""

import re
from datetime import datetime

import pytest
from django_otp.oath import TOTP

from disputes.backoffice.services import staff_totp_device_ensure
from disputes.models import Case, CaseState
from kartosfera.legaltime import WARSAW
from letters.models import CustomerAddress, StaffProfile
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS
from tests.disputes.conftest import make_theft, staff, submitted_case
from tests.letters.conftest import read_pdf

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "Back-Office-2025!"
# The server's clock runs from Monday 26 May 2025 10:30 Warsaw, half an hour after the claim arrived.
START = datetime(2025, 5, 26, 10, 30, tzinfo=WARSAW)


def code_of(device) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


class Desk:
    def __init__(self, page, base_url: str) -> None:
        self.page, self.base_url = page, base_url

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def submit(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state("load")

    def open(self, action: str) -> None:
        self.page.locator(f"details:has(form[action$='/{action}/']) > summary").click()

    def sign_in(self, user, device) -> None:
        self.go("/back-office/sign-in/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.submit("button[type=submit] >> nth=-1")
        self.page.fill("#id_code", code_of(device))
        self.submit("main button[type=submit]")

    def sign_out(self) -> None:
        self.submit("header form[action$='/sign-out/'] button")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"backoffice-{name}.png"), full_page=True)


def test_assign_refund_request_extend_propose_and_approve(live_server, settings, time_machine, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads in between
    # the pages are plain synchronous calls, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    time_machine.move_to(START, tick=True)
    # The server's clock is in 2025 and the browser's is not: cookies must not carry an expiry date.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    settings.KARTOSFERA_FOUR_EYES_REFUND_ABOVE = "5000.00"
    analyst, supervisor = staff("analyst", "analysts"), staff("supervisor", "supervisors")
    for user in (analyst, supervisor):
        user.set_password(PASSWORD)
        user.first_name = user.username.title()
        user.save()
    devices = {user.pk: staff_totp_device_ensure(user=user) for user in (analyst, supervisor)}
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    rates_load_fixture(path=FIXTURE, now=START)
    for user, position in ((analyst, "Analityk reklamacji"), (supervisor, "Kierownik zespołu reklamacji")):
        StaffProfile.objects.create(user=user, position=position)
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    case = submitted_case(theft, theft.user, received_at=datetime(2025, 5, 26, 10, 0, tzinfo=WARSAW))
    case_url = f"/back-office/cases/{case.pk}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="pl-PL")
        page.set_default_timeout(15_000)
        desk = Desk(page, live_server.url)

        # The supervisor assigns the case to the analyst.
        desk.sign_in(supervisor, devices[supervisor.pk])
        desk.go("/back-office/queue/unassigned/")
        assert case.number in page.inner_text("main")
        desk.shot("01-queue-unassigned")
        desk.go(case_url)
        page.select_option("#assignee", str(analyst.pk))
        desk.submit("button[name=do-assign]")
        desk.sign_out()
        assert Case.objects.get(pk=case.pk).assignee == analyst

        # The analyst refunds, asks, extends with a delay notice, assesses and proposes a rejection.
        desk.sign_in(analyst, devices[analyst.pk])
        desk.go("/back-office/queue/mine/")
        desk.shot("02-queue-mine")
        # The filters by keyboard, on a phone-sized screen: label, field, Enter; then back to all.
        page.set_viewport_size(PHONE)
        page.get_by_label("Przyczyna").select_option("STOLEN")
        page.get_by_label("Kwota od").fill("500")
        page.get_by_label("Kwota od").press("Enter")
        page.wait_for_load_state("load")
        assert "cause=STOLEN" in page.url and case.number in page.inner_text("main table")
        desk.shot("02b-queue-filtered-phone")
        desk.submit("a.clear-filters")
        assert "cause=" not in page.url
        page.set_viewport_size(DESKTOP)
        desk.go(case_url)
        desk.submit("button[name=do-refund]")
        desk.open("request_information")
        page.fill(
            "form[action$='/request_information/'] textarea[name=questions]", "Gdzie była karta o 19:10?"
        )
        desk.submit("button[name=do-request]")
        desk.open("extend_reply")
        form = "form[action$='/extend_reply/']"
        page.fill(f"{form} textarea[name=reason]", "Czekamy na nagranie z bankomatu.")
        page.fill(f"{form} textarea[name=outstanding]", "Kto wypłacił gotówkę.")
        page.fill(f"{form} input[name=expected_reply_on]", "2025-07-15")
        desk.submit("button[name=do-extend]")
        desk.open("assess")
        page.check("form[action$='/assess/'] input[name=intent]")
        page.fill(
            "form[action$='/assess/'] textarea[name=note]", "PIN użyty przy wypłacie; karta nie zgubiona."
        )
        desk.submit("button[name=do-assess]")
        desk.open("propose")
        page.fill("form[action$='/propose/'] textarea[name=reason]", "Transakcje autoryzowane przez klienta.")
        page.fill(
            "form[action$='/propose/'] textarea[name=customer_grounds]",
            "Transakcje potwierdzono kodem z aplikacji mobilnej na Państwa zaufanym urządzeniu.",
        )
        desk.submit("button[name=do-propose]")
        desk.shot("03-case-proposed")
        desk.sign_out()
        proposed = Case.objects.get(pk=case.pk)
        assert (proposed.state, proposed.reply_extended) == (CaseState.AWAITING_CUSTOMER, True)
        assert proposed.proposals.get().status == "PENDING"

        # The supervisor approves: the rejection takes effect.
        time_machine.shift(31)  # a fresh TOTP time step: a code is never accepted twice
        desk.sign_in(supervisor, devices[supervisor.pk])
        desk.go("/back-office/approvals/")
        desk.shot("04-approvals")
        desk.submit("button[name=approve]")
        desk.shot("05-case-decided")
        # The supervisor reads the decision letter before it is dispatched: issued already (eager
        # tasks) it is downloaded, still queued for the letters worker it is previewed.
        letter_link = page.get_by_role(
            "link",
            name=re.compile(r"^(Pobierz wersję 1|Podgląd przed wysyłką \(PDF\)) — Decyzja: nieuwzględniona$"),
        )
        letter_link.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "backoffice-06-case-letters.png"))
        letter = page.request.get(live_server.url + letter_link.get_attribute("href"))
        assert letter.ok and letter.headers["content-type"] == "application/pdf"
        # The letter states the grounds written for the customer, never the analyst's internal reason.
        decision_letter = read_pdf(letter.body())
        assert decision_letter.says(
            "Transakcje potwierdzono kodem z aplikacji mobilnej na Państwa zaufanym urządzeniu."
        )
        assert not decision_letter.says("Transakcje autoryzowane przez klienta.")
        browser.close()

    decided = Case.objects.get(pk=case.pk)
    assert (decided.state, decided.outcome) == (CaseState.DECIDED, "REJECTED")
    assert decided.transitions.get(name="decide").actor == supervisor
    assert list(decided.transitions.order_by("pk").values_list("name", flat=True))[2:] == [
        "refund_provisionally",
        "request_information",
        "extend_reply",
        "decide",
    ]
