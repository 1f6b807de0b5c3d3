"""Money is never paid twice: the database refuses it, and concurrent services agree (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from customers.models import User
from disputes.services import (
    TransactionAlreadyDisputed,
    case_refund_provisionally,
    case_start_review,
    cases_deem_accepted_overdue,
    claim_create_draft,
    claim_submit,
)
from tests.disputes.conftest import RECEIVED_AT, REPLY_DUE_AT, make_theft, submitted_case, warsaw
from tests.disputes.helpers import ledger

requires_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="concurrent transactions need PostgreSQL (`make test-services`); SQLite serialises writers",
)


def _run_together(count: int, work) -> tuple[list, list]:
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work(index))
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_workers_approving_the_same_refund_write_one_entry_per_transaction(case, theft, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))

    results, errors = _run_together(
        20,
        lambda _: case_refund_provisionally(
            case_id=case.pk, actor=User.objects.get(pk=analyst.pk), now=warsaw(2025, 5, 26, 12, 0)
        ),
    )

    assert errors == []
    assert sorted(result.created for result in results) == [False] * 19 + [True]
    assert ledger(case) == [
        (theft.atm.pk, "PROVISIONAL_REFUND", Decimal("800.00")),
        (theft.contactless.pk, "PROVISIONAL_REFUND", Decimal("120.00")),
    ]
    assert {tuple(e.pk for e in result.entries) for result in results} == {
        tuple(case.ledger_entries.order_by("transaction_id").values_list("pk", flat=True))
    }
    assert case.transitions.filter(name="refund_provisionally").count() == 1
    assert case.letter_requests.filter(letter_type="PROVISIONAL_REFUND").count() == 1


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_claims_submitted_at_once_cannot_both_hold_a_transaction(theft, eur_rates, analyst):
    drafts = [
        claim_create_draft(
            customer=theft.customer,
            card_id=theft.card.pk,
            transaction_ids=[theft.atm.pk],
            channel=channel,
            cause="STOLEN",
            actor=analyst,
            now=RECEIVED_AT,
        )
        for channel in ("PHONE", "BRANCH")
    ]

    results, errors = _run_together(
        2,
        lambda index: claim_submit(
            case_id=drafts[index].pk, actor=User.objects.get(pk=analyst.pk), now=RECEIVED_AT
        ),
    )

    assert len(results) == 1
    assert [type(error) for error in errors] == [TransactionAlreadyDisputed]
    assert theft.atm.dispute_links.filter(is_open=True).count() == 1


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_deemed_acceptance_sweeps_at_once_share_the_work_and_refund_each_case_once(eur_rates, analyst):
    cases = [submitted_case(make_theft(username=f"u{n}"), analyst) for n in range(6)]

    results, errors = _run_together(2, lambda _: cases_deem_accepted_overdue(now=REPLY_DUE_AT, batch_size=4))

    assert errors == []
    assert sum(results) == 6
    for case in cases:
        assert sorted(case.ledger_entries.values_list("kind", "amount")) == [
            ("FINAL_REFUND", Decimal("120.00")),
            ("FINAL_REFUND", Decimal("800.00")),
        ]
        assert case.transitions.filter(name="deem_accepted").count() == 1
