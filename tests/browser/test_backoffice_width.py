"""Every back-office page fits a 375 px phone, with one h1 and each id once: the page never scrolls
sideways; a wide table scrolls inside its own container, a labelled region. The case page is the
fullest: liability lines, letters, chargebacks with their history, long unbroken text typed by a
customer. Skips where /usr/bin/chromium is absent.
"""

from datetime import datetime

import pytest
from django.core.files.base import ContentFile

from disputes.backoffice.services import staff_totp_device_ensure
from disputes.models import EvidenceKind
from disputes.services import (
    case_add_evidence,
    case_add_note,
    case_assess_liability,
    case_assign,
    case_refund_provisionally,
    case_start_review,
    chargeback_file,
    chargeback_record_representment,
)
from kartosfera.legaltime import WARSAW
from liability.engine import Findings
from reports.verification import audit_verification_request, audit_verification_run
from tests.browser.test_backoffice_journey import PASSWORD, Desk
from tests.browser.test_portal_journey import CHROMIUM, CHROMIUM_ARGS, PHONE, SCREENSHOTS
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

# What sticks out of the viewport, and the page's own width against the viewport's.
OVERFLOW = """() => {
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.');
  const outside = e => !e.parentElement.closest('.table-scroll');
  const all = [...document.querySelectorAll('body *')].filter(outside);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: all.filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(name).slice(0, 8),
    overflowing: all.filter(e => e.scrollWidth > window.innerWidth)
      .map(e => name(e) + ' ' + e.scrollWidth).slice(0, 12),
  };
}"""

# Every scrolling table container is a region named by its heading or caption and reachable by keyboard.
UNLABELLED_SCROLLERS = """() => [...document.querySelectorAll('.table-scroll')]
  .filter(e => e.getAttribute('role') !== 'region' || !e.getAttribute('aria-labelledby')
          || !document.getElementById(e.getAttribute('aria-labelledby')) || e.tabIndex !== 0)
  .map(e => e.outerHTML.slice(0, 80))"""


def test_every_back_office_page_fits_a_375_px_phone(live_server, settings, time_machine, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    time_machine.move_to(START, tick=True)
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    supervisor = staff("supervisor", "supervisors")
    supervisor.set_password(PASSWORD)
    supervisor.first_name, supervisor.last_name = "Marek", "Wiśniewski"
    supervisor.save()
    device = staff_totp_device_ensure(user=supervisor)
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    rates_load_fixture(path=FIXTURE, now=START)
    theft = make_theft()
    case = submitted_case(theft, theft.user, received_at=datetime(2025, 5, 26, 10, 0, tzinfo=WARSAW))
    at = datetime(2025, 5, 26, 11, 0, tzinfo=WARSAW)
    case_start_review(case_id=case.pk, actor=supervisor, now=at)
    case_refund_provisionally(case_id=case.pk, actor=supervisor, now=at)
    case_assign(case_id=case.pk, assignee=supervisor, actor=supervisor, now=at)
    case_assess_liability(
        case_id=case.pk,
        findings=Findings(gross_negligence=True),
        note="PIN zapisany na karcie " * 20,
        actor=supervisor,
        now=at,
    )
    case_add_note(case_id=case.pk, text="x" * 1500, actor=supervisor, now=at)  # no place to break a line
    police = case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.POLICE_REPORT,
        file=ContentFile(PDF, name="zawiadomienie-o-przestepstwie-kradziezy-karty-platniczej-2025.pdf"),
        actor=supervisor,
        now=at,
    )
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(
        chargeback_id=atm.pk,
        acquirer_reference="7" * 64,
        evidence_ids=[police.pk],
        actor=supervisor,
        now=datetime(2025, 5, 27, 9, 0, tzinfo=WARSAW),
    )
    chargeback_record_representment(
        chargeback_id=atm.pk, note="y" * 2000, actor=supervisor, now=datetime(2025, 6, 2, 9, 0, tzinfo=WARSAW)
    )
    verification = audit_verification_request(actor=supervisor, anchors={}, now=START)
    audit_verification_run(verification_id=verification.pk, clock=lambda: START)
    pages = [
        "/back-office/queue/mine/",
        "/back-office/queue/unassigned/",
        "/back-office/queue/due_today/",
        "/back-office/queue/breached/",
        "/back-office/queue/awaiting/",
        "/back-office/queue/chargebacks/",
        "/back-office/queue/fraud/",
        "/back-office/queue/all/",
        "/back-office/approvals/",
        f"/back-office/cases/{case.pk}/",
        f"/back-office/customers/{case.customer_id}/",
        f"/back-office/search/?q={theft.customer.last_name}",
        "/back-office/claims/new/?q=Anna",
        f"/back-office/claims/new/?customer={case.customer_id}&card={case.card_id}",
        "/back-office/postings/",
        "/reports/audit/",
        f"/reports/audit/{verification.pk}/",
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE, locale="pl-PL")
        page.set_default_timeout(15_000)
        desk = Desk(page, live_server.url)
        desk.sign_in(supervisor, device)
        problems = {}
        for path in pages:
            desk.go(path)
            assert page.locator("h1").count() == 1, path
            duplicate_ids = page.evaluate(
                "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
                " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
            )
            assert duplicate_ids == [], (path, duplicate_ids)
            measured = page.evaluate(OVERFLOW)
            unlabelled = page.evaluate(UNLABELLED_SCROLLERS)
            if measured["scrollWidth"] > measured["innerWidth"] or measured["wide"] or unlabelled:
                problems[path] = {**measured, "unlabelled": unlabelled}
            if path == f"/back-office/cases/{case.pk}/":
                # The liability table scrolls inside its region; the page does not.
                region = page.locator("section[aria-labelledby=liab-h] .table-scroll")
                assert region.get_attribute("role") == "region"
                assert region.get_attribute("aria-labelledby") == "liab-h"
                case_width = page.evaluate("() => document.documentElement.scrollWidth")
                desk.shot("case-375px")
        browser.close()

    assert problems == {}
    assert case_width <= PHONE["width"]
