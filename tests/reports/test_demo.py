import re
from datetime import UTC, datetime

import pytest

from demo.exports import seed
from reports.exports.services import export_path
from reports.models import ExportJob
from tests.reports.conftest import staff

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def test_the_demo_has_one_finished_export_however_often_it_is_seeded(seeded):
    auditor = staff("auditor", "auditors")

    first = seed(now=NOW)
    again = seed(now=NOW)

    job = ExportJob.objects.get()
    assert (job.requested_by, job.kind, job.state, job.rows_done) == (auditor, "CASES", "DONE", 2)
    assert (job.from_date.isoformat(), job.to_date.isoformat()) == ("2025-05-01", "2025-06-02")
    assert export_path(job).is_file()
    assert (
        first
        == again
        == [
            f"Exports: /reports/exports/ (auditor) lists export #{job.pk} of the cases received "
            "2025-05-01..2025-06-02 "
            f"(2 rows, DONE, SHA-256 {job.sha256[:12]}...)."
        ]
    )


def test_without_the_demo_auditor_there_is_no_demo_export(db):
    assert seed(now=NOW) == []
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_report_demo_claim_tells_of_its_transactions_and_its_card_in_the_customers_language():
    from demo import seed_demo
    from demo.reports import _plans
    from disputes.models import Case
    from kartosfera.legaltime import warsaw_date

    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # the report covers November and October 2026
    seed_demo(now=now)

    accounts = [plan.account for plan in _plans(warsaw_date(now))]
    cases = list(Case.objects.filter(customer_account__in=accounts).select_related("card", "customer"))
    assert len(cases) == len(accounts)
    wrong = []
    for case in sorted(cases, key=lambda case: case.pk):
        account = case.customer_account.lower()
        told = f"{case.number} ({case.customer.first_name}): {case.customer_account!r}"
        channels = {link.transaction.channel for link in case.disputed.select_related("transaction")}
        # A cash withdrawal is told as cash taken out of an ATM, never as a payment.
        if channels == {"ATM"} and (
            not any(word in account for word in ("bankomat", "wypłac", "cash", "withdr"))
            or any(word in account for word in ("płatnoś", "payment"))
        ):
            wrong.append(f"{told} claims a cash withdrawal")
        # A card lost or stolen is cancelled for that reason (the report liability runs from).
        if case.cause in ("LOST", "STOLEN") and (case.card.status, case.card.cancellation_reason) != (
            "CANCELLED",
            case.cause,
        ):
            wrong.append(
                f"{told} says {case.cause} of a card {case.card.status} ({case.card.cancellation_reason!r})"
            )
        # The customer tells it in their own language (Polish is written with its diacritics).
        polish = bool(re.search("[ąćęłńóśźż]", account))
        if polish != (case.customer.preferred_language == "pl"):
            wrong.append(f"{told} is not in {case.customer.preferred_language!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_demo_report_counts_a_card_lost_and_cancelled_on_the_828_line():
    from demo import seed_demo
    from kartosfera.legaltime import warsaw_date
    from reports.rules import default_period
    from reports.selectors import report_figures

    now = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)  # the report covers October 2026
    seed_demo(now=now)

    report = report_figures(period=default_period(warsaw_date(now)), now=now)

    assert {f.key: f.count for f in report.by_cause}["cause.LOST"] == 1
    assert {f.key: f.count for f in report.by_channel}["channel.LINE_828"] == 1
