"""Money out: each ledger entry's posting is written with it, sent with its idempotency key, applied by
the core system exactly once whatever fails, confirmed, and reconciled daily."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from audit.models import AuditEntry
from corebanking.gateway import HttpCoreBankingGateway
from corebanking.models import Posting, ReconciliationDifference
from corebanking.services import posting_send, postings_dispatch_due, reconciliation_run
from disputes.models import Case
from disputes.selectors import clocks_breached, refund_made_at
from disputes.services import case_refund_provisionally, cases_escalate_refunds
from kartosfera.clock import now, today_warsaw
from tests.conftest import ROOT, _worker_database_url, requires_services
from tests.disputes.conftest import make_theft, submitted_case, warsaw
from tests.disputes.helpers import CoreSystemConfirmingAt, confirm_postings

REFUND_AT = warsaw(2025, 5, 26, 12, 0)


def refund(case, analyst) -> list[Posting]:
    """The D+1 refund of both transactions; their postings, the ATM's 800.00 first, then the 120.00."""
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=REFUND_AT)
    return list(Posting.objects.filter(ledger_entry__case=case).order_by("-amount"))


def test_a_provisional_refund_writes_its_posting_in_the_same_transaction(case, analyst):
    postings = refund(case, analyst)

    assert [(p.direction, p.amount, p.currency, p.status) for p in postings] == [
        ("CREDIT", Decimal("800.00"), "PLN", "PENDING"),
        ("CREDIT", Decimal("120.00"), "PLN", "PENDING"),
    ]
    posting = postings[0]
    entry = posting.ledger_entry
    assert posting.account == f"CARD-{case.card.processor_token}"
    assert posting.idempotency_key == f"kartosfera:ledger:{entry.pk}:{entry.idempotency_key}"
    assert posting.recorded_at == REFUND_AT
    assert posting.confirmed_at is None


def test_a_ledger_entry_rolled_back_takes_its_posting_with_it(case, analyst):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_refund_provisionally(case_id=case.pk, actor=analyst, now=REFUND_AT)
        assert Posting.objects.filter(ledger_entry__case=case).count() == 2
        raise RuntimeError("the surrounding work failed")

    assert not Posting.objects.filter(ledger_entry__case=case).exists()


def test_the_dispatcher_sends_the_posting_and_records_the_confirmation(case, analyst, core_simulator):
    atm, contactless = refund(case, analyst)
    sent_at = warsaw(2025, 5, 26, 12, 1)

    counts = postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=sent_at)

    atm.refresh_from_db()
    assert counts == {"confirmed": 2, "pending": 0}
    assert (atm.status, atm.confirmed_at, atm.attempts) == ("CONFIRMED", sent_at, 1)
    assert atm.core_reference.startswith("CB")
    assert core_simulator.stats()["applications"] == {atm.idempotency_key: 1, contactless.idempotency_key: 1}
    assert sorted(
        (line["amount"], line["direction"], line["account"]) for line in core_simulator.lines()
    ) == [
        ("120.00", "CREDIT", atm.account),
        ("800.00", "CREDIT", atm.account),
    ]
    entries = AuditEntry.objects.filter(action="posting.confirmed").order_by("sequence")
    assert entries[0].data["core_reference"] == atm.core_reference


def test_every_fault_of_the_core_system_ends_in_exactly_one_application(case, analyst, core_simulator):
    atm, contactless = refund(case, analyst)
    # One fault per request, in order: each run sends the 800.00 posting, then the 120.00 one.
    core_simulator.control(faults=["TIMEOUT", "ERROR_5XX", "APPLY_THEN_HANG", "DUPLICATE"], hang_seconds=1.5)
    gateway = HttpCoreBankingGateway()
    seen = []
    for minute in range(3):
        postings_dispatch_due(gateway=gateway, now=warsaw(2025, 5, 26, 13, minute * 15))
        atm.refresh_from_db()
        contactless.refresh_from_db()
        seen.append((atm.last_error.split(":")[0], contactless.last_error.split(":")[0]))

    assert seen == [
        ("CoreBankingTimeout", "CoreBankingUnavailable"),
        ("CoreBankingTimeout", ""),
        ("", ""),
    ]
    assert [(p.status, p.attempts) for p in (atm, contactless)] == [("CONFIRMED", 3), ("CONFIRMED", 2)]
    stats = core_simulator.stats()
    assert stats["applications"] == {atm.idempotency_key: 1, contactless.idempotency_key: 1}
    # The lost answer's retry and the duplicated request reached the core system; it applied each key once.
    assert stats["deliveries"] == {atm.idempotency_key: 2, contactless.idempotency_key: 2}


def test_a_posting_not_yet_due_is_not_sent(case, analyst, core_simulator):
    posting, _contactless = refund(case, analyst)
    core_simulator.control(faults=["ERROR_5XX"])
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 1))

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 1, 20))

    posting.refresh_from_db()
    assert (posting.status, posting.attempts) == ("PENDING", 1)
    assert posting.next_attempt_at == warsaw(2025, 5, 26, 12, 1, 30)


def _due_in_a_week(case) -> None:
    """Move the case's D+1 deadline after today's confirmations (the simulator confirms at today's date)."""
    Case.objects.filter(pk=case.pk).update(refund_due_at=now() + timedelta(days=7))


def test_reconciliation_flags_an_injected_difference_and_an_unknown_posting(case, analyst, core_simulator):
    posting, _contactless = refund(case, analyst)
    _due_in_a_week(case)
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=now())
    core_simulator.control(inject={"idempotency_key": posting.idempotency_key, "amount": "902.00"})
    core_simulator.control(
        inject={"idempotency_key": "someone-else:1", "amount": "15.00", "account": "CARD-x"}
    )

    found = reconciliation_run(business_date=today_warsaw(), gateway=HttpCoreBankingGateway(), now=now())
    again = reconciliation_run(business_date=today_warsaw(), gateway=HttpCoreBankingGateway(), now=now())

    assert sorted((d.kind, d.idempotency_key) for d in found) == [
        ("AMOUNT_DIFFERS", posting.idempotency_key),
        ("UNKNOWN_AT_CORE", "someone-else:1"),
    ]
    differs = ReconciliationDifference.objects.get(kind="AMOUNT_DIFFERS")
    assert (differs.ours["amount"], differs.theirs["amount"]) == ("800.00", "902.00")
    assert again == []
    assert AuditEntry.objects.filter(action="reconciliation.difference_found").count() == 2


def test_reconciliation_of_a_day_that_matches_finds_nothing(case, analyst, core_simulator):
    refund(case, analyst)
    _due_in_a_week(case)
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=now())

    assert reconciliation_run(business_date=today_warsaw(), gateway=HttpCoreBankingGateway(), now=now()) == []


def test_a_refund_the_core_system_confirms_after_its_d1_deadline_is_flagged_late(
    case, analyst, core_simulator
):
    atm, contactless = refund(case, analyst)
    # Recorded on 26 May 2025, in time; the core system confirms only today, long after 27 May.
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=now())

    found = reconciliation_run(business_date=today_warsaw(), gateway=HttpCoreBankingGateway(), now=now())

    assert sorted((d.kind, d.idempotency_key) for d in found) == sorted(
        [("REFUND_LATE", atm.idempotency_key), ("REFUND_LATE", contactless.idempotency_key)]
    )
    assert found[0].ours["refund_due_at"] == "2025-05-27T22:00:00+00:00"


@requires_services
@pytest.mark.services
def test_a_dispatcher_killed_mid_posting_leaves_it_applied_exactly_once(
    transactional_db, core_simulator, eur_rates
):
    from tests.disputes.conftest import staff

    theft = make_theft()
    analyst = staff("analyst", "analysts")
    case = submitted_case(theft, theft.user)
    posting, contactless = refund(case, analyst)
    core_simulator.control(faults=["APPLY_THEN_HANG"], hang_seconds=30)
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "KARTOSFERA_CORE_BANKING_URL": core_simulator.url,
        "KARTOSFERA_CORE_BANKING_TIMEOUT_SECONDS": "60",
    }
    dispatcher = subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_postings"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while posting.idempotency_key not in core_simulator.stats()["applications"]:
        assert time.monotonic() < deadline, "the dispatcher never reached the core system"
        time.sleep(0.05)

    dispatcher.send_signal(signal.SIGKILL)
    dispatcher.wait(timeout=10)
    posting.refresh_from_db()
    assert (posting.status, posting.attempts) == ("PENDING", 0)

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=now())

    posting.refresh_from_db()
    assert posting.status == "CONFIRMED"
    stats = core_simulator.stats()
    assert stats["applications"] == {posting.idempotency_key: 1, contactless.idempotency_key: 1}
    assert stats["deliveries"] == {posting.idempotency_key: 2, contactless.idempotency_key: 1}


# D+1 by the core system's confirmation (docs/WORKFLOW.md, "When the D+1 refund is made"): the claim
# was reported on Monday 26 May 2025 (D), so the refund is due by the end of Tuesday 27 May (D+1);
# every refund below is booked in our ledger on D.
END_OF_D1 = warsaw(2025, 5, 28, 0, 0)


def refund_clock_running(case, *, now) -> bool:
    return Case.objects.filter(pk=case.pk).filter(clocks_breached(now=now)).exists()


def late_refunds(business_date) -> list[str]:
    found = reconciliation_run(business_date=business_date, gateway=HttpCoreBankingGateway(), now=now())
    return sorted(d.idempotency_key for d in found if d.kind == "REFUND_LATE")


def test_a_refund_booked_on_d_and_confirmed_on_d1_is_on_time(case, analyst, core_simulator):
    refund(case, analyst)
    confirmed_at = warsaw(2025, 5, 27, 23, 59)

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=confirmed_at)

    assert refund_made_at(case.ledger_entries.select_related("posting")) == confirmed_at
    assert cases_escalate_refunds(now=END_OF_D1, within=timedelta(hours=6), batch_size=10) == 0
    assert not refund_clock_running(case, now=END_OF_D1)
    assert late_refunds(date(2025, 5, 27)) == []


def test_a_refund_booked_on_d_and_confirmed_on_d2_is_late(case, analyst, core_simulator):
    atm, contactless = refund(case, analyst)

    escalated = cases_escalate_refunds(now=END_OF_D1, within=timedelta(hours=6), batch_size=10)
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=END_OF_D1)

    case.refresh_from_db()
    assert case.refunded_at == REFUND_AT  # recorded on D
    assert refund_made_at(case.ledger_entries.select_related("posting")) == END_OF_D1  # made on D+2
    assert escalated == 1
    assert case.refund_escalated_at == END_OF_D1
    assert not refund_clock_running(case, now=END_OF_D1)  # made, late: its clock has stopped
    assert late_refunds(date(2025, 5, 28)) == sorted([atm.idempotency_key, contactless.idempotency_key])


def test_a_refund_not_confirmed_by_the_end_of_d1_escalates(case, analyst, core_simulator):
    refund(case, analyst)
    six_hours_before = END_OF_D1 - timedelta(hours=6)

    assert cases_escalate_refunds(now=six_hours_before, within=timedelta(hours=6), batch_size=10) == 1
    assert refund_made_at(case.ledger_entries.select_related("posting")) is None
    assert refund_clock_running(case, now=END_OF_D1)
    case.refresh_from_db()
    assert (case.state, case.refund_escalated_at) == ("PROVISIONALLY_REFUNDED", six_hours_before)


def test_the_case_records_the_refund_made_only_when_its_last_credit_is_confirmed(case, analyst):
    atm, contactless = refund(case, analyst)
    first, last = warsaw(2025, 5, 26, 13, 0), warsaw(2025, 5, 27, 9, 0)

    posting_send(posting_id=atm.pk, gateway=CoreSystemConfirmingAt(first), now=first)
    case.refresh_from_db()
    assert case.refund_confirmed_at is None
    assert refund_clock_running(case, now=END_OF_D1)

    posting_send(posting_id=contactless.pk, gateway=CoreSystemConfirmingAt(last), now=last)
    posting_send(posting_id=contactless.pk, gateway=CoreSystemConfirmingAt(END_OF_D1), now=END_OF_D1)
    case.refresh_from_db()
    assert case.refund_confirmed_at == last == refund_made_at(case.ledger_entries.select_related("posting"))
    assert not refund_clock_running(case, now=END_OF_D1)


def test_the_migration_backfills_when_each_existing_refund_was_made(case, analyst):
    backfill = import_module("disputes.migrations.0012_refund_confirmed_at").backfill
    refund(case, analyst)
    confirm_postings(at=warsaw(2025, 5, 27, 9, 0))
    unconfirmed = submitted_case(make_theft(username="backfill"), analyst)
    case_refund_provisionally(case_id=unconfirmed.pk, actor=analyst, now=REFUND_AT)
    Case.objects.update(refund_confirmed_at=None)

    # The models as that migration saw them (the ledger entry was the disputes app's then).
    backfill(MigrationLoader(connection).project_state(("disputes", "0012_refund_confirmed_at")).apps, None)

    assert dict(Case.objects.filter(refunded_at__isnull=False).values_list("pk", "refund_confirmed_at")) == {
        case.pk: warsaw(2025, 5, 27, 9, 0),
        unconfirmed.pk: None,
    }
