"""One test per path of the workflow, through the services, with the exact money, history and letters."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from audit.actions import CASE_TRANSITION
from audit.models import AuditEntry
from chargebacks.models import ChargebackState
from customers.models import Notification
from disputes.models import CaseState, EvidenceKind
from disputes.selectors import case_net_refunded, transaction_open_case
from disputes.services import (
    case_add_evidence,
    case_assess_liability,
    case_close,
    case_customer_responded,
    case_decide,
    case_dispatch_reply,
    case_extend_reply,
    case_recover_customer_share,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
    case_withdraw,
    case_withhold_refund,
    cases_deem_accepted_overdue,
    cases_escalate_refunds,
    chargeback_abandon,
    chargeback_escalate,
    chargeback_file,
    chargeback_propose_result,
    chargeback_record_representment,
    claim_create_draft,
    claim_submit,
    proposal_approve,
)
from liability.engine import Findings
from tests.disputes.conftest import REFUND_DUE_AT, REPLY_DUE_AT, make_theft, submitted_case, warsaw
from tests.disputes.helpers import confirm_postings, four_eyes, history, ledger, letters, pdf

D800, D120 = Decimal("800.00"), Decimal("120.00")
pytestmark = pytest.mark.django_db

# The disputes side records the dispatch the letters app reports; these tests stand in for it.
LETTER = 1


@pytest.fixture(autouse=True)
def _audit_chain_intact():
    """After every path the audit log holds its entries and ``verify_audit`` finds the chain intact."""
    yield
    assert AuditEntry.objects.filter(action=CASE_TRANSITION, data__transition="submit").exists()
    out = StringIO()
    call_command("verify_audit", stdout=out)  # raises CommandError (exit 1) on any broken link
    assert "OK: every entry matches its hash" in out.getvalue()


def _review_and_refund(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    return case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))


def _abandon_chargebacks(case, analyst, now):
    for chargeback in case.chargebacks.filter(state=ChargebackState.DRAFT):
        chargeback_abandon(chargeback_id=chargeback.pk, reason="no chargeback right", actor=analyst, now=now)


def test_accepted_with_the_d1_refund(case, theft, analyst, supervisor):
    refund = _review_and_refund(case, analyst)

    case.refresh_from_db()
    assert case.state == CaseState.PROVISIONALLY_REFUNDED
    assert case.refunded_at < case.refund_due_at == REFUND_DUE_AT  # D+1 met
    assert [(e.transaction_id, e.kind, e.amount) for e in refund.entries] == [
        (theft.atm.pk, "PROVISIONAL_REFUND", D800),
        (theft.contactless.pk, "PROVISIONAL_REFUND", D120),
    ]

    assessment = case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    decided = case_decide(
        case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0), reason="Not detectable"
    )
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 3, 15, 0),
        actor=None,
        now=warsaw(2025, 6, 3, 16, 0),
    )
    _abandon_chargebacks(case, analyst, warsaw(2025, 6, 4, 9, 0))
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 4, 10, 0))

    case.refresh_from_db()
    assert (assessment.customer_total, assessment.bank_total) == (Decimal("0.00"), Decimal("920.00"))
    assert decided.entries == []  # everything was refunded at D+1 already
    assert (case.state, case.outcome, case.customer_share, case.bank_share) == (
        CaseState.CLOSED,
        "ACCEPTED",
        Decimal("0.00"),
        Decimal("920.00"),
    )
    assert case.reply_dispatched_at == warsaw(2025, 6, 3, 15, 0) < REPLY_DUE_AT
    assert ledger(case) == [
        (theft.atm.pk, "PROVISIONAL_REFUND", D800),
        (theft.contactless.pk, "PROVISIONAL_REFUND", D120),
    ]
    assert case_net_refunded(case=case) == {theft.atm.pk: D800, theft.contactless.pk: D120}
    assert history(case) == [
        ("create_draft", "", "DRAFT"),
        ("submit", "DRAFT", "SUBMITTED"),
        ("start_review", "SUBMITTED", "UNDER_REVIEW"),
        ("refund_provisionally", "UNDER_REVIEW", "PROVISIONALLY_REFUNDED"),
        ("decide", "PROVISIONALLY_REFUNDED", "DECIDED"),
        ("dispatch_reply", "DECIDED", "DECIDED"),
        ("close", "DECIDED", "CLOSED"),
    ]
    assert letters(case) == ["ACKNOWLEDGEMENT", "PROVISIONAL_REFUND", "DECISION_ACCEPTED"]
    assert case.transitions.get(name="submit").actor_kind == "CUSTOMER"
    assert case.transitions.get(name="dispatch_reply").actor_kind == "SYSTEM"
    assert not case.disputed.filter(is_open=True).exists()
    assert transaction_open_case(transaction_id=theft.atm.pk) is None


def test_rejected_for_gross_negligence_and_the_customer_share_recovered(db, eur_rates, analyst, supervisor):
    theft = make_theft(contactless_sca=True)  # both payments with strong authentication
    case = submitted_case(theft, analyst, channel="LINE_828")
    _review_and_refund(case, analyst)

    assessment = case_assess_liability(
        case_id=case.pk,
        findings=Findings(gross_negligence=True),
        actor=analyst,
        now=warsaw(2025, 6, 10, 10, 0),
        note="PIN written on a note kept in the wallet with the card",
    )
    four_eyes("DECISION", case=case, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 11, 9, 0))
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.DECIDED, "REJECTED")
    # Nothing to refund; the recovery waits for the letter.
    assert [kind for _, kind, _ in ledger(case)] == ["PROVISIONAL_REFUND"] * 2
    decision_letter = case.letter_requests.get(letter_type="DECISION_REJECTED")
    assert decision_letter.context["to_recover"] == "920.00"
    assert decision_letter.context["rules"] == ["UUP-46-3-GROSS", "UUP-46-3-GROSS"]

    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 11, 14, 0),
        actor=analyst,
        now=warsaw(2025, 6, 11, 14, 5),
    )
    four_eyes("RECOVERY", case=case, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 12, 9, 0))
    recovered = list(case.ledger_entries.filter(kind="RECOVERY").order_by("transaction_id"))
    again = case_recover_customer_share(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 12, 9, 1))
    taken_back = Notification.objects.filter(customer=case.customer, kind="MONEY_TAKEN_BACK")
    # Booked, not yet taken: the customer is told when the core system confirms the debits.
    assert not taken_back.exists()
    confirm_postings(at=warsaw(2025, 6, 12, 9, 30))
    confirm_postings(at=warsaw(2025, 6, 12, 9, 40))
    _abandon_chargebacks(case, analyst, warsaw(2025, 6, 12, 10, 0))
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 12, 11, 0))

    case.refresh_from_db()
    assert (assessment.customer_total, assessment.bank_total) == (Decimal("920.00"), Decimal("0.00"))
    assert [(e.kind, e.amount) for e in recovered] == [("RECOVERY", D800), ("RECOVERY", D120)]
    assert again.created is False and [e.pk for e in again.entries] == [e.pk for e in recovered]
    # The customer is told once of the debit, the retries (``again``, the dispatcher's second run) tell
    # nobody a second time.
    assert sorted(taken_back.values_list("channel", flat=True)) == ["EMAIL", "SMS"]
    assert taken_back.get(channel="SMS").body == (
        f"Kartosfera: W dniu 12 czerwca 2025 pobraliśmy z Twojego rachunku 920,00\xa0zł w związku z "
        f"reklamacją {case.number}: zgodnie z naszą decyzją w sprawie reklamacji jest to Twój udział w "
        "kwocie zwróconej tymczasowo. Pismo z uzasadnieniem znajdziesz w portalu w zakładce "
        "„Moje reklamacje”."
    )
    assert ledger(case) == [
        (theft.atm.pk, "PROVISIONAL_REFUND", D800),
        (theft.contactless.pk, "PROVISIONAL_REFUND", D120),
        (theft.atm.pk, "RECOVERY", D800),
        (theft.contactless.pk, "RECOVERY", D120),
    ]
    assert case_net_refunded(case=case) == {
        theft.atm.pk: Decimal("0.00"),
        theft.contactless.pk: Decimal("0.00"),
    }
    assert case.state == CaseState.CLOSED
    assert history(case)[-3:] == [
        ("dispatch_reply", "DECIDED", "DECIDED"),
        ("recover_customer_share", "DECIDED", "DECIDED"),
        ("close", "DECIDED", "CLOSED"),
    ]
    assert case.transitions.get(name="submit").actor_kind == "STAFF"


def test_fraud_exception_with_the_notice_to_law_enforcement(case, theft, analyst, supervisor):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    notice = case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE,
        file=pdf(),
        description="Zawiadomienie o podejrzeniu przestępstwa, Prokuratura Rejonowa Warszawa-Śródmieście",
        actor=analyst,
        now=warsaw(2025, 5, 27, 8, 30),
    )
    case_withhold_refund(
        case_id=case.pk,
        grounds="ATM withdrawal with the PIN 20 minutes before the report; the customer's phone at the ATM",
        authority="Prokuratura Rejonowa Warszawa-Śródmieście",
        notified_on=date(2025, 5, 27),
        notice_reference="KB/BZ/2025/0112",
        actor=supervisor,
        now=warsaw(2025, 5, 27, 9, 0),
    )
    # The withheld refund is no longer due: the escalation sweep leaves it alone.
    assert (
        cases_escalate_refunds(now=warsaw(2025, 5, 27, 20, 0), within=timedelta(hours=6), batch_size=10) == 0
    )

    case_assess_liability(
        case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    four_eyes("DECISION", case=case, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 6, 9, 0))
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 6, 12, 0),
        actor=None,
        now=warsaw(2025, 6, 6, 12, 0),
    )
    _abandon_chargebacks(case, analyst, warsaw(2025, 6, 6, 13, 0))
    case_close(case_id=case.pk, actor=None, now=warsaw(2025, 6, 6, 14, 0))

    case.refresh_from_db()
    assert notice.sha256 == hashlib.sha256(b"%PDF-1.4 notice to the prosecutor").hexdigest()
    assert notice.file.name == f"evidence/{case.pk}/{notice.sha256}.pdf"
    assert (case.state, case.outcome, case.customer_share) == (
        CaseState.CLOSED,
        "REJECTED",
        Decimal("920.00"),
    )
    assert case.refund_withheld_at == warsaw(2025, 5, 27, 9, 0) < REFUND_DUE_AT
    assert ledger(case) == []  # nothing was ever paid out
    withheld = case.transitions.get(name="withhold_refund")
    assert withheld.data == {
        "law_enforcement_notices": [{"evidence": notice.pk, "sha256": notice.sha256}],
        "law_enforcement": {
            "authority": "Prokuratura Rejonowa Warszawa-Śródmieście",
            "notified_on": "2025-05-27",
            "reference": "KB/BZ/2025/0112",
        },
    }
    assert letters(case) == ["ACKNOWLEDGEMENT", "REFUND_WITHHELD", "DECISION_REJECTED"]
    assert [step[0] for step in history(case)] == [
        "create_draft",
        "submit",
        "start_review",
        "withhold_refund",
        "decide",
        "dispatch_reply",
        "close",
    ]


def test_extended_with_a_delay_notice(case, theft, analyst, supervisor):
    _review_and_refund(case, analyst)
    case_request_information(
        case_id=case.pk,
        questions="Where was the phone that evening?",
        actor=analyst,
        now=warsaw(2025, 6, 10, 9, 0),
    )
    case_customer_responded(
        case_id=case.pk, response="At home, locked.", actor=theft.user, now=warsaw(2025, 6, 15, 18, 0)
    )
    case_extend_reply(
        case_id=case.pk,
        reason="Waiting for the ATM operator's camera footage",
        outstanding="Who made the ATM withdrawal at 19:10",
        expected_reply_on=date(2025, 7, 15),
        actor=analyst,
        now=warsaw(2025, 6, 24, 10, 0),
    )
    case.refresh_from_db()
    assert (case.reply_rule, case.reply_due_on, case.reply_due_at) == (
        "REK-7",
        date(2025, 7, 25),
        warsaw(2025, 7, 26),
    )
    assert case.deadline_explanations["reply"]["rule"] == "REK-7"
    extension = case.transitions.get(name="extend_reply")
    assert extension.data["original"] == {"due_on": "2025-06-25", "rule": "REK-6"}
    delay_notice = case.letter_requests.get(letter_type="DELAY_NOTICE")
    assert delay_notice.context == {
        "reason": "Waiting for the ATM operator's camera footage",
        "outstanding": "Who made the ATM withdrawal at 19:10",
        "expected_reply_on": "2025-07-15",
        "extended_due_on": "2025-07-25",
        "rule": "REK-7",
    }

    # The original deadline passes: the extended case is not deemed accepted.
    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT + timedelta(days=1), batch_size=10) == 0

    case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=warsaw(2025, 7, 9, 10, 0))
    case_decide(
        case_id=case.pk,
        actor=supervisor,
        now=warsaw(2025, 7, 10, 9, 0),
        customer_grounds="The card was stolen; up to 50 euro of the payments before the report are yours.",
    )
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 7, 10, 12, 0),
        actor=None,
        now=warsaw(2025, 7, 10, 12, 0),
    )
    four_eyes("RECOVERY", case=case, proposer=analyst, approver=supervisor, now=warsaw(2025, 7, 11, 9, 0))
    recovered = case_recover_customer_share(case_id=case.pk, actor=analyst, now=warsaw(2025, 7, 11, 9, 1))
    _abandon_chargebacks(case, analyst, warsaw(2025, 7, 11, 10, 0))
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 7, 11, 11, 0))

    case.refresh_from_db()
    # The 50 EUR cap at 4.2541 (099/A/NBP/2025) on the PIN withdrawal; the contactless one had no SCA.
    assert (case.outcome, case.customer_share, case.bank_share) == (
        "PARTIALLY_ACCEPTED",
        Decimal("212.71"),
        Decimal("707.29"),
    )
    assert [(e.transaction_id, e.kind, e.amount) for e in recovered.entries] == [
        (theft.atm.pk, "RECOVERY", Decimal("212.71"))
    ]
    assert case.decision_assessment.rate_tables == ["099/A/NBP/2025"]
    assert [step[0] for step in history(case)] == [
        "create_draft",
        "submit",
        "start_review",
        "refund_provisionally",
        "request_information",
        "customer_responded",
        "extend_reply",
        "decide",
        "dispatch_reply",
        "recover_customer_share",
        "close",
    ]
    assert case.transitions.get(name="customer_responded").to_state == "PROVISIONALLY_REFUNDED"
    assert letters(case) == [
        "ACKNOWLEDGEMENT",
        "PROVISIONAL_REFUND",
        "INFORMATION_REQUEST",
        "DELAY_NOTICE",
        "DECISION_PARTIAL",
    ]


def test_deemed_accepted_after_a_missed_reply(case, theft, analyst, supervisor, settings):
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    refund = _review_and_refund(case, analyst)
    # NET_OF_CAP: D+1 refunds the bank's share of the estimate only.
    assert [(e.transaction_id, e.amount) for e in refund.entries] == [
        (theft.atm.pk, Decimal("587.29")),
        (theft.contactless.pk, D120),
    ]

    last_moment = REPLY_DUE_AT - timedelta(microseconds=1)  # 25 June 23:59:59.999999, still in time
    assert cases_deem_accepted_overdue(now=last_moment, batch_size=10) == 0
    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT, batch_size=10) == 1
    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT + timedelta(minutes=5), batch_size=10) == 0

    case.refresh_from_db()
    assert (case.state, case.outcome, case.deemed_accepted_at) == (
        CaseState.DEEMED_ACCEPTED,
        "ACCEPTED",
        REPLY_DUE_AT,
    )
    # The acceptance path: the customer's share refunded too, and nothing is ever recovered.
    assert ledger(case) == [
        (theft.atm.pk, "PROVISIONAL_REFUND", Decimal("587.29")),
        (theft.contactless.pk, "PROVISIONAL_REFUND", D120),
        (theft.atm.pk, "FINAL_REFUND", Decimal("212.71")),
    ]
    deemed = case.transitions.get(name="deem_accepted")
    assert (deemed.actor_id, deemed.actor_kind, deemed.reason, deemed.letter_required) == (
        None,
        "SYSTEM",
        "REK-8",
        "DECISION_ACCEPTED",
    )
    assert deemed.data["refunded_now"] == {str(theft.atm.pk): "212.71"}

    _abandon_chargebacks(case, analyst, warsaw(2025, 6, 27, 9, 0))
    case_close(case_id=case.pk, actor=None, now=warsaw(2025, 6, 27, 10, 0))
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case_net_refunded(case=case) == {theft.atm.pk: D800, theft.contactless.pk: D120}


def _accepted(case, analyst, supervisor):
    _review_and_refund(case, analyst)
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0))
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 3, 15, 0),
        actor=None,
        now=warsaw(2025, 6, 3, 15, 0),
    )


def test_chargeback_won(case, theft, analyst, supervisor):
    _accepted(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)
    assert (atm.scheme, atm.reason_code, atm.filing_rule, atm.filing_due_on) == (
        "MASTERCARD",
        "4870",  # an ATM withdrawal: the chip liability shift (chargebacks.rules)
        "CB-MC-4837",
        date(2025, 9, 23),  # 120 days after processing on 26 May
    )

    chargeback_file(
        chargeback_id=atm.pk, acquirer_reference="MC-ARN-1", actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    chargeback_record_representment(chargeback_id=atm.pk, actor=analyst, now=warsaw(2025, 6, 20, 10, 0))
    atm.refresh_from_db()
    assert (atm.response_rule, atm.response_due_on) == ("CB-MC-2P", date(2025, 7, 20))  # 45 days after filing
    chargeback_escalate(
        chargeback_id=atm.pk, actor=analyst, now=warsaw(2025, 7, 1, 10, 0), reason="CCTV shows a stranger"
    )
    chargeback_escalate(chargeback_id=atm.pk, actor=analyst, now=warsaw(2025, 7, 15, 10, 0))
    resolve_with_approval(
        atm, won=True, analyst=analyst, supervisor=supervisor, now=warsaw(2025, 8, 1, 10, 0)
    )
    # The acquirer accepts the contactless one at once.
    chargeback_file(
        chargeback_id=contactless.pk,
        acquirer_reference="MC-ARN-2",
        actor=analyst,
        now=warsaw(2025, 6, 5, 10, 5),
    )
    resolve_with_approval(
        contactless, won=True, analyst=analyst, supervisor=supervisor, now=warsaw(2025, 6, 19, 10, 0)
    )
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 8, 1, 11, 0))

    case.refresh_from_db()
    atm.refresh_from_db()
    assert atm.state == ChargebackState.WON
    assert list(atm.transitions.values_list("name", "from_state", "to_state")) == [
        ("file", "DRAFT", "FILED"),
        ("record_representment", "FILED", "REPRESENTED"),
        ("escalate_to_pre_arbitration", "REPRESENTED", "PRE_ARBITRATION"),
        ("escalate_to_arbitration", "PRE_ARBITRATION", "ARBITRATION"),
        ("win", "ARBITRATION", "WON"),
    ]
    assert ledger(case)[2:] == [
        (theft.atm.pk, "CHARGEBACK_CREDIT", D800),
        (theft.contactless.pk, "CHARGEBACK_CREDIT", D120),
    ]
    # The credit is the bank's: the customer's balance is unchanged.
    assert case_net_refunded(case=case) == {theft.atm.pk: D800, theft.contactless.pk: D120}
    assert case.state == CaseState.CLOSED


def test_chargeback_lost(db, eur_rates, analyst, supervisor):
    theft = make_theft(brand="VISA")
    case = submitted_case(theft, theft.user)
    _accepted(case, analyst, supervisor)
    atm = case.chargebacks.get(transaction=theft.atm)
    assert (atm.reason_code, atm.filing_rule) == (
        "10.1",
        "CB-VISA-10.4",
    )  # ATM: the chip liability shift, not card-absent 10.4

    chargeback_file(
        chargeback_id=atm.pk, acquirer_reference="VISA-1", actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    chargeback_record_representment(chargeback_id=atm.pk, actor=analyst, now=warsaw(2025, 6, 20, 10, 0))
    resolve_with_approval(
        atm,
        won=False,
        analyst=analyst,
        supervisor=supervisor,
        now=warsaw(2025, 6, 25, 10, 0),
        reason="Chip and PIN transaction",
    )
    chargeback_abandon(
        chargeback_id=case.chargebacks.get(transaction=theft.contactless).pk,
        reason="below the scheme minimum",
        actor=analyst,
        now=warsaw(2025, 6, 25, 10, 5),
    )
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 25, 11, 0))

    atm.refresh_from_db()
    case.refresh_from_db()
    assert (atm.state, atm.response_due_on, atm.response_rule) == (
        ChargebackState.LOST,
        None,
        "",
    )  # Visa: no CB-MC-2P
    assert [kind for _, kind, _ in ledger(case)] == ["PROVISIONAL_REFUND", "PROVISIONAL_REFUND"]  # no credit
    assert case.state == CaseState.CLOSED


def test_withdrawn_by_the_customer(case, theft, analyst, eur_rates):
    _review_and_refund(case, analyst)

    withdrawn = case_withdraw(
        case_id=case.pk,
        reason="My son used the card; I did not know.",
        actor=theft.user,
        now=warsaw(2025, 5, 30, 9, 0),
    )

    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert [(e.transaction_id, e.kind, e.amount) for e in withdrawn.entries] == [
        (theft.atm.pk, "REVERSAL", D800),
        (theft.contactless.pk, "REVERSAL", D120),
    ]
    assert case_net_refunded(case=case) == {
        theft.atm.pk: Decimal("0.00"),
        theft.contactless.pk: Decimal("0.00"),
    }
    assert set(case.chargebacks.values_list("state", flat=True)) == {"NOT_FILED"}
    assert case.transitions.get(name="withdraw").actor_kind == "CUSTOMER"
    assert transaction_open_case(transaction_id=theft.atm.pk) is None
    # The transactions are free again: a new claim can hold them.
    again = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=[theft.contactless.pk],
        channel="PORTAL",
        cause="STOLEN",
        actor=theft.user,
        now=warsaw(2025, 6, 2, 9, 0),
    )
    claim_submit(case_id=again.pk, actor=theft.user, now=warsaw(2025, 6, 2, 9, 0))
    assert transaction_open_case(transaction_id=theft.contactless.pk).pk == again.pk


def resolve_with_approval(chargeback, *, won, analyst, supervisor, now, reason="") -> None:
    """A chargeback's result as the analyst proposes it and a supervisor approves it (four-eyes)."""
    proposal = chargeback_propose_result(
        chargeback_id=chargeback.pk, won=won, reason=reason, actor=analyst, now=now
    )
    proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=now)


def test_the_customer_share_is_recovered_from_the_warsaw_day_after_the_reply_left(
    db, eur_rates, analyst, supervisor
):
    # FULL_THEN_RECOVER: the letter says "not before the day after this letter is sent"; the workflow
    # holds to it in Warsaw dates. Posted Wed 2025-06-11 at 23:30 Warsaw (21:30 UTC).
    from disputes.services import RecoveryTooEarly, case_propose, proposal_approve

    theft = make_theft(contactless_sca=True)
    case = submitted_case(theft, analyst, channel="LINE_828")
    _review_and_refund(case, analyst)
    case_assess_liability(
        case_id=case.pk,
        findings=Findings(gross_negligence=True),
        actor=analyst,
        now=warsaw(2025, 6, 10, 10, 0),
    )
    four_eyes("DECISION", case=case, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 11, 9, 0))
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 11, 23, 30),
        actor=analyst,
        now=warsaw(2025, 6, 11, 23, 31),
    )

    proposal = case_propose(
        case_id=case.pk,
        kind="RECOVERY",
        reason="PIN kept with the card",
        actor=analyst,
        now=warsaw(2025, 6, 11, 23, 50),
    )
    with pytest.raises(RecoveryTooEarly):
        proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=warsaw(2025, 6, 11, 23, 59))
    assert not case.ledger_entries.filter(kind="RECOVERY").exists()

    # 00:05 Warsaw on Thu 2025-06-12 is still Wed 22:05 UTC: the Warsaw date is what counts.
    proposal_approve(proposal_id=proposal.pk, actor=supervisor, now=warsaw(2025, 6, 12, 0, 5))
    case.refresh_from_db()
    assert case.recovered_at == warsaw(2025, 6, 12, 0, 5)
    assert [
        (e.kind, e.amount) for e in case.ledger_entries.filter(kind="RECOVERY").order_by("transaction_id")
    ] == [
        ("RECOVERY", D800),
        ("RECOVERY", D120),
    ]
