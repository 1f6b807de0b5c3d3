"""A customer's journey through the portal in a real browser: Playwright driving Debian's chromium.

Registers with the texted code, signs out and in, activates, blocks, unblocks, raises a limit (after a
refused one) and cancels a card, then files a claim about two transactions with a document (after a
refused disguised file), and saves screenshots at phone (375 px) and desktop width to
docs/screenshots/. Skips where /usr/bin/chromium is absent (`.ci/run` installs it where it can).
"""

import os
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from cards.models import CardStatus
from demo.disputes import demo_pdf
from disputes.models import Case
from liability.services import rates_seed_synthetic
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory, WalletTokenFactory
from tests.customers.factories import CustomerFactory
from tests.customers.portal import PASSWORD, last_code

CHROMIUM = Path("/usr/bin/chromium")
# The committed screenshots in docs/screenshots/ are refreshed on purpose (`make screenshots`); an
# ordinary test run writes to var/screenshots/ so it never dirties the working tree.
_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    _ROOT / "docs" / "screenshots"
    if os.environ.get("KARTOSFERA_UPDATE_SCREENSHOTS") == "1"
    else _ROOT / "var" / "screenshots"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


class Journey:
    """The browser page plus the screenshot and SMS helpers of the journey."""

    def __init__(self, page, base_url: str, sms_outbox: Path, phone: str) -> None:
        self.page, self.base_url, self.sms_outbox, self.phone = page, base_url, sms_outbox, phone

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def click(self, role: str, name: str) -> None:
        self.page.get_by_role(role, name=name, exact=True).first.click()
        self.page.wait_for_load_state("load")

    def code(self) -> str:
        # The live server texted it after its commit (tasks run in this process, also under
        # `make test-services`, where a worker would text it into its own SMS outbox): nothing is left.
        return last_code(self.sms_outbox, self.phone, run_queued=False)

    def shot(self, name: str) -> None:
        """A full-page screenshot at phone width, then at desktop width."""
        for suffix, size in (("phone", PHONE), ("desktop", DESKTOP)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
        self.page.set_viewport_size(PHONE)

    def text(self) -> str:
        return self.page.inner_text("main")


def test_a_customer_registers_and_runs_a_card_from_a_phone(live_server, sms_outbox, texts_in_this_process):
    from playwright.sync_api import sync_playwright

    customer = CustomerFactory(
        first_name="Anna", last_name="Kowalska", birth_date=date(1985, 3, 14), mobile_phone="+48601234567"
    )
    product = CardProductFactory(code="visa-classic-debit", max_daily_internet_limit=Decimal("20000.00"))
    card = CardFactory(customer=customer, product=product, status=CardStatus.INACTIVE, last4="4821")
    WalletTokenFactory(card=card, device_name="iPhone 15 (Anna)")
    for n, (merchant, channel, country) in enumerate(
        [
            ("Biedronka", "CONTACTLESS", "PL"),
            ("Allegro", "INTERNET", "PL"),
            ("Euronet ATM", "ATM", "PL"),
            ("REWE", "CHIP_POS", "DE"),
        ]
    ):
        TransactionFactory(
            card=card,
            merchant_name=merchant,
            channel=channel,
            merchant_country=country,
            executed_at=datetime(2026, 5, 18, 12, tzinfo=UTC) + timedelta(hours=n),
        )
    # The claim's first liability estimate needs the EUR rate of the transactions' day (no NBP here).
    rates_seed_synthetic(
        currency="EUR", start=date(2026, 5, 1), end=date(2026, 5, 31), now=datetime(2026, 6, 1, tzinfo=UTC)
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE, locale="pl-PL")
        page.set_default_timeout(15_000)
        journey = Journey(page, live_server.url, sms_outbox, customer.mobile_phone)

        # Registration: a wrong check digit first, then the PESEL, the texted code and a password.
        journey.go("/register/")
        page.fill("#id_identifier", customer.pesel[:10] + str((int(customer.pesel[10]) + 1) % 10))
        page.fill("#id_birth_date", "1985-03-14")
        journey.click("button", "Wyślij mi kod")
        assert "cyfra kontrolna" in journey.text().lower()
        journey.shot("01-register-error")
        page.fill("#id_identifier", customer.pesel)
        journey.click("button", "Wyślij mi kod")
        journey.shot("02-register-code")
        page.fill("#id_code", journey.code())
        journey.click("button", "Dalej")
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        journey.click("button", "Zapisz hasło")
        assert "Witamy w Kartosferze" in journey.text()

        # Sign out and in with the PESEL and the password.
        journey.click("button", "Wyloguj się")
        page.fill("#id_identifier", customer.pesel)
        page.fill("#id_password", PASSWORD)
        journey.shot("03-sign-in")
        journey.click("button", "Zaloguj się")
        journey.shot("04-my-cards")

        # Activate the new card with a code.
        page.get_by_role("link", name=re.compile("•••• 4821")).click()
        journey.shot("05-card-inactive")
        journey.click("link", "Aktywuj kartę")
        journey.click("button", "Wyślij mi kod")
        journey.shot("06-confirm-code")
        page.fill("#id_code", journey.code())
        journey.click("button", "Potwierdź")
        assert "Karta jest aktywna" in journey.text()

        # Block, then unblock with a code.
        journey.click("link", "Zablokuj kartę")
        page.fill("#id_reason", "Nie mogę jej znaleźć.")
        journey.click("button", "Zablokuj kartę teraz")
        assert "Karta jest zablokowana" in journey.text()
        journey.shot("07-card-blocked")
        journey.click("link", "Odblokuj kartę")
        journey.click("button", "Wyślij mi kod")
        page.fill("#id_code", journey.code())
        journey.click("button", "Potwierdź")
        assert "Karta jest odblokowana" in journey.text()

        # A limit over the product maximum is refused; a raise within it is confirmed with a code.
        journey.click("link", "Zmień limity")
        page.fill("#id_daily_internet_limit", "25 000")
        journey.click("button", "Zapisz limity")
        assert "Limit nie może przekraczać maksimum tej karty" in journey.text()
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        journey.shot("08-limits-error")
        page.fill("#id_daily_internet_limit", "8000")
        journey.click("button", "Zapisz limity")
        page.fill("#id_code", journey.code())
        journey.click("button", "Potwierdź")
        assert "Limity dzienne zostały zmienione" in journey.text()
        journey.shot("09-card-active")

        # Transactions, filtered.
        journey.click("link", "Transakcje")
        page.select_option("#id_type", "FOREIGN")
        journey.click("button", "Pokaż")
        assert "REWE" in journey.text() and "Biedronka" not in journey.text()
        page.select_option("#id_type", "")
        journey.click("button", "Pokaż")
        journey.shot("10-transactions")

        # Cancel for good (stolen), with a code: the report time and the replacement offer.
        journey.go(f"/cards/{card.pk}/")
        journey.click("link", "Zastrzeż kartę")
        page.check("#id_reason_1")
        page.check("#id_understood")
        journey.shot("11-cancel")
        journey.click("button", "Dalej: wyślij mi kod")
        page.fill("#id_code", journey.code())
        journey.click("button", "Potwierdź")
        assert "Karta jest zastrzeżona" in journey.text()
        journey.shot("12-card-cancelled")
        journey.click("button", "Zamów nową kartę")
        assert "Zamówiliśmy nową kartę" in journey.text()

        # File a claim from the cancellation: nothing chosen is refused, then two transactions.
        journey.go(f"/cards/{card.pk}/cancelled/")
        journey.click("link", "Widzę transakcje, których nie rozpoznaję: złóż reklamację")
        journey.click("button", "Zapisz i przejdź dalej")
        assert "Wybierz co najmniej jedną transakcję, której nie rozpoznajesz." in journey.text()
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")
        journey.shot("13-claim-transactions-error")
        page.get_by_label(re.compile("REWE")).check()
        page.get_by_label(re.compile("Euronet ATM")).check()
        journey.click("button", "Zapisz i przejdź dalej")
        assert "Co się stało z kartą?" in journey.text()
        page.check("#id_cause_1")
        journey.shot("14-claim-cause")
        journey.click("button", "Zapisz i przejdź dalej")
        page.fill("#id_noticed_on", "2026-05-18")
        page.fill("#id_noticed_time", "21:30")
        journey.click("button", "Zapisz i przejdź dalej")
        page.fill("#id_card_whereabouts", "W portfelu, skradzionym razem z torbą w tramwaju.")
        journey.click("button", "Zapisz i przejdź dalej")
        page.fill("#id_access_to_card_and_phone", "Nikt.")
        journey.click("button", "Zapisz i przejdź dalej")
        page.check("#id_card_in_mobile_wallet_1")
        journey.click("button", "Zapisz i przejdź dalej")
        page.check("#id_police_notified_0")
        page.fill("#id_police_reference", "RSD-1234/26")
        journey.click("button", "Zapisz i przejdź dalej")
        journey.click("button", "Zapisz i przejdź dalej")
        # Letters by post, as the law has it unless she asks for e-mail.
        assert page.locator("#id_reply_delivery_0").is_checked()
        journey.click("button", "Zapisz i przejdź dalej")
        # Documents: an .exe renamed .pdf is refused by its content, the real PDF is added.
        page.set_input_files(
            "#id_file",
            files=[{"name": "zgloszenie.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + b"\0" * 64}],
        )
        journey.click("button", "Dodaj dokument")
        assert "Można dodać tylko pliki PDF, JPEG i PNG." in journey.text()
        journey.shot("15-claim-evidence-error")
        page.set_input_files(
            "#id_file",
            files=[
                {"name": "zgloszenie.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("RSD-1234/26")}
            ],
        )
        page.check("#id_kind_0")
        journey.click("button", "Dodaj dokument")
        assert "Dodaliśmy plik „zgloszenie.pdf” do reklamacji." in journey.text()
        journey.click("link", "Dalej")
        assert "Sprawdź i wyślij reklamację" in journey.text()
        journey.shot("16-claim-review")
        journey.click("button", "Wyślij reklamację")
        assert "Reklamacja wysłana" in journey.text()
        assert "Oddamy " in journey.text() and "Odpowiemy najpóźniej do" in journey.text()
        journey.shot("17-claim-submitted")
        journey.click("link", "Zobacz status reklamacji")
        assert "Potwierdzenie przyjęcia" in journey.text()
        journey.shot("18-claim-status")

        browser.close()

    card.refresh_from_db()
    assert card.status == CardStatus.CANCELLED
    assert card.cancellation_reason == "STOLEN"
    assert card.daily_internet_limit == Decimal("8000.00")
    assert card.wallet_tokens.get().status == "REMOVED"  # the cancellation takes every device with it
    assert list(card.events.order_by("occurred_at", "pk").values_list("kind", flat=True)) == [
        "ACTIVATED",
        "BLOCKED",
        "UNBLOCKED",
        "LIMITS_CHANGED",
        "WALLET_TOKEN_REMOVED",
        "CANCELLED",
        "REPLACEMENT_ORDERED",
    ]
    assert customer.cards.get(replaces=card).status == CardStatus.INACTIVE
    claim = Case.objects.get(customer=customer)
    assert (claim.state, claim.cause, claim.police_reference) == ("SUBMITTED", "STOLEN", "RSD-1234/26")
    assert sorted(claim.disputed.values_list("transaction__merchant_name", flat=True)) == [
        "Euronet ATM",
        "REWE",
    ]
    assert list(claim.evidence.values_list("original_name", "kind")) == [("zgloszenie.pdf", "POLICE_REPORT")]
    assert claim.reported_at == card.cancelled_at
