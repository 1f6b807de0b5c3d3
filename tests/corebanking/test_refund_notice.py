"""The D+1 refund is told to the customer when the core system confirms the credit, not when it is booked:
once (every credit of the refund told in one message, at the last confirmation), whatever is retried,
and never for a credit the core system refused or has not confirmed."""

from decimal import Decimal

from corebanking.gateway import HttpCoreBankingGateway
from corebanking.models import Posting
from corebanking.services import posting_send, postings_dispatch_due
from customers.models import Notification
from disputes.services import case_refund_provisionally
from tests.disputes.conftest import warsaw

REFUNDED_AT = warsaw(2025, 5, 26, 12, 0)


def refund_told(case) -> list[tuple[str, object, str]]:
    rows = Notification.objects.filter(customer=case.customer, kind="REFUND_MADE")
    return sorted(rows.values_list("channel", "created_at", "body"))


def refunded(case, analyst) -> list[Posting]:
    """The claim's D+1 refund booked: its two credits, the ATM's 800.00 first, then the 120.00."""
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=REFUNDED_AT)
    return list(Posting.objects.filter(ledger_entry__case=case, direction="CREDIT").order_by("-amount"))


def test_a_refund_is_told_when_the_core_system_confirms_it_not_when_it_is_booked(
    case, analyst, core_simulator
):
    atm, contactless = refunded(case, analyst)
    assert [(p.amount, p.status) for p in (atm, contactless)] == [
        (Decimal("800.00"), "PENDING"),
        (Decimal("120.00"), "PENDING"),
    ]
    assert refund_told(case) == []  # booked in our ledger only: nothing is on the account yet

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 5))

    sms = (
        f"Kartosfera: Zwróciliśmy na Twój rachunek 920,00\xa0zł za transakcje z reklamacji {case.number}. "
        "Zwrot jest tymczasowy do czasu rozpatrzenia reklamacji."
    )
    told = refund_told(case)
    assert [(channel, at) for channel, at, _body in told] == [
        ("EMAIL", warsaw(2025, 5, 26, 12, 5)),
        ("SMS", warsaw(2025, 5, 26, 12, 5)),
    ]
    assert told[1][2] == sms


def test_a_refund_is_told_once_at_its_last_credit_whatever_the_dispatcher_retries(
    case, analyst, core_simulator
):
    atm, contactless = refunded(case, analyst)
    # The 800.00 credit: the core system applies it but its answer is lost, then it is down; the 120.00
    # credit goes through at the first attempt and is delivered twice.
    core_simulator.control(faults=["APPLY_THEN_HANG", "DUPLICATE", "ERROR_5XX"], hang_seconds=1.5)
    gateway = HttpCoreBankingGateway()

    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 5, 26, 12, 5))
    contactless.refresh_from_db()
    assert contactless.status == "CONFIRMED"
    assert refund_told(case) == []  # the 800.00 is not confirmed: the refund is not told in part

    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 5, 26, 12, 10))
    assert refund_told(case) == []  # the core system was down: still not confirmed

    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 5, 26, 12, 20))
    told = refund_told(case)
    postings_dispatch_due(gateway=gateway, now=warsaw(2025, 5, 26, 12, 30))
    for posting in (atm, contactless):  # a confirmed posting sent again (a retried task) tells nobody
        posting_send(posting_id=posting.pk, gateway=gateway, now=warsaw(2025, 5, 26, 12, 40))

    atm.refresh_from_db()
    case.refresh_from_db()
    assert (atm.status, atm.attempts, atm.confirmed_at) == ("CONFIRMED", 3, warsaw(2025, 5, 26, 12, 20))
    assert case.refund_confirmed_at == warsaw(2025, 5, 26, 12, 20)
    assert [(channel, at) for channel, at, _body in told] == [
        ("EMAIL", warsaw(2025, 5, 26, 12, 20)),
        ("SMS", warsaw(2025, 5, 26, 12, 20)),
    ]
    assert "920,00\xa0zł" in told[1][2]
    assert refund_told(case) == told
    assert core_simulator.stats()["applications"][atm.idempotency_key] == 1


def test_a_credit_the_core_system_refuses_tells_the_customer_nothing(case, analyst, core_simulator):
    atm, contactless = refunded(case, analyst)
    core_simulator.control(faults=["REFUSE"])  # the 800.00 refused; the 120.00 goes through

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 5))

    atm.refresh_from_db()
    contactless.refresh_from_db()
    assert (atm.status, atm.last_error.split(":")[0]) == ("PENDING", "CoreBankingRefused")
    assert contactless.status == "CONFIRMED"
    assert core_simulator.stats()["applications"].get(atm.idempotency_key) is None
    case.refresh_from_db()
    assert case.refund_confirmed_at is None
    assert refund_told(case) == []


def test_a_refund_told_when_booked_by_the_earlier_release_is_not_told_again_at_its_confirmation(
    case, analyst, core_simulator
):
    # Booked before the upgrade, which told the customer at booking; confirmed after it.
    from disputes.services._notify import case_notify

    refunded(case, analyst)
    case.refresh_from_db()
    case_notify(case, "REFUND_MADE", now=REFUNDED_AT, amount=Decimal("920.00"))
    told_before = refund_told(case)

    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=warsaw(2025, 5, 26, 12, 5))

    assert [(channel, at) for channel, at, _body in told_before] == [
        ("EMAIL", REFUNDED_AT),
        ("SMS", REFUNDED_AT),
    ]
    assert refund_told(case) == told_before
    case.refresh_from_db()
    assert case.refund_confirmed_at == warsaw(2025, 5, 26, 12, 5)
