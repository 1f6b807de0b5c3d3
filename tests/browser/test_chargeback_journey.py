"""A chargeback worked in a real browser, on a desktop and on a 375 px phone, from the chargeback queue.

The analyst opens the queue of chargebacks, files the ATM withdrawal's chargeback for part of the
amount with the police report, records the acquirer's second presentment with its document (the
CB-MC-2P window starts and the chargeback moves to the top of the queue), takes it to pre-arbitration
and arbitration within that window, and proposes the result; the supervisor approves it (four-eyes)
and drops the other draft with its reason. Every deadline is met from the queue. Screenshots go to
docs/screenshots/ with KARTOSFERA_UPDATE_SCREENSHOTS=1, else to var/screenshots/.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from disputes.backoffice.services import staff_totp_device_ensure
from disputes.models import ChargebackState, EvidenceKind
from disputes.services import case_add_evidence, case_assign, case_refund_provisionally, case_start_review
from kartosfera.legaltime import WARSAW
from tests.browser.test_backoffice_journey import PASSWORD, Desk
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS
from tests.disputes.conftest import make_theft, staff, submitted_case

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]

START = datetime(2025, 6, 5, 9, 30, tzinfo=WARSAW)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def queue_rows(page) -> list[str]:
    return [" ".join(row.split()) for row in page.locator("main table.queue tbody tr").all_inner_texts()]


def test_a_chargeback_from_filing_through_a_representment_to_its_result(
    live_server, settings, time_machine, monkeypatch
):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    time_machine.move_to(START, tick=True)
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    analyst, supervisor = staff("analyst", "analysts"), staff("supervisor", "supervisors")
    for user, first_name in ((analyst, "Ewa"), (supervisor, "Marek")):
        user.set_password(PASSWORD)
        user.first_name = first_name
        user.save()
    devices = {user.pk: staff_totp_device_ensure(user=user) for user in (analyst, supervisor)}
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    rates_load_fixture(path=FIXTURE, now=START)
    theft = make_theft()
    case = submitted_case(theft, theft.user, received_at=datetime(2025, 5, 26, 10, 0, tzinfo=WARSAW))
    case_start_review(case_id=case.pk, actor=analyst, now=datetime(2025, 5, 26, 11, 0, tzinfo=WARSAW))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=datetime(2025, 5, 26, 12, 0, tzinfo=WARSAW))
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=START)
    police = case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.POLICE_REPORT,
        file=ContentFile(PDF, name="zawiadomienie-policja.pdf"),
        actor=analyst,
        now=START,
    )
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="pl-PL")
        page.set_default_timeout(15_000)
        desk = Desk(page, live_server.url)

        # The queue of chargebacks: both drafts, their filing windows ending on 23 September.
        desk.sign_in(analyst, devices[analyst.pk])
        desk.go("/back-office/queue/chargebacks/")
        rows = queue_rows(page)
        assert len(rows) == 2 and all("23 września 2025" in row and "CB-MC-4837" in row for row in rows)
        desk.shot("07-chargeback-queue")

        # Filed from the queue: 650,00 zł of the 800,00 zł withdrawal, with the police report.
        page.locator(f"main table.queue a[href$='#cb-{atm.pk}']").click()
        page.wait_for_load_state("load")
        article = page.locator(f"#cb-{atm.pk}")
        article.locator("summary", has_text="Złóż obciążenie zwrotne").click()
        article.get_by_label("Numer referencyjny agenta rozliczeniowego (ARN)").fill(
            "74837651234567890123456"
        )
        article.get_by_label("Kwota obciążenia zwrotnego (PLN)").fill("650,00")
        article.get_by_label("zawiadomienie-policja.pdf").check()
        desk.submit(f"#cb-{atm.pk} form[action$='/file/'] button[type=submit]")
        assert "Obciążenie zwrotne złożono w organizacji płatniczej." in page.inner_text("main")
        desk.shot("08-chargeback-filed")
        atm.refresh_from_db()
        assert (atm.state, atm.amount) == (ChargebackState.FILED, Decimal("650.00"))

        # Fifteen days later, on a phone: the acquirer's second presentment arrives with its document.
        time_machine.shift(timedelta(days=15))
        page.set_viewport_size(PHONE)
        desk.sign_in(analyst, devices[analyst.pk])
        desk.go("/back-office/queue/chargebacks/")
        page.locator(f"main table.queue a[href$='#cb-{atm.pk}']").click()
        page.wait_for_load_state("load")
        article = page.locator(f"#cb-{atm.pk}")
        article.locator("summary", has_text="Zarejestruj drugą prezentację agenta rozliczeniowego").click()
        article.get_by_label("Dokument agenta rozliczeniowego").set_input_files(
            files=[{"name": "second-presentment.pdf", "mimeType": "application/pdf", "buffer": PDF + b"2"}]
        )
        article.get_by_label("Co podaje agent rozliczeniowy").fill("Akceptant: płatność z PIN-em.")
        desk.submit(f"#cb-{atm.pk} form[action$='/representment/'] button[type=submit]")
        desk.shot("09-chargeback-represented-phone")
        # The chargebacks fit the phone's width.
        wide = page.evaluate(
            "() => [...document.querySelectorAll('section[aria-labelledby=cb-h] *')]"
            ".filter(e => e.getBoundingClientRect().right > innerWidth).map(e => e.outerHTML.slice(0, 80))"
        )
        assert wide == []
        # CB-MC-2P (45 days from filing: 20 July) now comes before the other draft's 23 September.
        desk.go("/back-office/queue/chargebacks/")
        rows = queue_rows(page)
        assert "20 lipca 2025" in rows[0] and "CB-MC-2P" in rows[0] and "23 września 2025" in rows[1]
        desk.shot("10-chargeback-queue-phone")

        # Within the window: pre-arbitration, then arbitration, then the proposed result.
        page.locator(f"main table.queue a[href$='#cb-{atm.pk}']").click()
        page.wait_for_load_state("load")
        for summary in (
            "Zakwestionuj: prearbitraż",
            "Poproś organizację płatniczą o rozstrzygnięcie: arbitraż",
        ):
            article = page.locator(f"#cb-{atm.pk}")
            article.locator("summary", has_text=summary).click()
            article.get_by_label("Dlaczego bank to kwestionuje").fill("Nagranie z bankomatu: wypłacał obcy.")
            desk.submit(f"#cb-{atm.pk} form[action$='/escalate/'] button[type=submit]")
        article = page.locator(f"#cb-{atm.pk}")
        article.locator("summary", has_text="Zaproponuj wynik: wygrany").click()
        desk.submit(f"#cb-{atm.pk} form[action$='/result/']:has(input[value='1']) button[type=submit]")
        assert "wynik czeka na zatwierdzenie przez drugą osobę" in page.inner_text("main")
        page.set_viewport_size(DESKTOP)
        desk.sign_out()

        # The supervisor approves the result and drops the other draft with its reason.
        time_machine.shift(31)  # a fresh TOTP time step
        desk.sign_in(supervisor, devices[supervisor.pk])
        desk.go("/back-office/approvals/")
        desk.submit("button[name=approve]")
        article = page.locator(f"#cb-{contactless.pk}")
        article.locator("summary", has_text="Nie składaj (z podaniem powodu)").click()
        article.get_by_label("Powód").fill("Klient odpowiada za płatność zbliżeniową bez PIN.")
        desk.submit(f"#cb-{contactless.pk} form[action$='/abandon/'] button[type=submit]")
        page.locator(f"#cb-{atm.pk}").scroll_into_view_if_needed()
        text = " ".join(page.inner_text(f"#cb-{atm.pk}").split())
        assert "wygrany: agent rozliczeniowy uznaje 650,00 zł" in text
        assert "second-presentment.pdf" in text and "zawiadomienie-policja.pdf" in text
        desk.shot("11-chargeback-won")
        desk.go("/back-office/queue/chargebacks/")
        assert queue_rows(page) == ["Brak obciążeń zwrotnych."]
        browser.close()

    atm.refresh_from_db()
    contactless.refresh_from_db()
    assert (atm.state, contactless.state) == (ChargebackState.WON, ChargebackState.NOT_FILED)
    assert list(atm.ledger_entries.values_list("kind", "amount", "actor__username")) == [
        ("CHARGEBACK_CREDIT", Decimal("650.00"), "supervisor")
    ]
    assert list(atm.documents.values_list("evidence__original_name", "direction")) == [
        (police.original_name, "SENT"),
        ("second-presentment.pdf", "RECEIVED"),
    ]
