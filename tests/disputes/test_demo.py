"""The demo seeder: a case in every state, through the services, and nothing new the second time."""

import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.forms.models import model_to_dict

from chargebacks.models import Chargeback, ChargebackState
from customers.models import Notification
from demo import SEEDERS, seed_demo, site_url
from disputes.models import Case, CaseState, CaseTransition, DecisionProposal
from disputes.selectors import cases_reply_overdue
from kartosfera.legaltime import WARSAW
from ledger.models import LedgerEntry
from tests.corebanking.conftest import core_simulator, core_simulator_process  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)  # Saturday 10:30 in Warsaw


def everything() -> dict:
    return {
        "cases": [model_to_dict(case, exclude=["transactions"]) for case in Case.objects.order_by("pk")],
        "transitions": list(CaseTransition.objects.order_by("pk").values()),
        "ledger": list(LedgerEntry.objects.order_by("pk").values()),
    }


def test_the_disputes_seeder_runs_after_the_rates_it_needs():
    assert (
        SEEDERS.index("demo.disputes.seed")
        > SEEDERS.index("demo.liability.seed")
        > SEEDERS.index("demo.cards.seed")
    )


# `make demo` seeds with the core banking simulator running: the postings are confirmed as they happened.
@pytest.mark.usefixtures("core_simulator")
def test_there_is_a_demo_case_in_every_state_and_seeding_twice_changes_nothing():
    lines = seed_demo(now=NOW)
    first = everything()

    again = seed_demo(now=NOW)

    assert everything() == first
    # The same cases, printed as the disputes seeder leaves them (their letters issued and posted, the
    # case closed once its reply was posted included).
    assert [line.split(":")[0] for line in again if "RK/" in line] == [
        line.split(":")[0] for line in lines if "RK/" in line
    ]
    # Every state at least once (the reports seeder adds claims of the last months in some of them).
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    anna = Case.objects.get(
        customer__last_name="Kowalska", channel="LINE_828", state=CaseState.PROVISIONALLY_REFUNDED
    )
    # Liability runs from the report (the card's cancellation); the claim was taken the next morning, once
    # the offline ticket made after the report was on the card (no claim tells of a payment not yet made).
    assert (anna.channel, anna.cause, anna.reported_at) == ("LINE_828", "STOLEN", anna.card.cancelled_at)
    assert anna.received_at.astimezone(WARSAW) == datetime.combine(
        anna.card.cancelled_at.astimezone(WARSAW).date() + timedelta(days=1), time(7, 50), tzinfo=WARSAW
    )
    # The six payments in the three hours before the report and the offline ticket after it.
    assert anna.disputed.count() == 7
    estimate = anna.assessments.get(kind="ESTIMATE")
    assert estimate.synthetic_rates_used is True
    assert {line["rule"] for line in estimate.result["lines"]} >= {"UUP-46-AFTER-REPORT", "UUP-46-2-CAP"}
    assert anna.ledger_entries.filter(kind="PROVISIONAL_REFUND").count() == 7
    withheld = Case.objects.get(state=CaseState.REFUND_WITHHELD)
    assert withheld.evidence.filter(kind="LAW_ENFORCEMENT_NOTICE").count() == 1
    closed = Case.objects.get(state=CaseState.CLOSED)
    assert (closed.out_of_window, closed.outcome) == (True, "REJECTED")
    # A payment refunded, then reversed when its claim was withdrawn, claimed again and refunded again.
    withdrawn = Case.objects.get(customer__last_name="Kowalska", state=CaseState.WITHDRAWN)
    (refund,) = LedgerEntry.objects.filter(case=withdrawn, kind="PROVISIONAL_REFUND")
    (again,) = LedgerEntry.objects.filter(
        transaction=refund.transaction, kind="PROVISIONAL_REFUND", reversed_by=None
    ).exclude(case=withdrawn)
    assert (refund.reversed_by.kind, again.case.state) == ("REVERSAL", CaseState.PROVISIONALLY_REFUNDED)
    # Every refund the seeded claims credited, the customer was told of, once, when the simulator
    # confirmed its credits.
    credited = set(
        LedgerEntry.objects.filter(kind="PROVISIONAL_REFUND", amount__gt=0).values_list("case", flat=True)
    )
    assert anna.pk in credited
    for case in Case.objects.filter(pk__in=credited):
        told = Notification.objects.filter(customer=case.customer, kind="REFUND_MADE", channel="SMS")
        assert [sms.created_at for sms in told if case.number in sms.body] == [case.refund_confirmed_at], (
            case.number
        )
    # Whatever the seeded claims took back from an account, the customer was told of, once per take-back.
    taken_back = LedgerEntry.objects.filter(kind__in=["REVERSAL", "RECOVERY"]).values_list("case", "kind")
    assert ("REVERSAL" in {kind for _case, kind in taken_back}) is True
    for case in Case.objects.filter(pk__in=[case for case, _kind in taken_back]):
        told = Notification.objects.filter(customer=case.customer, kind="MONEY_TAKEN_BACK", channel="SMS")
        assert len([sms for sms in told if case.number in sms.body]) == len(
            {kind for pk, kind in taken_back if pk == case.pk}
        ), case.number


def test_the_demo_shows_search_the_phone_claim_lookup_and_a_verified_audit_log():
    from customers.models import User
    from disputes.backoffice.search import backoffice_search, claim_lookup
    from reports.models import AuditVerification
    from reports.verification import audit_verification_run

    seed_demo(now=NOW)
    # The queued verification, run as its task runs it (a worker would, once the demo is committed).
    audit_verification_run(verification_id=AuditVerification.objects.get().pk, clock=lambda: NOW)
    supervisor = User.objects.get(username="supervisor")

    found = backoffice_search(user=supervisor, query="wisniewska")
    by_phone = claim_lookup(user=supervisor, query="+48 512 345 678")

    assert [f"{c.first_name} {c.last_name}" for c in found.customers] == ["Katarzyna Wiśniewska"]
    assert [f"{c.first_name} {c.last_name}" for c in by_phone] == ["Piotr Nowak"]
    verification = AuditVerification.objects.get()
    assert (verification.requested_by.username, verification.state, verification.ok) == (
        "auditor",
        "DONE",
        True,
    )


def test_the_demo_holds_a_chargeback_in_every_state_and_windows_running_out():
    from datetime import date

    from disputes.backoffice.selectors import queue_cases
    from kartosfera.legaltime import warsaw_date

    seed_demo(now=NOW)
    today = warsaw_date(NOW)

    assert set(Chargeback.objects.values_list("state", flat=True)) == set(ChargebackState.values)
    katarzyna = Chargeback.objects.filter(
        case__customer__first_name="Katarzyna",
        case__customer_account__in=[
            "Przeglądając historię karty, zauważyłam płatność internetową sprzed czterech miesięcy.",
            "Dwie kolejne płatności internetowe, których nie wykonałam; karta była w domu.",
        ],
    )
    # Windows that closed two days ago (breached), end today, and end in eleven days (alerted).
    assert sorted((cb.filing_due_on - today).days for cb in katarzyna) == [-2, 0, 11]
    # The sweep alerts on the windows still closing; the one already missed is not "closing".
    assert sorted(((cb.filing_due_on - today).days, cb.alerted_at == NOW) for cb in katarzyna) == [
        (-2, False),
        (0, True),
        (11, True),
    ]
    breached = katarzyna.get(filing_due_on=date.fromordinal(today.toordinal() - 2)).case
    assert breached.pk in queue_cases(name="breached", user=None, now=NOW).values_list("pk", flat=True)
    due_today = katarzyna.get(filing_due_on=today).case
    assert due_today.assignee.username == "analyst"
    assert due_today.pk in queue_cases(name="due_today", user=None, now=NOW).values_list("pk", flat=True)
    won = Chargeback.objects.get(state="WON")
    assert list(won.ledger_entries.values_list("kind", "amount")) == [("CHARGEBACK_CREDIT", won.amount)]
    assert Chargeback.objects.get(state="REPRESENTED").response_rule == "CB-MC-2P"
    # A result waits for the supervisor, who sees on the approvals page how much it brings back.
    waiting = DecisionProposal.objects.get(kind="CHARGEBACK", status="PENDING")
    assert (waiting.chargeback.state, waiting.data["won"], waiting.data["amount"]) == (
        ChargebackState.FILED,
        True,
        str(waiting.chargeback.amount),
    )


def test_the_demo_shows_decisions_in_words_and_letters_from_real_data():
    seed_demo(now=NOW)

    # A claim decided in part: the customer's share, its rule, and the grounds written for the customer.
    partial = Case.objects.filter(outcome="PARTIALLY_ACCEPTED", state=CaseState.DECIDED).first()
    assert partial.customer_share > 0 and partial.bank_share > 0
    assert "UUP-46-2-CAP" in {line["rule"] for line in partial.decision_assessment.result["lines"]}
    decided = partial.transitions.get(name="decide")
    assert decided.data["grounds"].startswith("Karta została utracona lub jej dane przywłaszczone")
    assert decided.data["grounds"] != decided.data["reason"]
    # The refund withheld names the authority, the notice's date and reference the analyst recorded.
    withheld = Case.objects.get(state=CaseState.REFUND_WITHHELD)
    notice = withheld.letter_requests.get(letter_type="REFUND_WITHHELD").context["law_enforcement"]
    assert (notice["authority"], notice["reference"]) == (
        "Prokuratura Rejonowa Poznań-Stare Miasto",
        "KB/BZ/2026/0057",
    )
    # A decision waiting for its approver, whose letter can be previewed before approval.
    pending = DecisionProposal.objects.get(kind="DECISION", status="PENDING")
    # The account tells of the payment claimed: a contactless payment in a shop.
    assert pending.case.customer_account.startswith("Płatność zbliżeniowa w sklepie sprzed dwóch miesięcy")
    assert [link.transaction.channel for link in pending.case.disputed.select_related("transaction")] == [
        "CONTACTLESS"
    ]
    assert pending.data["customer_grounds"].startswith("Dane karty zostały przywłaszczone")


def test_the_demo_analysts_write_the_cap_of_the_liability_rules_in_their_notes_and_grounds():
    seed_demo(now=NOW)

    decisions = set(
        DecisionProposal.objects.filter(kind="DECISION").values_list("reason", "data__customer_grounds")
    )

    assert {
        (
            "Przywłaszczenie przed zgłoszeniem, brak rażącego niedbalstwa: limit 50 EUR (UUP-46-2-CAP).",
            "Dane karty zostały przywłaszczone i użyte, zanim zgłosili Państwo nieautoryzowaną płatność. Za "
            "transakcje wykonane przed zgłoszeniem posiadacz karty odpowiada do równowartości 50 euro "
            "według średniego kursu NBP z dnia transakcji; ponad tę kwotę odpowiada Bank.",
        ),
        (
            "Limit 50 EUR (UUP-46-2-CAP); klientka nie zgłosiła wcześniej utraty danych.",
            "Dane karty zostały przywłaszczone i użyte, zanim zgłosili Państwo nieautoryzowaną płatność. Za "
            "transakcje wykonane przed zgłoszeniem posiadacz karty odpowiada do równowartości 50 euro "
            "według średniego kursu NBP z dnia transakcji; ponad tę kwotę odpowiada Bank.",
        ),
        # The auditors' report's claims (demo.reports), decided in part.
        (
            "Brak ustaleń obciążających klienta; do równowartości 50 euro transakcje obciążają "
            "posiadacza karty.",
            "Karta została utracona lub jej dane przywłaszczone przed zgłoszeniem. Za transakcje wykonane "
            "przed zgłoszeniem posiadacz karty odpowiada do równowartości 50 euro; pozostałą kwotę "
            "ponosi Bank.",
        ),
    } <= decisions


@pytest.mark.parametrize(
    ("addr", "site"),
    [
        ("127.0.0.1:8290", "http://127.0.0.1:8290"),
        ("8290", "http://127.0.0.1:8290"),
        ("0.0.0.0:8001", "http://127.0.0.1:8001"),
        ("demo.local:80", "http://demo.local:80"),
    ],
)
def test_the_demo_address_is_the_one_runserver_serves_on(addr, site):
    assert site_url(addr) == site


def test_the_demo_prints_links_to_the_address_it_serves_on():
    out = io.StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--addr", "127.0.0.1:8290", stdout=out)

    links = re.findall(r"https?://[^\s/]+", out.getvalue())
    assert links and set(links) == {"http://127.0.0.1:8290"}
    assert "http://127.0.0.1:8290/back-office/" in out.getvalue()
    assert "http://127.0.0.1:8290/sign-in/" in out.getvalue()


def test_the_demo_opens_with_a_claim_past_its_reply_date_deemed_accepted_as_the_beat_would_have():
    # Monday 7 December 2026: the report demo's claim of Olena's withdrawal came in on 3 November, so our
    # reply was due by 3 December and none was sent: by now production's sweep has deemed it accepted
    # (REK-8).
    now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)

    lines = seed_demo(now=now)

    claim = Case.objects.get(customer_account__contains="PIN must have been copied at a cash machine")
    assert (claim.state, claim.reply_due_on.isoformat(), claim.deemed_accepted_at) == (
        CaseState.DEEMED_ACCEPTED,
        "2026-12-03",
        now,
    )
    assert claim.transitions.get(name="deem_accepted").actor_kind == "SYSTEM"  # the sweep, not a person
    # It is the one claim the sweep found; no other claim is left past its reply date unanswered.
    assert list(Case.objects.filter(deemed_accepted_at=now)) == [claim]
    assert not cases_reply_overdue(now=now).exists()
    # Said after the dispute cases, with the claim's number.
    sweeps = next(i for i, line in enumerate(lines) if line.startswith("Dispute sweeps"))
    assert "chargeback filing alerts raised" in lines[sweeps - 1]
    assert (
        f"1 claim(s) deemed accepted, their reply deadline passed unanswered (REK-8): {claim.number};"
        in (lines[sweeps])
    )

    again = seed_demo(now=now)

    assert "0 claim(s) deemed accepted" in next(line for line in again if line.startswith("Dispute sweeps"))


def test_nothing_happens_on_a_demo_claim_before_it_was_submitted_nor_is_claimed_before_it_happened():
    from disputes.models import Evidence
    from letters.models import Letter

    seed_demo(now=NOW)

    wrong = []
    for case in Case.objects.exclude(submitted_at=None).order_by("pk"):
        submitted = case.submitted_at
        # The draft's own history (its creation and its edits) comes before its submission.
        after_the_draft = case.transitions.exclude(from_state=CaseState.DRAFT)
        dated = [
            *((f"transition {t.name}", t.occurred_at) for t in after_the_draft),
            *((f"event {e.kind}", e.occurred_at) for e in case.events.all()),
            *((f"ledger {e.kind}", e.created_at) for e in case.ledger_entries.all()),
            *((f"letter {x.letter_type}", x.issued_at) for x in Letter.objects.filter(case=case)),
            *((f"evidence {x.kind}", x.uploaded_at) for x in Evidence.objects.filter(case=case)),
            *((f"assessment {a.kind}", a.created_at) for a in case.assessments.all()),
            *((f"proposal {p.kind}", p.proposed_at) for p in case.proposals.all()),
            *((f"chargeback {c.pk}", c.created_at) for c in case.chargebacks.all()),
        ]
        wrong += [
            f"{case.number}: {what} at {at}, submitted at {submitted}" for what, at in dated if at < submitted
        ]
        assert case.received_at <= submitted, case.number
        wrong += [
            f"{case.number}: received at {case.received_at}, before {link.transaction} executed at "
            f"{link.transaction.executed_at}"
            for link in case.disputed.select_related("transaction")
            if link.transaction.executed_at > case.received_at
        ]
    assert not wrong, "\n".join(wrong)


def test_the_customers_account_of_a_demo_claim_tells_of_the_payments_it_claims():
    seed_demo(now=NOW)

    told = {
        "z bankomatu": "ATM",  # a withdrawal
        "zbliżeniow": "CONTACTLESS",
        "internetow": "INTERNET",
    }
    wrong = []
    for case in Case.objects.select_related("customer").order_by("pk"):
        paid = {link.transaction.channel for link in case.disputed.select_related("transaction")}
        for words, channel in told.items():
            if words in case.customer_account.lower() and paid != {channel}:
                wrong.append(f"{case.number}: {case.customer_account!r} claims {sorted(paid)}")
        # ...in the customer's own language (Polish is written with its diacritics).
        polish = bool(re.search("[ąćęłńóśźż]", case.customer_account.lower()))
        if case.customer_account and polish != (case.customer.preferred_language == "pl"):
            wrong.append(
                f"{case.number}: {case.customer_account!r} to a reader of {case.customer.preferred_language}"
            )
    assert not wrong, "\n".join(wrong)


def test_a_demo_claim_of_a_cash_withdrawal_tells_of_cash_and_is_asked_of_the_card_not_a_phone():
    from demo.disputes._chargebacks import CHARGEBACK_PLANS
    from demo.disputes._plans import PLANS, PROPOSAL_PLANS

    seed_demo(now=NOW)

    cash_words = ("bankomat", "wypłac", "cash", "withdr")
    accounts = [plan.account for plan in (*PLANS, *CHARGEBACK_PLANS, *PROPOSAL_PLANS)]
    wrong = []
    for case in Case.objects.filter(customer_account__in=accounts).order_by("pk"):
        disputed = [link.transaction for link in case.disputed.select_related("transaction")]
        account = case.customer_account.lower()
        withdrawals = {t.channel == "ATM" for t in disputed}
        if withdrawals == {True} and not any(word in account for word in cash_words):
            wrong.append(f"{case.number}: a withdrawal told as {case.customer_account!r}")
        # The analyst's questions are of how the payment was made: a phone's wallet only if it paid.
        asked = " ".join(t.data["questions"] for t in case.transitions.filter(name="request_information"))
        wallet_paid = any(t.wallet_token_id for t in disputed)
        if not wallet_paid and any(word in asked.lower() for word in ("phone", "telefon", "google pay")):
            wrong.append(f"{case.number}: asked {asked!r} of a payment made without a phone")
    assert not wrong, "\n".join(wrong)


def test_a_demo_claim_told_as_card_payments_claims_no_cash_withdrawal():
    seed_demo(now=NOW)

    wrong = [
        f"{case.number}: {case.customer_account!r} claims a withdrawal"
        for case in Case.objects.order_by("pk")
        if any(words in case.customer_account.lower() for words in ("płatności kartą", "card payments"))
        and case.disputed.filter(transaction__channel="ATM").exists()
    ]
    assert not wrong, "\n".join(wrong)
    jan = Case.objects.get(customer_account__startswith="Płatności kartą, których nie wykonałem")
    assert jan.disputed.count() == 3
