"""Money taken back is told to the customer when the core system confirms the debit: once per take-back
(every debit of the step told in one message, at the last confirmation), whatever is retried, and never
for a debit the core system refused or has not confirmed."""

from decimal import Decimal

from audit.models import AuditEntry
from corebanking.gateway import HttpCoreBankingGateway
from corebanking.models import Posting
from corebanking.services import posting_send, postings_dispatch_due
from customers.models import Notification
from disputes.services import case_refund_provisionally, case_withdraw
from tests.disputes.conftest import warsaw

WITHDRAWN_AT = warsaw(2025, 6, 2, 9, 0)


def taken_back(case) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(customer=case.customer, kind="MONEY_TAKEN_BACK")
    return sorted(rows.values_list("channel", "body"))


def withdrawn(case, analyst) -> list[Posting]:
    """A claim refunded at D+1 (the credits confirmed), then withdrawn: its two reversal debits, the ATM's
    800.00 first, then the 120.00."""
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    assert postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 5)) == {
        "confirmed": 2,
        "pending": 0,
    }
    case_withdraw(case_id=case.pk, reason="Rozpoznałam płatność.", actor=analyst, now=WITHDRAWN_AT)
    return list(Posting.objects.filter(ledger_entry__case=case, direction="DEBIT").order_by("-amount"))


def test_a_reversal_is_told_when_the_core_system_confirms_it_not_when_it_is_booked(
    case, analyst, core_simulator
):
    atm, contactless = withdrawn(case, analyst)
    assert [(p.amount, p.status) for p in (atm, contactless)] == [
        (Decimal("800.00"), "PENDING"),
        (Decimal("120.00"), "PENDING"),
    ]
    assert taken_back(case) == []  # booked in our ledger only: nothing has left the account yet

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 6, 3, 8, 0))

    sms = (
        f"Kartosfera: W dniu 3 czerwca 2025 pobraliśmy z Twojego rachunku 920,00\xa0zł w związku z "
        f"reklamacją {case.number}: reklamacja została wycofana, więc cofnęliśmy dokonany w związku z nią "
        "tymczasowy zwrot."
    )
    told = Notification.objects.filter(customer=case.customer, kind="MONEY_TAKEN_BACK")
    assert sorted(told.values_list("channel", "created_at")) == [
        ("EMAIL", warsaw(2025, 6, 3, 8, 0)),
        ("SMS", warsaw(2025, 6, 3, 8, 0)),
    ]
    assert told.get(channel="SMS").body == sms


def test_a_take_back_is_told_once_at_its_last_debit_whatever_the_dispatcher_retries(
    case, analyst, core_simulator
):
    atm, contactless = withdrawn(case, analyst)
    # The 800.00 debit: the core system applies it but its answer is lost, then it is down; the 120.00
    # debit goes through at the first attempt and is delivered twice.
    core_simulator.control(faults=["APPLY_THEN_HANG", "DUPLICATE", "ERROR_5XX"], hang_seconds=1.5)
    gateway = HttpCoreBankingGateway()

    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 6, 2, 9, 5))
    contactless.refresh_from_db()
    assert contactless.status == "CONFIRMED"
    assert taken_back(case) == []  # the 800.00 is not confirmed: the take-back is not told in part

    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 6, 2, 9, 10))
    assert taken_back(case) == []  # the core system was down: still not confirmed

    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 6, 2, 9, 20))
    told = taken_back(case)
    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 6, 2, 9, 30))
    for posting in (atm, contactless):  # a confirmed posting sent again (a retried task) tells nobody
        posting_send(posting_id=posting.pk, gateway=gateway, now=warsaw(2025, 6, 2, 9, 40))

    atm.refresh_from_db()
    assert (atm.status, atm.attempts, atm.confirmed_at) == ("CONFIRMED", 3, warsaw(2025, 6, 2, 9, 20))
    assert [channel for channel, _body in told] == ["EMAIL", "SMS"]
    assert "920,00\xa0zł" in told[1][1]
    assert taken_back(case) == told
    assert core_simulator.stats()["applications"][atm.idempotency_key] == 1


def test_a_debit_the_core_system_refuses_tells_the_customer_nothing(case, analyst, core_simulator):
    atm, contactless = withdrawn(case, analyst)
    core_simulator.control(faults=["REFUSE", "REFUSE"])

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 6, 2, 9, 5))

    for posting in (atm, contactless):
        posting.refresh_from_db()
        assert (posting.status, posting.last_error.split(":")[0]) == ("PENDING", "CoreBankingRefused")
    refused = AuditEntry.objects.filter(action="posting.refused").values_list("object_id", flat=True)
    assert sorted(refused) == sorted([str(atm.pk), str(contactless.pk)])
    assert core_simulator.stats()["applications"].get(atm.idempotency_key) is None
    assert taken_back(case) == []
