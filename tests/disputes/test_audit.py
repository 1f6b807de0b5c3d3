"""The audit trail of a case: every transition, ledger entry and event that matters, in its transaction."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.canonical import to_json
from audit.models import AuditChainHead, AuditEntry
from audit.selectors import audit_chain_verify, audit_entries_for_object
from chargebacks.models import Chargeback, ChargebackState
from corebanking.gateway import HttpCoreBankingGateway
from corebanking.services import postings_dispatch_due
from disputes.models import CaseTransition
from disputes.services import (
    AssessmentMissing,
    InvalidCaseState,
    case_add_evidence,
    case_add_note,
    case_assess_liability,
    case_close,
    case_decide,
    case_dispatch_reply,
    case_refund_provisionally,
    case_start_review,
    cases_deem_accepted_overdue,
    cases_escalate_refunds,
    cases_remind_reply_due,
    chargeback_abandon,
    chargebacks_alert_filing_due,
)
from liability.engine import Findings
from tests.corebanking.conftest import core_simulator, core_simulator_process  # noqa: F401
from tests.disputes.conftest import REFUND_DUE_AT, REPLY_DUE_AT, make_theft, submitted_case, warsaw
from tests.disputes.helpers import pdf

pytestmark = pytest.mark.django_db

# The disputes side records the dispatch the letters app reports; these tests stand in for it.
LETTER = 1


def trail(case) -> list[tuple[str, str]]:
    """(action, transition or event) of every audit entry about the case, in order."""
    return [
        (entry.action, entry.data.get("transition") or entry.data.get("event") or "")
        for entry in audit_entries_for_object(obj=case)
    ]


def computations(entry) -> list[tuple[str, str, list[str]]]:
    return [(c["engine"], c["name"], c["rule_ids"]) for c in entry.data.get("computations", [])]


def test_the_accepted_path_writes_one_audit_entry_per_act_in_order(case, theft, analyst, supervisor):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_add_note(case_id=case.pk, text="Customer called", actor=analyst, now=warsaw(2025, 5, 26, 13, 0))
    case_add_evidence(
        case_id=case.pk, kind="POLICE_REPORT", file=pdf(), actor=theft.user, now=warsaw(2025, 5, 27, 9, 0)
    )
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0), reason="Not detectable")
    case_dispatch_reply(
        letter_id=LETTER,
        channel="POST",
        case_id=case.pk,
        dispatched_at=warsaw(2025, 6, 3, 15, 0),
        actor=None,
        now=warsaw(2025, 6, 3, 16, 0),
    )
    for chargeback in case.chargebacks.filter(state=ChargebackState.DRAFT).order_by("pk"):
        chargeback_abandon(
            chargeback_id=chargeback.pk,
            reason="no chargeback right",
            actor=analyst,
            now=warsaw(2025, 6, 4, 9, 0),
        )
    case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 4, 10, 0))

    assert trail(case) == [
        ("case.transition", "create_draft"),
        ("case.transition", "submit"),
        ("case.liability_assessed", ""),
        ("case.chargeback_opened", "CHARGEBACK_OPENED"),
        ("case.chargeback_opened", "CHARGEBACK_OPENED"),
        ("case.transition", "start_review"),
        ("case.transition", "refund_provisionally"),
        ("case.note_added", "NOTE"),
        ("case.evidence_added", "EVIDENCE_ADDED"),
        ("case.liability_assessed", ""),
        ("case.transition", "decide"),
        ("case.transition", "dispatch_reply"),
        ("case.chargeback_transition", "abandon"),
        ("case.chargeback_transition", "abandon"),
        ("case.transition", "close"),
    ]
    entries = list(audit_entries_for_object(obj=case))
    create, submit, estimate, opened = entries[0], entries[1], entries[2], entries[3]
    assert (create.actor_id, create.role, create.before, create.after["state"]) == (
        theft.user.pk,
        "CUSTOMER",
        None,
        "DRAFT",
    )
    assert (submit.before["state"], submit.after["state"]) == ("DRAFT", "SUBMITTED")
    assert (submit.before["refund_due_on"], submit.after["refund_due_on"]) == (None, "2025-05-27")
    assert (submit.after["reply_due_on"], submit.after["reply_rule"]) == ("2025-06-25", "REK-6")
    assert submit.data["letter_requested"]["type"] == "ACKNOWLEDGEMENT"
    assert computations(submit) == [
        ("deadlines", "window", ["UUP-44-2"]),
        ("deadlines", "window", ["UUP-44-2"]),
        ("deadlines", "refund", ["UUP-46-1"]),
        ("deadlines", "reply", ["REK-6"]),
    ]
    refund = submit.data["computations"][2]
    assert refund["inputs"] == {"received_at": "2025-05-26T08:00:00.000000Z", "found_at": None}
    assert (refund["result"]["due_date"], refund["result"]["explanation_en"]) == (
        "2025-05-27",
        case.deadline_explanations["refund"]["explanation_en"],
    )
    assert [step["day"] for step in refund["result"]["steps"]] == [
        step["day"] for step in case.deadline_explanations["refund"]["steps"]
    ]
    # The engine's estimate and the chargebacks are part of the customer's submission.
    assert (estimate.actor_id, estimate.role, estimate.data["kind"]) == (
        theft.user.pk,
        "CUSTOMER",
        "ESTIMATE",
    )
    assert (opened.actor_id, opened.role) == (theft.user.pk, "CUSTOMER")
    assert [c["engine"] for c in estimate.data["computations"]] == ["liability"]
    assert estimate.data["computations"][0]["result"]["bank_total"] == estimate.data["bank_total"]
    assert computations(opened) == [("deadlines", "chargeback_filing", ["CB-MC-4837"])]

    refunded = entries[6]
    assert (refunded.before, refunded.after) == (
        {"state": "UNDER_REVIEW", "refunded_at": None},
        {"state": "PROVISIONALLY_REFUNDED", "refunded_at": "2025-05-26T10:00:00.000000Z"},
    )
    assert [(line["kind"], line["transaction"], line["amount"]) for line in refunded.data["ledger"]] == [
        ("PROVISIONAL_REFUND", theft.atm.pk, "800.00"),
        ("PROVISIONAL_REFUND", theft.contactless.pk, "120.00"),
    ]
    assessed, decided = entries[9], entries[10]
    assert (assessed.actor_id, assessed.data["kind"], assessed.data["bank_total"]) == (
        analyst.pk,
        "ANALYST",
        "920.00",
    )
    assert assessed.data["computations"][0]["inputs"]["findings"]["undetectable"] is True
    assert (decided.actor_id, decided.before["outcome"], decided.after["outcome"]) == (
        supervisor.pk,
        "",
        "ACCEPTED",
    )
    assert "ledger" not in decided.data  # everything was refunded at D+1 already
    dispatched = entries[11]
    assert (dispatched.actor_id, dispatched.role, dispatched.after) == (
        None,
        "SYSTEM",
        {"reply_dispatched_at": "2025-06-03T13:00:00.000000Z"},
    )
    assert entries[12].data["chargeback"] is not None
    assert (entries[12].before["state"], entries[12].after["state"]) == ("DRAFT", "NOT_FILED")
    assert audit_chain_verify().ok


def test_a_refused_transition_writes_no_audit_entry(case, analyst, supervisor):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    head = AuditChainHead.objects.get(pk=1).sequence
    before = trail(case)

    with pytest.raises(AssessmentMissing):  # a guard refuses
        case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0))
    with pytest.raises(InvalidCaseState):  # no such transition from this state
        case_close(case_id=case.pk, actor=analyst, now=warsaw(2025, 6, 4, 10, 0))

    assert trail(case) == before
    assert AuditChainHead.objects.get(pk=1).sequence == head
    assert not AuditEntry.objects.filter(sequence__gt=head).exists()


def test_a_repeated_refund_writes_no_second_entry(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    before = trail(case)

    again = case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 1))

    assert again.created is False
    assert trail(case) == before


@pytest.mark.usefixtures("core_simulator")
def test_the_escalation_sweep_audits_each_case_it_flags_and_none_it_skips(db, eur_rates, analyst):
    due = submitted_case(make_theft(username="due"), analyst)
    refunded = submitted_case(make_theft(username="refunded"), analyst)
    case_start_review(case_id=refunded.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=refunded.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 5))
    refunded_trail = trail(refunded)
    now = REFUND_DUE_AT - timedelta(hours=6)

    assert cases_escalate_refunds(now=now, within=timedelta(hours=6), batch_size=10) == 1

    [escalated] = AuditEntry.objects.filter(action="case.refund_escalated")
    assert (escalated.object_id, escalated.role, escalated.before, escalated.after) == (
        str(due.pk),
        "SYSTEM",
        {"refund_escalated_at": None},
        {"refund_escalated_at": "2025-05-27T16:00:00.000000Z"},
    )
    assert escalated.data["key"] == "refund-escalation:2025-05-27"
    assert trail(refunded) == refunded_trail
    assert cases_escalate_refunds(now=now, within=timedelta(hours=6), batch_size=10) == 0
    assert AuditEntry.objects.filter(action="case.refund_escalated").count() == 1


def test_the_reminder_sweep_audits_each_case_it_reminds(db, eur_rates, analyst):
    early = submitted_case(make_theft(username="early"), analyst)
    later = submitted_case(make_theft(username="later"), analyst, received_at=warsaw(2025, 5, 30, 10, 0))
    later_trail = trail(later)

    assert cases_remind_reply_due(now=REPLY_DUE_AT - timedelta(days=3), thresholds=[3], batch_size=10) == 1

    reminders = AuditEntry.objects.filter(action="case.reply_reminder")
    assert [(e.object_id, e.before, e.after) for e in reminders] == [
        (str(early.pk), {"reply_reminded_days": None}, {"reply_reminded_days": 3})
    ]
    assert trail(later) == later_trail


def test_the_deemed_acceptance_sweep_writes_one_entry_per_case_with_its_refund(db, eur_rates, analyst):
    first = submitted_case(make_theft(username="first"), analyst)
    second = submitted_case(make_theft(username="second"), analyst, received_at=warsaw(2025, 5, 26, 11, 0))
    in_time = submitted_case(make_theft(username="intime"), analyst, received_at=warsaw(2025, 5, 27, 10, 0))
    in_time_trail = trail(in_time)

    assert cases_deem_accepted_overdue(now=REPLY_DUE_AT + timedelta(hours=11), batch_size=10) == 2

    for case in (first, second):
        [entry] = AuditEntry.objects.filter(object_id=str(case.pk), data__transition="deem_accepted")
        assert (entry.action, entry.role, entry.before["state"], entry.after["state"]) == (
            "case.transition",
            "SYSTEM",
            "SUBMITTED",
            "DEEMED_ACCEPTED",
        )
        assert sorted((line["kind"], line["amount"]) for line in entry.data["ledger"]) == [
            ("FINAL_REFUND", "120.00"),
            ("FINAL_REFUND", "800.00"),
        ]
        assert sum(Decimal(line["amount"]) for line in entry.data["ledger"]) == case.disputed_amount
        assert trail(case)[-1] == ("case.transition", "deem_accepted")
    assert trail(in_time) == in_time_trail
    assert audit_chain_verify().ok


# --- each sweep appends its batch's entries at once, with the content one entry per case always had ---


def _sweep_entries(sweep) -> tuple[list[dict], int]:
    """Run a sweep; the (unhashed) content of the entries it appended, and its INSERTs into the log."""
    last = AuditChainHead.objects.get().sequence
    with CaptureQueriesContext(connection) as queries:
        sweep()
    inserts = sum(q["sql"].startswith('INSERT INTO "audit_auditentry"') for q in queries.captured_queries)
    written = AuditEntry.objects.filter(sequence__gt=last).order_by("sequence")
    assert [e.sequence for e in written] == list(range(last + 1, last + 1 + len(written)))
    assert audit_chain_verify().ok
    contents = []
    for entry in written:
        content = entry.hash_content()
        del content["sequence"], content["previous_hash"]
        contents.append(content)
    return contents, inserts


def _system_entry(action: str, case, *, before, after, data, at: str) -> dict:
    return {
        "v": 1,
        "recorded_at": at,
        "action": action,
        "actor_id": None,
        "actor": "system",
        "role": "SYSTEM",
        "channel": "SYSTEM",
        "ip_address": "",
        "request_id": "",
        "object_type": "disputes.case",
        "object_id": str(case.pk),
        "object_repr": str(case),
        "before": before,
        "after": after,
        "data": data,
    }


def _two_cases(analyst):
    first = submitted_case(make_theft(username="first"), analyst)
    second = submitted_case(make_theft(username="second"), analyst, received_at=warsaw(2025, 5, 26, 11, 0))
    for case in (first, second):
        case.refresh_from_db()  # the deadlines as the sweeps read them, in UTC
    return sorted([first, second], key=lambda case: (case.refund_due_at, case.pk))


def test_the_escalation_sweep_appends_the_same_entries_in_one_insert(db, eur_rates, analyst):
    cases = _two_cases(analyst)
    now = REFUND_DUE_AT - timedelta(hours=6)

    contents, inserts = _sweep_entries(
        lambda: cases_escalate_refunds(now=now, within=timedelta(hours=6), batch_size=10)
    )

    assert inserts == 1
    assert contents == [
        _system_entry(
            "case.refund_escalated",
            case,
            before={"refund_escalated_at": None},
            after={"refund_escalated_at": "2025-05-27T16:00:00.000000Z"},
            data={
                "event": "REFUND_ESCALATED",
                "key": f"refund-escalation:{case.refund_due_on.isoformat()}",
                "details": {
                    "refund_due_at": case.refund_due_at.isoformat(),
                    "assignee": None,
                    "queue": "SUPERVISORS",
                },
            },
            at="2025-05-27T16:00:00.000000Z",
        )
        for case in cases
    ]


def test_the_reminder_sweep_appends_the_same_entries_in_one_insert(db, eur_rates, analyst):
    cases = _two_cases(analyst)
    now = REPLY_DUE_AT - timedelta(days=3)

    contents, inserts = _sweep_entries(lambda: cases_remind_reply_due(now=now, thresholds=[3], batch_size=10))

    assert inserts == 1
    assert contents == [
        _system_entry(
            "case.reply_reminder",
            case,
            before={"reply_reminded_days": None},
            after={"reply_reminded_days": 3},
            data={
                "event": "REPLY_REMINDER",
                "key": f"reply-reminder:{case.reply_due_on.isoformat()}:3",
                "details": {
                    "days": 3,
                    "reply_due_at": case.reply_due_at.isoformat(),
                    "recipient": "SUPERVISORS",
                },
            },
            at=to_json(now),
        )
        for case in sorted(cases, key=lambda case: (case.reply_due_at, case.pk))
    ]


def test_the_chargeback_alert_sweep_appends_the_same_entries_in_one_insert(db, eur_rates, analyst):
    cases = _two_cases(analyst)
    drafts = sorted(
        Chargeback.objects.filter(case__in=cases, state=ChargebackState.DRAFT),
        key=lambda cb: (cb.filing_due_at, cb.pk),
    )
    now = max(cb.filing_due_at for cb in drafts) - timedelta(days=14)

    contents, inserts = _sweep_entries(
        lambda: chargebacks_alert_filing_due(now=now, within=timedelta(days=14), batch_size=10)
    )

    assert (inserts, len(drafts)) == (1, 4)
    assert contents == [
        _system_entry(
            "case.chargeback_alert",
            cb.case,
            before={"alerted_at": None},
            after={"alerted_at": to_json(now)},
            data={
                "event": "CHARGEBACK_ALERT",
                "key": f"chargeback-alert:{cb.pk}",
                "chargeback": cb.pk,
                "details": {
                    "filing_due_at": cb.filing_due_at.isoformat(),
                    "rule": cb.filing_rule,
                    "recipient": cb.case.assignee_id or "SUPERVISORS",
                },
            },
            at=to_json(now),
        )
        for cb in drafts
    ]


def test_the_deemed_acceptance_sweep_appends_its_entries_in_one_insert(db, eur_rates, analyst):
    cases = _two_cases(analyst)

    contents, inserts = _sweep_entries(
        lambda: cases_deem_accepted_overdue(now=REPLY_DUE_AT + timedelta(hours=11), batch_size=10)
    )

    assert inserts == 1
    assert [
        (c["action"], c["object_id"], c["actor"], c["role"], c["data"]["transition"]) for c in contents
    ] == [
        ("case.transition", str(case.pk), "system", "SYSTEM", "deem_accepted")
        for case in sorted(cases, key=lambda case: (case.reply_due_at, case.pk))
    ]
    for content in contents:
        transition = CaseTransition.objects.get(pk=content["data"]["transition_id"])
        letter = transition.letter_requests.get()
        assert (content["before"]["state"], content["after"]["state"]) == ("SUBMITTED", "DEEMED_ACCEPTED")
        assert content["data"]["letter_requested"] == {
            "id": letter.pk,
            "type": letter.letter_type,
            "context": to_json(letter.context),
        }
        assert sorted(line["amount"] for line in content["data"]["ledger"]) == ["120.00", "800.00"]
