"""The auditor's report page in a real browser, on the demo data, and the PDF report rendered to PNG.

Screenshots go to docs/screenshots/ with KARTOSFERA_UPDATE_SCREENSHOTS=1 (`make screenshots`), else to
var/screenshots/. Skips where /usr/bin/chromium is absent; the PDF's PNG needs pdftoppm (poppler-utils).
"""

import shutil
import subprocess

import pytest

from customers.models import User
from demo import seed_demo
from disputes.backoffice.services import staff_totp_device_ensure
from kartosfera import clock
from reports.pdf import report_pdf_download
from reports.rules import default_period
from tests.browser.test_backoffice_journey import PASSWORD, Desk
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_the_auditor_reads_the_report_of_the_last_full_month(live_server, settings, monkeypatch, tmp_path):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    seed_demo(now=clock.now())
    auditor = User.objects.get(username="auditor")
    auditor.set_password(PASSWORD)
    auditor.save()
    device = staff_totp_device_ensure(user=auditor)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="pl-PL")
        page.set_default_timeout(15_000)
        desk = Desk(page, live_server.url)
        desk.sign_in(auditor, device)
        page.locator("header nav a[href='/reports/']").click()
        page.wait_for_load_state("load")
        main = page.inner_text("main")
        assert "Zwroty D+1 w terminie" in main
        assert page.locator("svg[role=img]").count() == 6
        page.screenshot(path=str(SCREENSHOTS / "reports-auditor.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SCREENSHOTS / "reports-auditor-375.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        # Drill down from the count of claims received to its cases, and on to a case's replay.
        page.locator("main a[href*='figure=received.all']").first.click()
        page.wait_for_load_state("load")
        assert page.locator("main tbody tr").count() >= 1
        page.locator("main tbody a[href$='/replay/']").first.click()
        page.wait_for_load_state("load")
        assert "UUP-46-1" in page.inner_text("main")
        browser.close()

    if shutil.which("pdftoppm"):
        document = report_pdf_download(
            period=default_period(clock.today_warsaw()), actor=auditor, language="pl", now=clock.now()
        )
        pdf_path = tmp_path / "report.pdf"
        pdf_path.write_bytes(document.pdf_bytes)
        subprocess.run(  # noqa: S603 (fixed arguments, our own file)
            [
                shutil.which("pdftoppm"),
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf_path),
                str(SCREENSHOTS / "reports-pdf"),
            ],
            check=True,
        )
