"""A drafted chargeback whose filing window ends unfiled: the beat's sweep raises the event once, to the
assignee (or the supervisors), and the case page, its chargeback's history and "My cases" show it."""

from datetime import timedelta

from django.urls import reverse

from audit.models import AuditEntry
from chargebacks.models import Chargeback
from disputes.models import CaseEvent
from disputes.services import (
    case_assign,
    chargeback_file,
    chargebacks_alert_filing_due,
    chargebacks_alert_filing_missed,
)
from disputes.tasks import sweep_chargeback_missed
from tests.backoffice.conftest import warsaw

# Both windows of the case's chargebacks end with 23 September 2025 (CB-MC-4837, Warsaw).
LAST_DAY = warsaw(2025, 9, 23, 23, 59)
MIDNIGHT = warsaw(2025, 9, 24, 0, 0)


def _missed_events(case):
    return list(
        CaseEvent.objects.filter(case=case, kind="CHARGEBACK_FILING_MISSED")
        .order_by("chargeback_id")
        .values_list("chargeback_id", "key", "data", "occurred_at")
    )


def test_the_missed_window_is_raised_once_from_the_warsaw_midnight_after_its_last_day(
    case, theft, analyst, supervisor
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    atm = case.chargebacks.get(transaction=theft.atm)
    contactless = case.chargebacks.get(transaction=theft.contactless)
    chargeback_file(chargeback_id=atm.pk, acquirer_reference="ARN", actor=analyst, now=warsaw(2025, 6, 5))

    on_the_last_day = chargebacks_alert_filing_missed(now=LAST_DAY, batch_size=10)
    at_midnight = chargebacks_alert_filing_missed(now=MIDNIGHT, batch_size=10)
    again = chargebacks_alert_filing_missed(now=MIDNIGHT + timedelta(hours=1), batch_size=10)

    assert (on_the_last_day, at_midnight, again) == (0, 1, 0)
    data = {
        "filing_due_on": "2025-09-23",
        "filing_due_at": contactless.filing_due_at.isoformat(),
        "rule": "CB-MC-4837",
        "recipient": analyst.pk,
    }
    assert _missed_events(case) == [
        (contactless.pk, f"chargeback-filing-missed:{contactless.pk}", data, MIDNIGHT)
    ]
    assert Chargeback.objects.get(pk=contactless.pk).missed_alerted_at == MIDNIGHT
    assert Chargeback.objects.get(pk=atm.pk).missed_alerted_at is None  # filed in time: never missed
    entry = AuditEntry.objects.get(action="case.chargeback_alert", data__event="CHARGEBACK_FILING_MISSED")
    assert (entry.actor_id, entry.data["chargeback"], entry.data["details"]["recipient"]) == (
        None,
        contactless.pk,
        analyst.pk,
    )


def test_nobody_assigned_the_missed_window_goes_to_the_supervisors(case):
    assert chargebacks_alert_filing_missed(now=MIDNIGHT, batch_size=10) == 2

    assert [data["recipient"] for _, _, data, _ in _missed_events(case)] == ["SUPERVISORS", "SUPERVISORS"]


def test_the_beat_task_raises_it_and_a_second_run_raises_nothing_more(case, time_machine):
    time_machine.move_to(MIDNIGHT + timedelta(minutes=20), tick=False)

    first = sweep_chargeback_missed.apply().get()
    second = sweep_chargeback_missed.apply().get()

    # Run here, in this test's transaction, under both setups: a batch of one would queue its follow-up
    # for a real worker that cannot see this transaction (the follow-up of a full batch, the sweeps'
    # shared ``_sweep_batch``, is tested with a worker in tests/disputes/test_tasks.py).
    assert (first, second) == ({"missed": 2}, {"missed": 0})
    assert len(_missed_events(case)) == 2


def test_the_case_page_and_my_cases_show_the_missed_window_in_both_languages(
    case, theft, analyst, supervisor, as_staff, client, time_machine
):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 12, 0))
    assert chargebacks_alert_filing_due(
        now=warsaw(2025, 9, 12, 9, 0), within=timedelta(days=14), batch_size=10
    )
    chargebacks_alert_filing_missed(now=MIDNIGHT, batch_size=10)
    time_machine.move_to(warsaw(2025, 9, 25, 9, 0), tick=False)
    as_staff(analyst)

    page_en = client.get(
        reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    page_pl = client.get(
        reverse("backoffice:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl"
    ).content.decode()
    mine_en = client.get(
        reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    mine_pl = client.get(
        reverse("backoffice:queue", args=["mine"]), HTTP_ACCEPT_LANGUAGE="pl"
    ).content.decode()

    said_en = (
        "Chargeback filing window missed: the filing window ended on 23 September 2025 (CB-MC-4837) and "
        "the chargeback was not filed: file it if the scheme still takes it, or record it as not filed"
    )
    said_pl = (
        "Przekroczony termin złożenia obciążenia zwrotnego: termin złożenia minął 23 września 2025 "
        "(CB-MC-4837), a obciążenie zwrotne nie zostało złożone"
    )
    # Each chargeback's history and the case's timeline: two chargebacks, twice each.
    assert page_en.count(said_en) == 4
    assert page_pl.count(said_pl) == 4
    assert mine_en.count("2 days ago · alert raised 24 September 2025, 00:00:00") == 2
    assert mine_pl.count("2 dni temu · alert zgłoszony 24 września 2025, 00:00:00") == 2
