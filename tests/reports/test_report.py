"""The report's figures of a small seeded dataset, against values counted by hand; access; the PDF."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from audit.models import AuditEntry
from chargebacks.models import Chargeback
from disputes.models import Case, LiabilityAssessment
from ledger.models import LedgerEntry
from reports.rules import Period
from reports.selectors import figure_cases, report_figures
from tests.backoffice.conftest import sign_in
from tests.disputes.conftest import make_theft, staff, submitted_case, warsaw

NOW = warsaw(2025, 7, 15, 12, 0)
MAY = Period(date(2025, 5, 1), date(2025, 5, 31))
JUNE = Period(date(2025, 6, 1), date(2025, 6, 30))


@pytest.fixture
def dataset(db, eur_rates, time_machine):
    """Three claims received Mon 26 May 2025 10:00: D+1 due Tue 27 May, reply due Wed 25 June."""
    time_machine.move_to(NOW, tick=False)
    analyst = staff("analyst", "analysts")
    cases = []
    for username, brand, channel in (
        ("anna", "MASTERCARD", "PORTAL"),
        ("jan", "VISA", "PHONE"),
        ("ola", "MASTERCARD", "PORTAL"),
    ):
        theft = make_theft(username=username, brand=brand)
        cases.append(submitted_case(theft, analyst, channel=channel))
    a, b, c = cases
    Case.objects.filter(pk=a.pk).update(
        refunded_at=warsaw(2025, 5, 27, 15, 0),
        refund_confirmed_at=warsaw(2025, 5, 27, 15, 0),
        reply_dispatched_at=warsaw(2025, 6, 20, 9, 0),
    )
    Case.objects.filter(pk=b.pk).update(
        refunded_at=warsaw(2025, 5, 28, 9, 0),
        refund_confirmed_at=warsaw(2025, 5, 28, 9, 0),
        deemed_accepted_at=warsaw(2025, 6, 26, 1, 0),
    )
    Case.objects.filter(pk=c.pk).update(
        refund_withheld_at=warsaw(2025, 5, 27, 10, 0), refund_withheld_grounds="Podejrzenie oszustwa."
    )
    return a, b, c


def test_the_figures_equal_the_hand_count(dataset):
    assert {case.refund_due_on for case in dataset} == {date(2025, 5, 27)}
    assert {case.reply_due_on for case in dataset} == {date(2025, 6, 25)}

    may = report_figures(period=MAY, now=NOW)
    # D+1 due 27 May: A refunded 27 May 15:00 (in time), B 28 May 09:00 (late), C withheld 27 May 10:00.
    # Share: in time / (in time + late) = 1 / (1 + 1) = 50.0 %; the lawful withholding is not judged.
    assert [(f.key, f.count) for f in may.refunds.figures] == [
        ("refund.all", 3),
        ("refund.in_time", 1),
        ("refund.late", 1),
        ("refund.withheld", 1),
        ("refund.withdrawn", 0),
        ("refund.pending", 0),
    ]
    assert (may.refunds.met, may.refunds.judged, may.refunds.share) == (1, 2, Decimal("50.0"))
    # Volumes: all three received in May, all STOLEN; PORTAL 2 (A, C), PHONE 1 (B); Mastercard 2, Visa 1.
    # Each claim disputes 800.00 + 120.00 = 920.00 PLN, so 3 x 920.00 = 2760.00 PLN.
    assert (may.received.count, may.received.amount) == (3, Decimal("2760.00"))
    assert {f.key: f.count for f in may.by_cause}["cause.STOLEN"] == 3
    assert {f.key: f.count for f in may.by_channel} == {
        "channel.PORTAL": 2,
        "channel.PHONE": 1,
        "channel.BRANCH": 0,
        "channel.LINE_828": 0,
        "channel.STAFF": 0,
    }
    assert {f.key: f.count for f in may.by_brand} == {"brand.VISA": 1, "brand.MASTERCARD": 2}
    # Open at the end of May, received 26 May: 31 - 26 = 5 days old, all in 0-7.
    assert [f.count for f in may.ageing] == [3, 0, 0, 0, 0]
    # No reply is due in May.
    assert (may.replies.judged, may.replies.share) == (0, None)

    june = report_figures(period=JUNE, now=NOW)
    # Replies due 25 June: A dispatched 20 June (in time), B deemed accepted (REK-8), C none by 15 July
    # (overdue). Share: 1 / (1 + 0 late + 1 deemed + 1 overdue) = 33.3 %.
    assert {f.key: f.count for f in june.replies.figures} == {
        "reply.all": 3,
        "reply.in_time": 1,
        "reply.late": 0,
        "reply.deemed": 1,
        "reply.overdue": 1,
        "reply.withdrawn": 0,
        "reply.pending": 0,
    }
    assert june.replies.share == Decimal("33.3")
    assert june.received.count == 0


def test_a_deemed_acceptance_stays_deemed_once_its_notice_is_posted(dataset):
    _a, b, _c = dataset
    # B was deemed accepted (REK-8) at 01:00 on 26 June, past its reply deadline; the notice of it went
    # out by post on 27 June, and its dispatch is recorded as the reply. It was not a reply sent late:
    # the law settled the complaint first, and the report counted it as deemed the day before.
    Case.objects.filter(pk=b.pk).update(reply_dispatched_at=warsaw(2025, 6, 27, 15, 0))

    june = report_figures(period=JUNE, now=NOW)

    figures = {f.key: f.count for f in june.replies.figures}
    assert (figures["reply.late"], figures["reply.deemed"]) == (0, 1)
    assert june.replies.share == Decimal("33.3")
    deemed = figure_cases(period=JUNE, key="reply.deemed", now=NOW).page.object_list
    assert [case.pk for case in deemed] == [b.pk]
    assert list(figure_cases(period=JUNE, key="reply.late", now=NOW).page.object_list) == []


def test_a_refund_the_core_system_confirmed_after_d1_is_late_whatever_the_ledger_says(dataset):
    a, _b, _c = dataset
    # A's ledger recorded the refund on 27 May 15:00; the core system confirmed the credit 28 May 08:00.
    Case.objects.filter(pk=a.pk).update(refund_confirmed_at=warsaw(2025, 5, 28, 8, 0))

    may = report_figures(period=MAY, now=NOW)
    assert [(f.key, f.count) for f in may.refunds.figures][1:3] == [("refund.in_time", 0), ("refund.late", 2)]
    # Recorded and not confirmed, with D+1 still running: pending, not made.
    Case.objects.filter(pk=a.pk).update(refund_confirmed_at=None)
    early = report_figures(period=MAY, now=warsaw(2025, 5, 27, 16, 0))
    assert dict((f.key, f.count) for f in early.refunds.figures)["refund.pending"] == 1


def test_the_drill_down_lists_the_cases_of_the_figure(dataset):
    a, b, c = dataset
    found = figure_cases(period=MAY, key="refund.late", now=NOW)
    assert [case.pk for case in found.page.object_list] == [b.pk]
    found = figure_cases(period=MAY, key="channel.PORTAL", now=NOW)
    assert [case.pk for case in found.page.object_list] == [a.pk, c.pk]


@pytest.mark.parametrize("group", ["auditors", "supervisors"])
def test_report_readers_see_the_report_and_nothing_changes(dataset, client, group, django_assert_num_queries):
    reader = staff("reader", group)
    sign_in(client, reader)
    before = list(Case.objects.order_by("pk").values())
    response = client.get("/reports/?from=2025-05-01&to=2025-05-31")
    assert response.status_code == 200
    assert b'role="img"' in response.content
    assert b"figure=refund.late" in response.content
    assert list(Case.objects.order_by("pk").values()) == before
    response = client.get("/reports/cases/?from=2025-05-01&to=2025-05-31&figure=refund.late")
    assert dataset[1].number.encode() in response.content
    response = client.get(f"/reports/cases/{dataset[0].pk}/replay/")
    assert response.status_code == 200
    assert b"UUP-46-1" in response.content


def test_the_replay_shows_each_input_as_the_audit_log_holds_it(dataset, client):
    # The inputs were written as Python shows them ("found_at: None"), not as the log and its export do.
    sign_in(client, staff("auditor", "auditors"))

    page = client.get(f"/reports/cases/{dataset[0].pk}/replay/").content.decode()

    assert "found_at: null" in page
    assert "found_at: None" not in page
    assert "extended: false" in page


def test_the_report_page_reads_in_a_fixed_number_of_queries(dataset, client, django_assert_num_queries):
    sign_in(client, staff("auditor", "auditors"))
    client.get("/reports/?from=2025-05-01&to=2025-05-31")
    # Session, user, TOTP device, one permission read (the back office's and the reports' permissions
    # alike) and the three aggregates (cases, ledger, chargebacks): 7, whatever the data (the session is
    # written once a minute, not here).
    with django_assert_num_queries(7):
        client.get("/reports/?from=2025-05-01&to=2025-05-31")
    make_theft(username="ewa")
    submitted_case(
        make_theft(username="iga"), staff("analyst2", "analysts"), received_at=warsaw(2025, 5, 26, 11, 0)
    )
    with django_assert_num_queries(7):
        client.get("/reports/?from=2025-05-01&to=2025-05-31")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-06-01&to=2025-05-01", b"The start of the period is after its end."),
        ("from=2025-07-01&to=2025-07-31", b"The period may not end after today."),
        ("from=2025-05-01&to=nonsense", b"Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_message(dataset, client, query, message, settings):
    settings.LANGUAGE_CODE = "en"
    sign_in(client, staff("auditor", "auditors"))
    response = client.get(f"/reports/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content


@pytest.mark.parametrize("group", ["analysts"])
def test_analysts_customers_and_anonymous_are_refused(dataset, client, group):
    assert client.get("/reports/").status_code == 302
    client.force_login(dataset[0].customer.user)
    assert client.get("/reports/").status_code in (302, 403)
    client.logout()
    sign_in(client, staff("someone", group))
    assert client.get("/reports/?from=2025-05-01&to=2025-05-31").status_code == 403
    assert client.post("/reports/pdf/", {"from": "2025-05-01", "to": "2025-05-31"}).status_code == 403
    assert not AuditEntry.objects.filter(action="report.pdf_downloaded").exists()


def test_the_pdf_holds_the_figures_and_its_hash_is_audited(dataset, client):
    sign_in(client, staff("auditor", "auditors"))
    response = client.post("/reports/pdf/", {"from": "2025-05-01", "to": "2025-05-31"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "50" in text and "Kartosfera" in text
    entry = AuditEntry.objects.get(action="report.pdf_downloaded")
    assert entry.data["sha256"] == response["X-Content-SHA256"]
    assert entry.data["from"] == "2025-05-01"


@pytest.fixture
def money_dataset(dataset):
    """On A: the 800.00 PLN withdrawal refunded 27 May, 212.71 PLN of it recovered 3 June; the case
    decided 2 June on an assessment customer 212.71 / bank 707.29; B's Visa chargebacks: 800.00 won,
    120.00 filed."""
    a, b, _c = dataset
    atm_a = a.disputed.get(amount=Decimal("800.00")).transaction
    LedgerEntry.objects.create(
        case=a,
        transaction=atm_a,
        kind="PROVISIONAL_REFUND",
        amount=Decimal("800.00"),
        disputed_amount=Decimal("800.00"),
        idempotency_key="a-refund",
        created_at=warsaw(2025, 5, 27, 15, 0),
    )
    LedgerEntry.objects.create(
        case=a,
        transaction=atm_a,
        kind="RECOVERY",
        amount=Decimal("212.71"),
        disputed_amount=Decimal("800.00"),
        idempotency_key="a-recovery",
        created_at=warsaw(2025, 6, 3, 9, 0),
    )
    assessment = LiabilityAssessment.objects.create(
        case=a,
        kind="ANALYST",
        findings={},
        inputs={},
        result={},
        disputed_amount=Decimal("920.00"),
        customer_total=Decimal("212.71"),
        bank_total=Decimal("707.29"),
        created_at=warsaw(2025, 6, 2, 11, 0),
    )
    Case.objects.filter(pk=a.pk).update(decision_assessment=assessment, decided_at=warsaw(2025, 6, 2, 12, 0))
    # Submission opened a DRAFT chargeback for each settled transaction (26 May 10:00): B's two are
    # now filed, and the 800.00 one won on 30 May.
    for amount, state, resolved_at in (
        (Decimal("800.00"), "WON", warsaw(2025, 5, 30, 10, 0)),
        (Decimal("120.00"), "FILED", None),
    ):
        Chargeback.objects.filter(case=b, amount=amount).update(
            state=state, filed_at=warsaw(2025, 5, 28, 10, 0), resolved_at=resolved_at
        )
    return dataset


def test_money_liability_and_chargebacks_equal_the_hand_count(money_dataset):
    a, b, _c = money_dataset
    may, june = report_figures(period=MAY, now=NOW), report_figures(period=JUNE, now=NOW)
    money = {f.key: (f.count, f.amount) for f in may.money}
    # May: one provisional refund of 800.00 (A); the recovery is in June.
    assert money["ledger.PROVISIONAL_REFUND"] == (1, Decimal("800.00"))
    assert money["ledger.RECOVERY"] == (0, Decimal("0.00"))
    assert {f.key: (f.count, f.amount) for f in june.money}["ledger.RECOVERY"] == (1, Decimal("212.71"))
    # Decided in June: A, customer 212.71 + bank 707.29 = 920.00; nothing decided in May.
    assert (june.liability_cases.count, june.liability_customer, june.liability_bank) == (
        1,
        Decimal("212.71"),
        Decimal("707.29"),
    )
    assert may.liability_cases.count == 0
    # Chargebacks opened in May (at submission, 26 May), Visa (B): won 800.00, open (filed) 120.00;
    # Mastercard (A and C, still drafts): open 2 + 2 = 4, 920.00 + 920.00 = 1840.00.
    visa = {f.key: (f.count, f.amount) for f in may.chargebacks[0].figures}
    mastercard = {f.key: (f.count, f.amount) for f in may.chargebacks[1].figures}
    assert mastercard["chargeback.MASTERCARD.OPEN"] == (4, Decimal("1840.00"))
    assert visa == {
        "chargeback.VISA.WON": (1, Decimal("800.00")),
        "chargeback.VISA.LOST": (0, Decimal("0.00")),
        "chargeback.VISA.OPEN": (1, Decimal("120.00")),
        "chargeback.VISA.NOT_FILED": (0, Decimal("0.00")),
    }
    found = figure_cases(period=MAY, key="chargeback.VISA.WON", now=NOW)
    assert [case.pk for case in found.page.object_list] == [b.pk]
    found = figure_cases(period=JUNE, key="liability.decided", now=NOW)
    assert [case.pk for case in found.page.object_list] == [a.pk]


def test_chargeback_outcomes_are_counted_as_they_stood_at_the_end_of_the_period(money_dataset):
    _a, b, _c = money_dataset
    # Won on 2 June, after May ended: May's report still shows it open, then and later.
    Chargeback.objects.filter(case=b, amount=Decimal("800.00")).update(resolved_at=warsaw(2025, 6, 2, 9, 0))

    figures = {
        when: {
            f.key: (f.count, f.amount) for f in report_figures(period=MAY, now=when).chargebacks[0].figures
        }
        for when in (warsaw(2025, 6, 1, 12, 0), NOW)
    }

    expected = {
        "chargeback.VISA.WON": (0, Decimal("0.00")),
        "chargeback.VISA.LOST": (0, Decimal("0.00")),
        "chargeback.VISA.OPEN": (2, Decimal("920.00")),
        "chargeback.VISA.NOT_FILED": (0, Decimal("0.00")),
    }
    assert figures == {warsaw(2025, 6, 1, 12, 0): expected, NOW: expected}
    found = figure_cases(period=MAY, key="chargeback.VISA.OPEN", now=NOW)
    assert [case.pk for case in found.page.object_list] == [b.pk]
    assert list(figure_cases(period=MAY, key="chargeback.VISA.WON", now=NOW).page.object_list) == []


def test_an_unknown_figure_answers_404(dataset, client):
    sign_in(client, staff("auditor", "auditors"))
    assert client.get("/reports/cases/?from=2025-05-01&to=2025-05-31&figure=nonsense").status_code == 404
    assert client.get("/reports/cases/?from=2025-05-01&to=2025-05-31&figure=cause.NOPE").status_code == 404


def test_the_reports_link_is_shown_to_report_readers_only(dataset, client):
    sign_in(client, staff("auditor", "auditors"))
    case_page = client.get(f"/back-office/cases/{dataset[0].pk}/").content
    assert b'href="/reports/"' in case_page
    assert f'href="/reports/cases/{dataset[0].pk}/replay/"'.encode() in case_page
    client.logout()
    sign_in(client, staff("analyst2", "analysts"))
    case_page = client.get(f"/back-office/cases/{dataset[0].pk}/").content
    assert b'href="/reports/"' not in case_page
    assert b"/replay/" not in case_page


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("pl", "Każda liczba otwiera listę spraw, które liczy."),
        ("en", "Each count opens the list of the cases it counts."),
    ],
)
def test_the_report_points_to_its_case_lists_not_to_a_repository_file(dataset, client, language, sentence):
    sign_in(client, staff("auditor", "auditors"))
    client.cookies["django_language"] = language

    page = client.get("/reports/?from=2025-05-01&to=2025-05-31").content.decode()
    pdf = client.post("/reports/pdf/", {"from": "2025-05-01", "to": "2025-05-31"})
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)

    assert sentence in page
    assert "REPORTS.md" not in page
    assert "REPORTS.md" not in pdf_text


@pytest.mark.parametrize(
    ("language", "received", "liability", "sentence"),
    [
        (
            "pl",
            "Wolumeny: przyjęte reklamacje",
            "Podział odpowiedzialności: sprawy rozstrzygnięte na podstawie oceny odpowiedzialności",
            "Sprawy rozstrzygnięte na podstawie oceny odpowiedzialności: ",
        ),
        (
            "en",
            "Volumes: claims received",
            "Liability split: cases decided with a liability assessment",
            "Cases decided with a liability assessment: ",
        ),
    ],
)
def test_every_list_title_names_its_section_and_no_sentence_starts_lowercase(
    dataset, client, language, received, liability, sentence
):
    sign_in(client, staff("auditor", "auditors"))
    client.cookies["django_language"] = language
    query = "from=2025-05-01&to=2025-05-31"

    page = client.get(f"/reports/?{query}").content.decode()
    received_list = client.get(f"/reports/cases/?{query}&figure=received.all").content.decode()
    liability_list = client.get(f"/reports/cases/?{query}&figure=liability.decided").content.decode()

    assert f"<h1>{received}</h1>" in received_list
    assert f"<h1>{liability}</h1>" in liability_list
    assert f"<p>{sentence}" in page
    assert "</a>: " not in page.split('id="liability-h"')[1].split("</p>")[0]  # one colon, not two


def test_replied_in_time_is_the_workflows_own_definition(dataset, monkeypatch):
    """The report judges a reply with the workflow's ``REPLY_NOT_IN_TIME`` (the REK-8 sweep's), not a
    filter of its own: a change to that one definition moves the report's figures with it."""
    from django.db.models import F, Q

    from reports.selectors import _filters

    stricter = Q(reply_dispatched_at__isnull=True) | Q(
        reply_dispatched_at__gte=F("reply_due_at") - timedelta(days=10)
    )
    monkeypatch.setattr(_filters, "REPLY_NOT_IN_TIME", stricter)

    figures = {f.key: f.count for f in report_figures(period=JUNE, now=NOW).replies.figures}

    # A's reply left on 20 June, within ten days of its deadline's end (midnight after 25 June).
    assert (figures["reply.in_time"], figures["reply.late"], figures["reply.deemed"]) == (0, 1, 1)


def test_the_replay_recomputes_each_liability_assessment_and_says_it_agrees(dataset, client):
    sign_in(client, staff("auditor", "auditors"))

    page = client.get(f"/reports/cases/{dataset[0].pk}/replay/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Same result: the recorded figures follow from the recorded inputs." in page
    assert "Different result" not in page


def test_a_recorded_assessment_whose_figures_were_changed_is_told_as_a_different_result(dataset):
    from dataclasses import replace

    from reports.selectors._drilldown import _recomputed, case_replay_page

    rows = case_replay_page(case_id=dataset[0].pk).rows
    liability = next(row.computation for row in rows if row.computation.engine == "liability")
    deadline = next(row.computation for row in rows if row.computation.engine == "deadlines")
    changed = {**liability.result, "customer_total": "0.01"}

    assert _recomputed(liability) is True
    assert _recomputed(replace(liability, result=changed)) is False
    assert _recomputed(deadline) is None
    assert _recomputed(replace(liability, result={"not": "an assessment"})) is None
