"""Chargebacks in the back office: the case page's section, each step of the scheme cycle through the
page, the four-eyes result with its ledger entries, the queue of chargebacks, the alerts, and the
case queues that count running clocks only (exact orders)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse

from chargebacks.models import Chargeback, ChargebackState
from deadlines.wording import readable_explanation
from disputes.backoffice.selectors import (
    QueueFilters,
    chargeback_alerts_for,
    chargeback_queue,
    filing_missed_days,
    queue_cases,
)
from disputes.models import CaseEvent, DecisionProposal, EvidenceKind
from disputes.services import (
    ActionNotPermitted,
    FourEyesRequired,
    case_add_evidence,
    case_assess_liability,
    case_assign,
    case_decide,
    case_dispatch_reply,
    case_refund_provisionally,
    case_start_review,
    chargeback_abandon,
    chargeback_file,
    chargeback_resolve,
    chargebacks_alert_filing_due,
    proposal_approve,
)
from kartosfera.legaltime import warsaw_date
from liability.engine import Findings
from reports.rules import Period
from reports.selectors import figure_cases
from tests.backoffice.conftest import make_theft, submitted_case, warsaw
from tests.disputes.helpers import confirm_postings, ledger

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The disputes side records the dispatch the letters app reports; these tests stand in for it.
LETTER = 1


def _decided(case, analyst, supervisor, *, dispatched_on: int = 3):
    """Reviewed, refunded, assessed, accepted and its reply dispatched in early June 2025."""
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 27, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 27, 12, 0))
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0))
    at = warsaw(2025, 6, dispatched_on, 15, 0)
    case_dispatch_reply(
        letter_id=LETTER, channel="POST", case_id=case.pk, dispatched_at=at, actor=None, now=at
    )
    case.refresh_from_db()
    return case


def _chargeback_url(case, chargeback, action: str) -> str:
    return reverse(
        "backoffice:chargeback_action",
        kwargs={"case_id": case.pk, "chargeback_id": chargeback.pk, "action": action},
    )


def test_the_case_page_shows_each_chargeback_with_its_running_deadline(case, analyst, as_staff):
    html = as_staff(analyst).get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    body = html.content.decode()
    atm, contactless = case.chargebacks.order_by("pk")

    assert body.count('<article class="chargeback"') == 2
    assert f'id="cb-{atm.pk}"' in body and f'id="cb-{contactless.pk}"' in body
    # The transaction's day in words in the page's language, as every other date of the back office.
    assert "Mastercard 4870 — Euronet ATM, 23 May 2025" in body
    polish = as_staff(analyst).get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl")
    assert "Mastercard 4870 — Euronet ATM, 23 maja 2025" in polish.content.decode()
    assert "file before the end of" in body and "(CB-MC-4837)" in body
    # The deadline's explanation as the deadlines engine wrote it, its dates in words as the case's own
    # deadlines read (never the stored ISO dates), and the case's nearest window.
    assert readable_explanation(atm.deadline_explanations["filing"]["explanation_en"], language="en") in body
    assert "due by the end of 23 September 2025 (Tuesday), i.e. before midnight at the start of" in body
    assert "2025-09-23" not in body and "T00:00:00" not in body
    assert case.chargebacks.values_list("filing_due_on", flat=True).distinct().get() == date(2025, 9, 23)
    case.refresh_from_db()
    assert (case.chargeback_due_on, case.chargeback_due_at) == (date(2025, 9, 23), warsaw(2025, 9, 24, 0, 0))
    assert f'action="{_chargeback_url(case, atm, "file")}"' in body
    assert f'action="{_chargeback_url(case, atm, "abandon")}"' in body
    assert f'action="{_chargeback_url(case, atm, "result")}"' not in body  # nothing filed yet


def test_a_chargeback_is_worked_from_filing_through_a_representment_to_a_won_result(
    case, theft, analyst, supervisor, as_staff, client, time_machine
):
    case = _decided(case, analyst, supervisor)
    police = case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.POLICE_REPORT,
        file=SimpleUploadedFile("zgloszenie-policja.pdf", PDF),
        actor=analyst,
        now=warsaw(2025, 6, 4, 9, 0),
    )
    atm = case.chargebacks.get(transaction=theft.atm)
    time_machine.move_to(warsaw(2025, 6, 5, 10, 0), tick=False)
    as_staff(analyst)

    # Filed for part of the amount, with the police report.
    response = client.post(
        _chargeback_url(case, atm, "file"),
        {
            "acquirer_reference": "MC-ARN-7781",
            "reason_code": "4870",
            "amount": "650,00",
            "evidence": [police.pk],
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#cb-{atm.pk}")
    atm.refresh_from_db()
    assert (atm.state, atm.amount, atm.acquirer_reference, atm.filed_at) == (
        ChargebackState.FILED,
        Decimal("650.00"),
        "MC-ARN-7781",
        warsaw(2025, 6, 5, 10, 0),
    )
    assert list(atm.documents.values_list("evidence_id", "direction", "stage")) == [
        (police.pk, "SENT", "FILED")
    ]
    case.refresh_from_db()  # the contactless draft still runs; the filed one no longer does
    assert case.chargeback_due_on == date(2025, 9, 23)

    # The acquirer's second presentment, with its document: CB-MC-2P starts (45 days from filing).
    time_machine.move_to(warsaw(2025, 6, 20, 10, 0), tick=False)
    as_staff(analyst)  # signed in again: the session ended with the days that passed
    client.post(
        _chargeback_url(case, atm, "representment"),
        {"note": "Transakcja z PIN-em", "document": SimpleUploadedFile("second-presentment.pdf", PDF + b"2")},
    )
    atm.refresh_from_db()
    assert (atm.state, atm.response_rule, atm.response_due_on) == (
        ChargebackState.REPRESENTED,
        "CB-MC-2P",
        date(2025, 7, 20),
    )
    received = atm.documents.get(direction="RECEIVED")
    assert (received.evidence.kind, received.evidence.original_name, received.stage) == (
        EvidenceKind.ACQUIRER_DOCUMENT,
        "second-presentment.pdf",
        "REPRESENTED",
    )
    chargeback_abandon(
        chargeback_id=case.chargebacks.get(transaction=theft.contactless).pk,
        reason="Klient odpowiada za transakcję zbliżeniową",
        actor=analyst,
        now=warsaw(2025, 6, 20, 10, 5),
    )
    case.refresh_from_db()
    assert (case.chargeback_due_on, case.chargeback_due_at) == (date(2025, 7, 20), warsaw(2025, 7, 21, 0, 0))

    # Disputed: pre-arbitration, then arbitration.
    client.post(_chargeback_url(case, atm, "escalate"), {"reason": "Nagranie CCTV", "evidence": [police.pk]})
    client.post(_chargeback_url(case, atm, "escalate"), {"reason": ""})
    atm.refresh_from_db()
    assert atm.state == ChargebackState.ARBITRATION
    case.refresh_from_db()
    assert case.chargeback_due_at is None  # the scheme is to rule: no clock of the bank's runs

    # The result: proposed by the analyst, approved by a supervisor; only then the credit is booked.
    client.post(
        _chargeback_url(case, atm, "result"), {"won": "1", "reason": "Schemat orzekł na korzyść banku"}
    )
    proposal = DecisionProposal.objects.get(chargeback=atm)
    assert (proposal.kind, proposal.status, proposal.data["won"], proposal.data["amount"]) == (
        "CHARGEBACK",
        "PENDING",
        True,
        "650.00",
    )
    assert [kind for _, kind, _ in ledger(case)] == ["PROVISIONAL_REFUND", "PROVISIONAL_REFUND"]
    proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=warsaw(2025, 8, 1, 10, 0))

    atm.refresh_from_db()
    assert atm.state == ChargebackState.WON
    assert ledger(case)[2:] == [(theft.atm.pk, "CHARGEBACK_CREDIT", Decimal("650.00"))]
    assert list(atm.transitions.values_list("name", "from_state", "to_state", "actor__username")) == [
        ("file", "DRAFT", "FILED", "analyst"),
        ("record_representment", "FILED", "REPRESENTED", "analyst"),
        ("escalate_to_pre_arbitration", "REPRESENTED", "PRE_ARBITRATION", "analyst"),
        ("escalate_to_arbitration", "PRE_ARBITRATION", "ARBITRATION", "analyst"),
        ("win", "ARBITRATION", "WON", "supervisor"),
    ]
    page = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "won: the acquirer credits PLN 650.00" in page.replace("\xa0", " ")
    assert "zgloszenie-policja.pdf" in page and "second-presentment.pdf" in page
    assert "Taken to pre-arbitration — Nagranie CCTV" in page and "Won — Schemat orzekł" in page


def test_an_accepted_representment_leaves_the_bank_its_loss(
    case, theft, analyst, supervisor, as_staff, client
):
    case = _decided(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN-1", actor=analyst, now=warsaw(2025, 6, 5))
    as_staff(analyst)
    client.post(_chargeback_url(case, atm, "representment"), {"note": "PIN"})

    client.post(_chargeback_url(case, atm, "result"), {"won": "0", "reason": "Transakcja z chipem i PIN-em"})
    proposal_approve(
        proposal_id=DecisionProposal.objects.get(chargeback=atm).pk, actor=supervisor, now=warsaw(2025, 6, 6)
    )

    atm.refresh_from_db()
    assert atm.state == ChargebackState.LOST
    assert [kind for _, kind, _ in ledger(case)] == ["PROVISIONAL_REFUND", "PROVISIONAL_REFUND"]
    assert atm.transitions.get(name="lose").data["bank_loss"] == "800.00"
    page = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "lost: the bank keeps the loss of PLN 800.00" in page.replace("\xa0", " ")


def test_the_analyst_cannot_book_a_result_alone(case, theft, analyst, supervisor, as_staff, client):
    case = _decided(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN-1", actor=analyst, now=warsaw(2025, 6, 5))
    as_staff(analyst)
    client.post(_chargeback_url(case, atm, "result"), {"won": "1", "reason": ""})
    proposal = DecisionProposal.objects.get(chargeback=atm)

    with pytest.raises(ActionNotPermitted):  # an analyst approves nothing
        proposal_approve(proposal_id=proposal.pk, actor=analyst, now=warsaw(2025, 6, 6))
    with pytest.raises(FourEyesRequired):  # and the result is never booked without an approval
        chargeback_resolve(
            chargeback_id=atm.pk, won=True, actor=supervisor, now=warsaw(2025, 6, 6), approval=None
        )
    atm.refresh_from_db()
    assert atm.state == ChargebackState.FILED
    assert not case.ledger_entries.filter(kind="CHARGEBACK_CREDIT").exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("800.01", "The chargeback amount must be more than 0 and at most the disputed PLN\xa0800.00."),
        ("0", "Amount to charge back (PLN): Ensure this value is greater than or equal to 0.01."),
    ],
)
def test_a_wrong_amount_is_refused_and_changes_nothing(
    case, theft, analyst, as_staff, client, amount, message
):
    atm = case.chargebacks.get(transaction=theft.atm)
    as_staff(analyst)
    client.cookies["django_language"] = "en"

    response = client.post(
        _chargeback_url(case, atm, "file"), {"acquirer_reference": "ARN", "amount": amount}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [message]
    atm.refresh_from_db()
    assert (atm.state, atm.amount, atm.transitions.count()) == (ChargebackState.DRAFT, Decimal("800.00"), 0)


def test_a_refused_amount_is_said_as_the_pages_write_amounts_in_polish(
    case, theft, analyst, as_staff, client
):
    atm = case.chargebacks.get(transaction=theft.atm)
    as_staff(analyst)

    response = client.post(
        _chargeback_url(case, atm, "file"), {"acquirer_reference": "ARN", "amount": "800,01"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Kwota obciążenia zwrotnego musi być większa od 0 i nie większa niż kwestionowana kwota 800,00\xa0zł."
    ]
    atm.refresh_from_db()
    assert (atm.state, atm.transitions.count()) == (ChargebackState.DRAFT, 0)


def test_documents_of_another_case_cannot_be_sent(case, theft, analyst, eur_rates):
    other = submitted_case(make_theft(username="ewa"), analyst)
    foreign = case_add_evidence(
        case_id=other.pk,
        kind=EvidenceKind.OTHER,
        file=SimpleUploadedFile("cudzy.pdf", PDF),
        actor=analyst,
        now=warsaw(2025, 5, 26, 11, 0),
    )
    atm = case.chargebacks.get(transaction=theft.atm)

    with pytest.raises(Exception) as refused:
        chargeback_file(
            chargeback_id=atm.pk,
            acquirer_reference="ARN",
            evidence_ids=[foreign.pk],
            actor=analyst,
            now=warsaw(2025, 5, 26, 12, 0),
        )

    assert refused.value.code == "CHARGEBACK_DOCUMENT_INVALID"
    atm.refresh_from_db()
    assert (atm.state, atm.documents.count()) == (ChargebackState.DRAFT, 0)


# --- the queue of chargebacks and the alerts ---


def test_the_chargeback_queue_lists_chargebacks_by_their_deadline(
    case, theft, analyst, supervisor, eur_rates
):
    case = _decided(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN", actor=analyst, now=warsaw(2025, 6, 5))
    # A later claim: its drafts' windows end later (processed a week later).
    later_theft = make_theft(username="ewa")
    later_theft.atm.processed_on = later_theft.contactless.processed_on = date(2025, 6, 2)
    later_theft.atm.save()
    later_theft.contactless.save()
    later = submitted_case(later_theft, analyst, received_at=warsaw(2025, 6, 3, 9, 0))
    later_atm = later.chargebacks.get(transaction=later_theft.atm)
    later_contactless = later.chargebacks.get(transaction=later_theft.contactless)

    order = list(chargeback_queue(now=warsaw(2025, 6, 10)).values_list("pk", flat=True))

    # Drafts by filing window (23 Sep, then 30 Sep), then the filed one, waiting for the acquirer.
    assert order == [contactless.pk, later_atm.pk, later_contactless.pk, atm.pk]


def test_the_sweeps_alert_reaches_the_assignee_on_the_queue_and_the_case(
    case, theft, analyst, supervisor, as_staff, client, time_machine
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    now = warsaw(2025, 9, 12, 9, 0)  # 11 days before the window ends
    assert chargebacks_alert_filing_due(now=now, within=timedelta(days=14), batch_size=10) == 2
    time_machine.move_to(now, tick=False)
    atm = case.chargebacks.get(transaction=theft.atm)

    assert list(
        CaseEvent.objects.filter(kind="CHARGEBACK_ALERT", chargeback=atm).values_list(
            "data__recipient", flat=True
        )
    ) == [analyst.pk]
    as_staff(analyst)
    mine = client.get(reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Chargeback filing windows closing" in mine
    assert f'href="/back-office/cases/{case.pk}/#cb-{atm.pk}"' in mine
    queue = client.get(reverse("backoffice:queue", args=["chargebacks"]), HTTP_ACCEPT_LANGUAGE="en")
    assert [row.alert for row in queue.context["page"].rows] == [True, True]
    assert queue.content.decode().count("Euronet ATM, 23 May 2025") == 1
    assert queue.content.decode().count('<strong class="flag">Filing window closing</strong>') == 2
    page = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Filing window closing") == 2


def test_a_filing_window_that_ended_shows_as_missed_not_closing(
    case, theft, analyst, supervisor, as_staff, client, time_machine
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    assert (
        chargebacks_alert_filing_due(now=warsaw(2025, 9, 12, 9, 0), within=timedelta(days=14), batch_size=10)
        == 2
    )
    # Both windows ended with 23 September (CB-MC-4837, Warsaw): two days later, unfiled.
    time_machine.move_to(warsaw(2025, 9, 25, 9, 0), tick=False)
    as_staff(analyst)
    atm = case.chargebacks.get(transaction=theft.atm)

    mine = client.get(reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    moje = client.get(reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    queue = client.get(reverse("backoffice:queue", args=["chargebacks"]), HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Chargeback filing windows missed" in mine
    assert "Chargeback filing windows closing" not in mine
    assert f'href="/back-office/cases/{case.pk}/#cb-{atm.pk}"' in mine
    assert mine.count("the filing window ended on 23 September 2025 (CB-MC-4837), 2 days ago") == 2
    assert "Przekroczone terminy złożenia obciążeń zwrotnych" in moje
    assert moje.count("termin złożenia minął 23 września 2025 (CB-MC-4837), 2 dni temu") == 2
    assert "Kończące się terminy złożenia" not in moje
    body = queue.content.decode()
    assert [(row.filing_missed_days, row.filing_missed) for row in queue.context["page"].rows] == [
        (2, True),
        (2, True),
    ]
    assert (queue.context["page"].alerts, queue.context["page"].missed) == (0, 2)
    assert "2 chargebacks' filing windows were missed and they are not filed." in body
    assert "closing" not in body
    assert body.count('<strong class="flag">Filing window missed 2 days ago</strong>') == 2
    assert "Filing window closing" not in page
    assert page.count("Filing window missed 2 days ago") == 2
    assert page.count("the filing window ended on 23 September 2025 (CB-MC-4837)") == 2
    assert "file before the end of" not in page


@pytest.mark.parametrize(
    ("now", "missed_days"),
    [
        (warsaw(2025, 9, 23, 23, 59), None),  # the window's last day, Warsaw time: still closing
        (warsaw(2025, 9, 24, 0, 0), 1),  # 22:00 UTC on 23 September: the window has ended
        (warsaw(2025, 9, 29, 9, 0), 6),  # calendar days, as the scheme windows count
    ],
    ids=["last-day", "next-midnight", "days-later"],
)
def test_a_filing_window_is_missed_from_the_warsaw_midnight_after_its_last_day(case, now, missed_days):
    chargeback = case.chargebacks.order_by("pk").first()

    assert chargeback.filing_due_on == date(2025, 9, 23)
    assert filing_missed_days(chargeback, now=now, today=warsaw_date(now)) == missed_days


def test_a_window_missed_before_the_sweep_alerted_on_it_is_listed_and_a_filed_one_never(
    case, theft, analyst, supervisor
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN", actor=analyst, now=warsaw(2025, 6, 5))

    early = chargeback_alerts_for(user=analyst, now=warsaw(2025, 9, 23, 12, 0))
    late = chargeback_alerts_for(user=analyst, now=warsaw(2025, 9, 24, 8, 0))

    # The sweep has not run, yet the window closes that day: closing by its due date, not the flag.
    assert [chargeback.pk for chargeback in early.closing] == [contactless.pk] and early.missed == []
    assert late.closing == []
    assert [(missed.chargeback.pk, missed.days_ago) for missed in late.missed] == [(contactless.pk, 1)]


def test_missed_windows_beyond_a_page_never_push_a_closing_window_off_my_cases(
    case, theft, analyst, supervisor, as_staff, client, time_machine, monkeypatch
):
    monkeypatch.setattr("disputes.backoffice.selectors._chargebacks.PAGE_SIZE", 2)
    other = submitted_case(make_theft(username="a2"), analyst)
    for claim in (case, other):
        case_assign(case_id=claim.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    # Three windows ended on 23 September unfiled; the fourth, alerted on, runs to 15 October.
    closing = other.chargebacks.order_by("pk").last()
    Chargeback.objects.filter(pk=closing.pk).update(
        filing_due_on=date(2025, 10, 15), filing_due_at=warsaw(2025, 10, 16), alerted_at=warsaw(2025, 10, 1)
    )
    now = warsaw(2025, 10, 2, 9, 0)

    alerts = chargeback_alerts_for(user=analyst, now=now)
    time_machine.move_to(now, tick=False)
    as_staff(analyst)
    mine = client.get(reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    moje = client.get(reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    assert [chargeback.pk for chargeback in alerts.closing] == [closing.pk]
    assert [missed.days_ago for missed in alerts.missed] == [9, 9]
    assert (alerts.closing_total, alerts.missed_total, alerts.closing_more, alerts.missed_more) == (
        1,
        3,
        0,
        1,
    )
    assert f'href="/back-office/cases/{other.pk}/#cb-{closing.pk}"' in mine
    assert "Chargeback filing windows closing (1)" in mine
    assert "Chargeback filing windows missed (3)" in mine
    assert "1 more missed window is not listed here; the Chargebacks queue lists them all." in mine
    assert "closing window is not listed" not in mine
    assert "Jeszcze 1 przekroczony termin nie jest tu wymieniony" in moje


# --- case queues: running clocks only, and one definition of "breached" ---


def test_queues_sort_by_running_clocks_and_a_decided_case_never_sorts_above_a_breached_one(
    analyst, supervisor, eur_rates
):
    # Decided with the reply sent; its reply was due on 25 June, but that clock stopped on 3 June.
    decided = _decided(submitted_case(make_theft(username="a1"), analyst), analyst, supervisor)
    # The reply was never dispatched (due 26 June): breached on 1 July.
    late_reply = submitted_case(make_theft(username="a2"), analyst, received_at=warsaw(2025, 5, 27, 10, 0))
    case_start_review(case_id=late_reply.pk, actor=analyst, now=warsaw(2025, 5, 27, 11, 0))
    case_refund_provisionally(case_id=late_reply.pk, actor=analyst, now=warsaw(2025, 5, 27, 12, 0))
    # Decided, reply sent, and its chargebacks dropped: no clock runs at all.
    quiet = _decided(submitted_case(make_theft(username="a3"), analyst), analyst, supervisor)
    for chargeback in quiet.chargebacks.all():
        chargeback_abandon(
            chargeback_id=chargeback.pk, reason="brak prawa", actor=analyst, now=warsaw(2025, 6, 4)
        )
    # The core system confirmed every refund credit on 5 June: the refunds are made (late, but their
    # clocks have stopped).
    confirm_postings(at=warsaw(2025, 6, 5, 9, 0))
    now = warsaw(2025, 7, 1, 12, 0)

    ordered = list(queue_cases(name="all", user=analyst, now=now).values_list("pk", flat=True))
    breached = list(queue_cases(name="breached", user=analyst, now=now).values_list("pk", flat=True))

    # late_reply: reply breached 27 June 00:00; decided: its chargeback windows (24 Sep 00:00); quiet: none.
    assert ordered == [late_reply.pk, decided.pk, quiet.pk]
    assert breached == [late_reply.pk]
    # The reports' "deadline passed, no reply" is the very same breach.
    overdue = figure_cases(period=Period(date(2025, 6, 1), date(2025, 6, 30)), key="reply.overdue", now=now)
    assert [found.pk for found in overdue.page.object_list] == breached
    within_90 = queue_cases(name="all", user=analyst, now=now, filters=QueueFilters(due_within_days=90))
    assert list(within_90.values_list("pk", flat=True)) == [late_reply.pk, decided.pk]
    within_30 = queue_cases(name="all", user=analyst, now=now, filters=QueueFilters(due_within_days=30))
    assert list(within_30.values_list("pk", flat=True)) == [late_reply.pk]


def test_chargeback_deadlines_count_in_due_today_breached_and_the_lights(
    case, analyst, as_staff, client, time_machine
):
    due_day = warsaw(2025, 9, 23, 9, 0)

    assert list(queue_cases(name="due_today", user=analyst, now=due_day).values_list("pk", flat=True)) == [
        case.pk
    ]
    after = warsaw(2025, 9, 24, 0, 0)
    assert list(queue_cases(name="breached", user=analyst, now=after).values_list("pk", flat=True)) == [
        case.pk
    ]
    lights = []
    for when in (warsaw(2025, 9, 1, 9, 0), warsaw(2025, 9, 12, 9, 0), due_day):
        time_machine.move_to(when, tick=False)
        as_staff(analyst)
        row = client.get(reverse("backoffice:queue", args=["all"])).context["page"].rows[0]
        lights.append((row.case.pk, row.chargeback_light))
    # 16 business days left, 7 left, due today
    assert lights == [(case.pk, "GREEN"), (case.pk, "AMBER"), (case.pk, "RED")]


def test_a_window_that_closed_is_abandoned_with_its_reason_and_stops_counting(case, theft, analyst):
    for chargeback in Chargeback.objects.filter(case=case):
        chargeback_abandon(
            chargeback_id=chargeback.pk,
            reason="Okno reklamacyjne schematu minęło",
            actor=analyst,
            now=warsaw(2025, 9, 25, 9, 0),
        )

    case.refresh_from_db()
    assert (case.chargeback_due_at, case.chargeback_due_on) == (None, None)
    assert set(case.chargebacks.values_list("state", "reason")) == {
        ("NOT_FILED", "Okno reklamacyjne schematu minęło")
    }
    assert list(
        queue_cases(name="breached", user=analyst, now=warsaw(2025, 9, 25, 10, 0)).values_list(
            "pk", flat=True
        )
    ) == [
        case.pk  # the D+1 refund and the reply were never met: those clocks still run
    ]


def test_the_sweep_never_raises_closing_on_a_window_already_missed(case, theft, analyst, supervisor):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    # Both windows ended with 23 September (CB-MC-4837); the sweep first runs two days later.
    assert (
        chargebacks_alert_filing_due(now=warsaw(2025, 9, 25, 5, 0), within=timedelta(days=14), batch_size=10)
        == 0
    )

    assert not CaseEvent.objects.filter(case=case, kind="CHARGEBACK_ALERT").exists()
    assert list(case.chargebacks.values_list("alerted_at", flat=True)) == [None, None]
    alerts = chargeback_alerts_for(user=analyst, now=warsaw(2025, 9, 25, 5, 0))
    assert alerts.closing == [] and [missed.days_ago for missed in alerts.missed] == [2, 2]


@pytest.mark.parametrize("hour", [0, 5, 9, 23], ids=lambda hour: f"{hour:02d}h")
def test_two_windows_due_the_same_day_are_flagged_alike_whenever_the_sweep_ran(
    case, theft, analyst, supervisor, as_staff, client, time_machine, hour
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)
    assert atm.filing_due_on == contactless.filing_due_on == date(2025, 9, 23)
    # The morning sweep alerted on one; the other was drafted after it ran (as a claim submitted later).
    assert chargebacks_alert_filing_due(
        now=warsaw(2025, 9, 23, 0, 0), within=timedelta(days=14), batch_size=10
    )
    Chargeback.objects.filter(pk=contactless.pk).update(alerted_at=None)
    now = warsaw(2025, 9, 23, hour, 0)  # the windows' last day, at any hour (Warsaw)

    time_machine.move_to(now, tick=False)
    as_staff(analyst)
    queue = client.get(reverse("backoffice:queue", args=["chargebacks"]), HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    alerts = chargeback_alerts_for(user=analyst, now=now)

    assert [(row.alert, row.filing_missed) for row in queue.context["page"].rows] == [
        (True, False),
        (True, False),
    ]
    assert (queue.context["page"].alerts, queue.context["page"].missed) == (2, 0)
    assert queue.content.decode().count('<strong class="flag">Filing window closing</strong>') == 2
    assert page.count("Filing window closing") == 2
    assert sorted(chargeback.pk for chargeback in alerts.closing) == sorted([atm.pk, contactless.pk])


def test_each_chargeback_is_opened_and_filed_under_its_transactions_environment_code(
    db, eur_rates, analyst, as_staff
):
    from disputes.services import ChargebackReasonCodeInvalid

    theft = make_theft(brand="VISA", username="jan")
    case = submitted_case(theft, analyst)
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)

    # A contactless payment is card-present (Visa 10.3), an ATM withdrawal takes the chip liability
    # shift (10.1): never the card-absent 10.4.
    assert (contactless.reason_code, atm.reason_code) == ("10.3", "10.1")
    body = as_staff(analyst).get(reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = body.content.decode()
    rows = {row.chargeback.pk: row for row in body.context["p"].chargebacks}
    assert rows[contactless.pk].reason_codes == [("10.3", "Visa 10.3 Other Fraud – Card-Present Environment")]
    assert rows[atm.pk].reason_codes == [("10.1", "Visa 10.1 EMV Liability Shift Counterfeit Fraud")]
    assert '<option value="10.3" selected>Visa 10.3 Other Fraud – Card-Present Environment</option>' in html
    assert '<option value="10.1" selected>Visa 10.1 EMV Liability Shift Counterfeit Fraud</option>' in html
    # (CB-VISA-10.4 remains the id of the 120-day window, RULES.md section 2, for every code.)
    assert 'value="10.4"' not in html and "Card-Absent" not in html and "card-absent" not in html

    for chargeback, wrong in ((contactless, "10.4"), (atm, "10.3"), (atm, "4837")):
        with pytest.raises(ChargebackReasonCodeInvalid):
            chargeback_file(
                chargeback_id=chargeback.pk,
                acquirer_reference="ARN",
                reason_code=wrong,
                actor=analyst,
                now=warsaw(2025, 6, 5),
            )
    filed = chargeback_file(
        chargeback_id=contactless.pk, acquirer_reference="ARN", actor=analyst, now=warsaw(2025, 6, 5)
    )
    assert (filed.state, filed.reason_code) == (ChargebackState.FILED, "10.3")


def test_the_queue_and_the_alerts_count_missed_windows_by_the_chargebacks_own_definition(
    case, theft, analyst, supervisor, monkeypatch
):
    """One definition of a missed filing window (``chargebacks.selectors.filing_window_missed``) serves
    the missed-window sweep and the back office: change it, and the queue and the alerts follow."""
    from chargebacks.selectors import chargebacks_filing_missed_due
    from disputes.backoffice.selectors import _chargebacks, chargeback_queue_page

    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    open_window = warsaw(2025, 9, 23, 12, 0)  # both windows end with 23 September (CB-MC-4837)
    assert chargeback_queue_page(now=open_window).missed == 0

    monkeypatch.setattr(_chargebacks, "filing_window_missed", lambda *, now: Q(state=ChargebackState.DRAFT))

    assert chargeback_queue_page(now=open_window).missed == 2
    assert chargeback_alerts_for(user=analyst, now=open_window).missed_total == 2
    # The sweep's own reading of the unchanged definition: nothing missed yet.
    assert chargebacks_filing_missed_due(now=open_window).count() == 0


@pytest.mark.parametrize(
    ("action", "service", "data", "message"),
    [
        (
            "file",
            "chargeback_file",
            {"acquirer_reference": "ARN", "amount": "800.00"},
            "Chargeback filed with the scheme.",
        ),
        ("escalate", "chargeback_escalate", {"reason": "CCTV"}, "Escalated."),
        ("abandon", "chargeback_abandon", {"reason": "Poza terminem"}, "The chargeback will not be filed."),
    ],
)
def test_a_step_done_says_what_was_done_whatever_the_service_returned(
    case, theft, analyst, as_staff, client, monkeypatch, action, service, data, message
):
    # A service that returns nothing (or anything falsy) still did its work: the analyst is told what.
    monkeypatch.setattr(f"disputes.backoffice.chargeback_views.{service}", lambda **kwargs: None)
    atm = case.chargebacks.get(transaction=theft.atm)
    as_staff(analyst)
    client.cookies["django_language"] = "en"

    response = client.post(_chargeback_url(case, atm, action), data, follow=True)

    assert [str(m) for m in response.context["messages"]] == [message]
