"""Letters issued through the workflow: stored immutably, re-issued as versions, downloaded by the owner."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.test import Client

from audit.models import AuditEntry
from customers.middleware import SIGNED_IN_AT
from disputes.models import EvidenceKind
from disputes.services import (
    case_add_evidence,
    case_assess_liability,
    case_customer_responded,
    case_decide,
    case_extend_reply,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
    case_withhold_refund,
    claim_create_draft,
    claim_submit,
)
from disputes.tasks import record_reply_dispatched
from kartosfera import clock
from letters.models import CustomerAddress, Letter, LetterImmutable, StaffProfile
from letters.rules import LetterDataError
from letters.services import (
    LetterAlreadyDispatched,
    letter_dispatch,
    letter_issue,
    letter_preview,
    letter_reissue,
)
from liability.engine import Findings
from outbox.models import OutboxMessage
from outbox.services import outbox_run_in_place
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import make_theft, refunded_net_of_cap, staff, submitted_case, warsaw
from tests.disputes.helpers import four_eyes, pdf
from tests.letters.conftest import read_pdf
from tests.staff import sign_in_staff

RECOVERY_AFTER_DISPATCH_PL = (
    "Część ponoszoną przez Państwa, 212,71 zł, pobierzemy z rachunku nie wcześniej niż "
    "następnego dnia po wysłaniu do Państwa tego pisma"
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eur_rates(db):
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    return rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))


def _person(username, group, first, last, position):
    user = staff(username, group)
    user.first_name, user.last_name = first, last
    user.save()
    StaffProfile.objects.create(user=user, position=position)
    return user


@pytest.fixture
def analyst(db):
    return _person("analyst", "analysts", "Piotr", "Wróbel", "Analityk reklamacji kartowych")


@pytest.fixture
def supervisor(db):
    return _person(
        "supervisor",
        "supervisors",
        "Katarzyna",
        "Zielińska",
        "Kierownik Zespołu Reklamacji Kartowych",
    )


@pytest.fixture
def theft(db):
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    return theft


def _sign_in(client, user):
    if user.is_staff:
        return sign_in_staff(client, user)
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = clock.now().isoformat()  # as the sign-in view records it
    session.save()


def _issue(case, kind, now):
    request = case.letter_requests.get(letter_type=kind)
    letter = letter_issue(letter_request_id=request.pk, actor=None, now=now)
    request.refresh_from_db()
    assert request.fulfilled_at == now
    return letter


def _read(letter):
    with letter.pdf.open("rb") as file:
        data = file.read()
    return data, read_pdf(data)


def _check_stored(letter, kind_sentences):
    data, readback = _read(letter)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == letter.sha256
    assert letter.pdf.name.startswith(f"letters/{letter.case_id}/")
    assert readback.page_count == letter.page_count
    assert readback.pdfa == {"part": "3", "conformance": "B"}
    assert readback.lang == "pl"
    assert readback.info["/Author"] == "Kartosfera Bank S.A."
    for sentence in kind_sentences:
        assert readback.says(sentence), f"{letter.letter_type}: {sentence!r} not in {readback.text[:3000]}"
    return readback


# The analyst's internal note on the decision, and the grounds written for the customer to read.
INTERNAL_REASON = "Notatka wewnętrzna: limit 50 EUR, brak rażącego niedbalstwa"
CUSTOMER_GROUNDS = (
    "Karta została skradziona, a transakcje wykonano przed jej zastrzeżeniem. Za takie transakcje "
    "posiadacz karty odpowiada do równowartości 50 euro; resztę ponosi Bank."
)


def _partial_case(theft, analyst, supervisor):
    """Stolen card, refunded at D+1, information asked, reply extended, decided in part (50 EUR cap)."""
    case = submitted_case(theft, theft.user)
    issued = {"ACKNOWLEDGEMENT": _issue(case, "ACKNOWLEDGEMENT", warsaw(2025, 5, 26, 10, 5))}
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    issued["PROVISIONAL_REFUND"] = _issue(case, "PROVISIONAL_REFUND", warsaw(2025, 5, 26, 12, 5))
    case_request_information(
        case_id=case.pk,
        questions="Gdzie był telefon tego wieczoru?\nKto znał PIN?",
        actor=analyst,
        now=warsaw(2025, 6, 10, 9, 0),
    )
    issued["INFORMATION_REQUEST"] = _issue(case, "INFORMATION_REQUEST", warsaw(2025, 6, 10, 9, 5))
    case_customer_responded(
        case_id=case.pk, response="W domu, zablokowany.", actor=theft.user, now=warsaw(2025, 6, 15, 18, 0)
    )
    case_extend_reply(
        case_id=case.pk,
        reason="Czekamy na nagranie z kamery bankomatu",
        outstanding="Kto wypłacił gotówkę o 19:10",
        expected_reply_on=date(2025, 7, 15),
        actor=analyst,
        now=warsaw(2025, 6, 24, 10, 0),
    )
    issued["DELAY_NOTICE"] = _issue(case, "DELAY_NOTICE", warsaw(2025, 6, 24, 10, 5))
    case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=warsaw(2025, 7, 9, 10, 0))
    case_decide(
        case_id=case.pk,
        actor=supervisor,
        now=warsaw(2025, 7, 10, 9, 0),
        reason=INTERNAL_REASON,
        customer_grounds=CUSTOMER_GROUNDS,
    )
    issued["DECISION_PARTIAL"] = _issue(case, "DECISION_PARTIAL", warsaw(2025, 7, 10, 9, 5))
    case.refresh_from_db()
    return case, issued


def test_every_letter_of_a_partly_accepted_claim_is_issued_and_stored(theft, eur_rates, analyst, supervisor):
    case, issued = _partial_case(theft, analyst, supervisor)

    assert {kind: (letter.version, letter.letter_type) for kind, letter in issued.items()} == {
        "ACKNOWLEDGEMENT": (1, "CLAIM_ACKNOWLEDGEMENT"),
        "PROVISIONAL_REFUND": (1, "PROVISIONAL_REFUND"),
        "INFORMATION_REQUEST": (1, "INFORMATION_REQUEST"),
        "DELAY_NOTICE": (1, "DELAY_NOTICE"),
        "DECISION_PARTIAL": (1, "DECISION_PARTIALLY_ACCEPTED"),
    }
    common = [case.number, "Anna", "ul. Źródlana 7 m. 12", "31-422 Kraków"]
    _check_stored(issued["ACKNOWLEDGEMENT"], [*common, "26 maja 2025", "920,00 zł"])
    _check_stored(issued["PROVISIONAL_REFUND"], [*common, "920,00 zł", "dziewięćset dwadzieścia złotych"])
    _check_stored(
        issued["INFORMATION_REQUEST"], [*common, "Gdzie był telefon tego wieczoru?", "Kto znał PIN?"]
    )
    _check_stored(
        issued["DELAY_NOTICE"],
        [*common, "Czekamy na nagranie z kamery bankomatu", "Kto wypłacił gotówkę o 19:10", "15 lipca 2025"],
    )
    decision = _check_stored(
        issued["DECISION_PARTIAL"],
        [
            *common,
            "212,71 zł",
            "707,29 zł",
            "4,2541",
            "099/A/NBP/2025",
            "Katarzyna Zielińska",
            "Kierownik Zespołu Reklamacji Kartowych",
            "Rzecznik",
        ],
    )
    assert issued["DECISION_PARTIAL"].snapshot["liability"]["customer_total"] == "212.71"
    assert issued["DECISION_PARTIAL"].snapshot["decision"]["outcome"] == "PARTIALLY_ACCEPTED"
    assert decision.page_count >= 2
    # The factual grounds are the text written for the customer; the internal note never appears.
    assert decision.says(CUSTOMER_GROUNDS)
    assert not decision.says(INTERNAL_REASON)
    # The full D+1 refund, then when and how the customer's share is taken back (FULL_THEN_RECOVER).
    assert decision.says("Dnia 26 maja 2025 zwróciliśmy tymczasowo na Państwa rachunek 920,00 zł")
    assert decision.says(RECOVERY_AFTER_DISPATCH_PL)
    assert not decision.says("pobierzemy z rachunku dnia")
    assert issued["DECISION_PARTIAL"].snapshot["decision"]["customer_share_recovered_after_dispatch"] is True
    assert issued["DECISION_PARTIAL"].snapshot["decision"]["customer_share_recovered_on"] is None
    # Transactions are named by merchant, date and amount, never by the processor's references.
    references = [
        link.transaction.processor_reference for link in case.disputed.select_related("transaction")
    ]
    for letter in issued.values():
        _data, readback = _read(letter)
        assert not [reference for reference in references if readback.says(reference)], letter.letter_type


def _withheld_case(theft, analyst, supervisor, *, authority, reference="KB/BZ/2025/0417"):
    """A submitted claim whose D+1 refund is withheld on 27 May 2025, law enforcement notified."""
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_add_evidence(
        case_id=case.pk,
        kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE,
        file=pdf(),
        description="Skan wysłanego zawiadomienia",
        actor=analyst,
        now=warsaw(2025, 5, 27, 8, 30),
    )
    case_withhold_refund(
        case_id=case.pk,
        grounds="Wypłata z PIN-em przed zgłoszeniem",
        authority=authority,
        notified_on=date(2025, 5, 27),
        notice_reference=reference,
        actor=supervisor,
        now=warsaw(2025, 5, 27, 9, 0),
    )
    return case


def test_accepted_withheld_rejected_and_cancellation_letters(theft, eur_rates, analyst, supervisor):
    case = _withheld_case(theft, analyst, supervisor, authority="Prokuratura Rejonowa Warszawa-Śródmieście")
    withheld = _issue(case, "REFUND_WITHHELD", warsaw(2025, 5, 27, 9, 5))
    case_assess_liability(
        case_id=case.pk, findings=Findings(intent=True), actor=analyst, now=warsaw(2025, 6, 5, 10, 0)
    )
    four_eyes(
        "DECISION",
        case=case,
        proposer=analyst,
        approver=supervisor,
        now=warsaw(2025, 6, 6, 9, 0),
        reason="Umyślne działanie",
    )
    rejected = _issue(case, "DECISION_REJECTED", warsaw(2025, 6, 6, 9, 5))

    # The authority, the notice's date and its reference as the withholding step recorded them; never
    # the evidence file's description or a fragment of its hash.
    withheld_text = _check_stored(
        withheld,
        [
            case.number,
            "Zawiadomiony organ: Prokuratura Rejonowa Warszawa-Śródmieście",
            "Data pisemnego zawiadomienia: 27 maja 2025",
            "Znak sprawy: KB/BZ/2025/0417",
        ],
    )
    notice = case.evidence.get(kind=EvidenceKind.LAW_ENFORCEMENT_NOTICE)
    assert not withheld_text.says("Skan wysłanego zawiadomienia")
    assert not withheld_text.says(notice.sha256[:16])
    _check_stored(
        rejected, [case.number, "Umyślne działanie", "920,00 zł", "Rzecznik", "Katarzyna Zielińska"]
    )
    cancellation = letter_preview(
        case_id=case.pk, letter_type="CARD_CANCELLATION", actor=analyst, now=warsaw(2025, 6, 6, 10, 0)
    )
    readback = read_pdf(cancellation.pdf_bytes)
    assert readback.says("23 maja 2025") and readback.says("828 828 828")
    assert readback.page_count == cancellation.page_count


def test_accepted_decision_letter(theft, eur_rates, analyst, supervisor):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0), reason="Niewykrywalne")

    accepted = _issue(case, "DECISION_ACCEPTED", warsaw(2025, 6, 3, 9, 5))

    _check_stored(accepted, [case.number, "920,00 zł", "Katarzyna Zielińska", "3 czerwca 2025"])
    assert accepted.snapshot["liability"]["bank_total"] == "920.00"


def test_issuing_again_returns_the_same_letter(theft, eur_rates, analyst):
    case = submitted_case(theft, theft.user)
    first = _issue(case, "ACKNOWLEDGEMENT", warsaw(2025, 5, 26, 10, 5))
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")

    again = letter_issue(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 26, 10, 9))

    assert again.pk == first.pk
    assert list(Letter.objects.filter(letter_request=request).values_list("version", flat=True)) == [1]
    # No second file was written beside the first.
    assert [p.name for p in Path(first.pdf.path).parent.iterdir()] == [Path(first.pdf.name).name]


def test_a_stored_letter_cannot_be_changed_or_deleted(theft, eur_rates, analyst, admin_client):
    case = submitted_case(theft, theft.user)
    letter = _issue(case, "ACKNOWLEDGEMENT", warsaw(2025, 5, 26, 10, 5))
    stored = Letter.objects.filter(pk=letter.pk).values().get()

    letter.sha256 = "0" * 64
    with pytest.raises(LetterImmutable):
        letter.save()
    with pytest.raises(LetterImmutable):
        Letter.objects.get(pk=letter.pk).delete()
    with pytest.raises(LetterImmutable):
        Letter.objects.filter(pk=letter.pk).update(page_count=9)
    with pytest.raises(LetterImmutable):
        Letter.objects.filter(pk=letter.pk).delete()
    admin = site._registry[Letter]
    assert admin_client.get(f"/admin/letters/letter/{letter.pk}/delete/").status_code == 403
    assert (
        admin_client.post(f"/admin/letters/letter/{letter.pk}/change/", {"page_count": 9}).status_code == 403
    )
    assert admin.has_add_permission(None) is False

    assert Letter.objects.filter(pk=letter.pk).values().get() == stored


def test_a_reissue_keeps_the_earlier_version(theft, eur_rates, analyst):
    case = submitted_case(theft, theft.user)
    first = _issue(case, "ACKNOWLEDGEMENT", warsaw(2025, 5, 26, 10, 5))
    first_file = _read(first)[0]

    second = letter_reissue(
        letter_id=first.pk, reason="Błędny adres klienta", actor=analyst, now=warsaw(2025, 5, 27, 9, 0)
    )

    assert (second.version, second.supersedes_id, second.correction_reason) == (
        2,
        first.pk,
        "Błędny adres klienta",
    )
    assert second.pdf.name != first.pdf.name
    assert _read(Letter.objects.get(pk=first.pk))[0] == first_file
    assert list(case.letters.order_by("version").values_list("version", flat=True)) == [1, 2]
    entry = AuditEntry.objects.get(action="letter.issued", object_id=str(second.pk))
    assert (entry.actor_id, entry.data["version"], entry.data["correction_reason"]) == (
        analyst.pk,
        2,
        "Błędny adres klienta",
    )


def test_dispatching_a_decision_letter_records_the_reply_on_the_case(theft, eur_rates, analyst, supervisor):
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 6, 2, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 3, 9, 0), reason="Niewykrywalne")
    letter = _issue(case, "DECISION_ACCEPTED", warsaw(2025, 6, 3, 9, 5))

    letter_dispatch(letter_id=letter.pk, channel="POST", actor=analyst, now=warsaw(2025, 6, 3, 15, 0))

    # The letters app asked the disputes workflow, through the outbox, to record the reply: the
    # worker's part is run here (both setups).
    [message] = OutboxMessage.objects.filter(task="disputes.tasks.record_reply_dispatched")
    assert record_reply_dispatched.apply(kwargs=message.kwargs).get() == {
        "case_id": case.pk,
        "recorded": True,
    }
    case.refresh_from_db()
    letter.refresh_from_db()
    assert case.reply_dispatched_at == warsaw(2025, 6, 3, 15, 0)
    assert (letter.dispatched_at, letter.dispatch_channel) == (warsaw(2025, 6, 3, 15, 0), "POST")
    with pytest.raises(LetterAlreadyDispatched):
        letter_dispatch(letter_id=letter.pk, channel="EMAIL", actor=analyst, now=warsaw(2025, 6, 3, 16, 0))
    letter.refresh_from_db()
    assert letter.dispatch_channel == "POST"


def test_the_owner_downloads_the_pdf_and_another_customer_gets_404(theft, eur_rates, analyst):
    case = submitted_case(theft, theft.user)
    letter = _issue(case, "ACKNOWLEDGEMENT", warsaw(2025, 5, 26, 10, 5))
    other = make_theft(username="bartek")
    owner, stranger, analyst_client = Client(), Client(), Client()
    for client, user in ((owner, theft.user), (stranger, other.user), (analyst_client, analyst)):
        _sign_in(client, user)

    response = owner.get(f"/letters/{letter.pk}/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == _read(letter)[0]
    assert stranger.get(f"/letters/{letter.pk}/pdf").status_code == 404
    assert stranger.get(f"/letters/{letter.pk + 1000}/pdf").status_code == 404
    assert analyst_client.get(f"/letters/{letter.pk}/pdf").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_task_issues_once_however_often_it_runs(celery_worker):
    from letters.tasks import issue_letter, issue_pending_letters
    from liability.services import rates_load_fixture
    from tests.liability.nbp_server import FIXTURE

    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    case = submitted_case(theft, theft.user)  # queues the acknowledgement on commit
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")

    first = issue_letter.delay(letter_request_id=request.pk).get(timeout=120)
    again = issue_letter.delay(letter_request_id=request.pk).get(timeout=120)
    swept = issue_pending_letters.delay(limit=10).get(timeout=120)

    assert first == again == Letter.objects.get(letter_request=request).pk
    assert list(Letter.objects.filter(letter_request=request).values_list("version", flat=True)) == [1]
    request.refresh_from_db()
    assert request.fulfilled_at is not None
    assert swept == 0  # nothing left pending


def test_a_case_deemed_accepted_gets_the_rek_8_notice_with_its_refunds(
    theft, eur_rates, analyst, django_capture_on_commit_callbacks
):
    from disputes.services import cases_deem_accepted_overdue

    case = submitted_case(theft, theft.user)  # received 26 May 2025: reply due 25 June (REK-6)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    # No reply by the end of 25 June: the beat sweep deems the complaint accepted (REK-8).
    assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 0, 30), batch_size=10) == 1

    notice = _issue(case, "DECISION_ACCEPTED", warsaw(2025, 6, 26, 0, 35))

    assert notice.letter_type == "DEEMED_ACCEPTED"
    readback = _check_stored(
        notice,
        [
            case.number,
            "Reklamacja rozpatrzona zgodnie z Państwa wolą",
            "w terminie, który upłynął 25 czerwca 2025",
            "uważa się zatem za rozpatrzoną zgodnie z Państwa wolą",
            "Bank zwraca całą kwotę kwestionowanych transakcji: 920,00 zł.",
            "26 maja 2025 zwrot dokonany po Państwa zgłoszeniu, obecnie ostateczny 920,00 zł",
            "dziewięćset dwadzieścia złotych 00/100",
        ],
    )
    assert not readback.says("Rzecznik Finansowy.")
    # RULES.md section 5: no one acted, yet the reply names the person replying and their position.
    assert notice.snapshot["signatory"] == {"name": "Ewa Maj", "position": "Kierownik Zespołu Reklamacji"}
    assert readback.says("Z poważaniem, Ewa Maj Kierownik Zespołu Reklamacji Kartosfera Bank S.A.")
    assert notice.snapshot["deemed_acceptance"] == {
        "missed_deadline_on": "2025-06-25",
        "missed_deadline_rule_id": "REK-6",
        "deemed_on": "2025-06-26",
        "payments": [{"kind": "PROVISIONAL_MADE_FINAL", "amount": "920.00", "paid_on": "2025-05-26"}],
    }
    # The notice tells the customer the current outcome: its dispatch is recorded on the case, which
    # stays deemed accepted (it was not a reply in time).
    with django_capture_on_commit_callbacks(execute=True):
        letter_dispatch(letter_id=notice.pk, channel="POST", actor=None, now=warsaw(2025, 6, 26, 9, 0))
    # The worker's part, run here whatever the broker: the letters app asked the workflow to record it.
    outbox_run_in_place(
        message_ids=OutboxMessage.objects.filter(
            task="disputes.tasks.record_reply_dispatched",
            kwargs__case_id=case.pk,
            kwargs__letter_id=notice.pk,
        ).values_list("pk", flat=True)
    )
    case.refresh_from_db()
    assert case.state == "DEEMED_ACCEPTED"
    assert case.reply_dispatched_at == warsaw(2025, 6, 26, 9, 0)
    recorded = case.transitions.get(name="dispatch_reply")
    assert (recorded.data["letter"], recorded.data["in_time"]) == (notice.pk, False)


def test_a_withheld_refund_deemed_accepted_is_paid_on_the_day_and_the_notice_says_so(
    theft, eur_rates, analyst, supervisor
):
    from disputes.services import case_deem_accepted

    case = _withheld_case(theft, analyst, supervisor, authority="Komenda Miejska Policji w Krakowie")
    case_deem_accepted(case_id=case.pk, actor=supervisor, now=warsaw(2025, 6, 27, 8, 0))

    notice = _issue(case, "DECISION_ACCEPTED", warsaw(2025, 6, 27, 8, 5))

    _check_stored(
        notice,
        [
            "27 czerwca 2025 zwrot w związku z uznaniem reklamacji 920,00 zł",
            "Zwrócono łącznie 920,00 zł",
            # A supervisor deemed it: they sign it, with their position.
            "Katarzyna Zielińska",
            "Kierownik Zespołu Reklamacji Kartowych",
        ],
    )
    preview = letter_preview(
        case_id=case.pk, letter_type="DEEMED_ACCEPTED", actor=analyst, now=warsaw(2025, 6, 27, 9, 0)
    )
    assert read_pdf(preview.pdf_bytes).says("Zwrócono łącznie 920,00 zł")


def test_a_transaction_publishes_one_task_for_its_letters_which_fans_out_in_the_worker(
    eur_rates, analyst, monkeypatch, django_capture_on_commit_callbacks
):
    from disputes.services import cases_deem_accepted_overdue
    from letters import tasks

    cases = [submitted_case(make_theft(username=name), analyst) for name in ("ewa", "jan")]
    published, fanned_out = [], []

    def fan_out(**kwargs):
        fanned_out.append(kwargs["letter_request_id"])
        return tasks.issue_letter.apply(kwargs=kwargs)

    # What the commit hands to the broker is recorded; the worker's part is run here (both modes).
    monkeypatch.setattr(
        tasks.issue_letters, "apply_async", lambda kwargs, **_options: published.append(kwargs)
    )
    monkeypatch.setattr(tasks.issue_letter, "delay", fan_out)

    # One sweep transaction deems both claims accepted: a letter each, one message for both.
    with django_capture_on_commit_callbacks(execute=True):
        assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 0, 30), batch_size=10) == 2
    notices = sorted(
        request.pk
        for case in cases
        for request in case.letter_requests.filter(letter_type="DECISION_ACCEPTED")
    )
    assert len(notices) == 2
    assert [sorted(call["letter_request_ids"]) for call in published] == [notices]

    assert tasks.issue_letters.apply(kwargs=published[0]).get() == 2

    assert sorted(fanned_out) == notices


def test_a_withholding_recorded_without_the_notice_details_holds_its_letter(theft, analyst, supervisor):
    """A request made before the step recorded the notice's details: no letter guesses them."""
    case = _withheld_case(theft, analyst, supervisor, authority="Prokuratura Rejonowa Kraków-Śródmieście")
    request = case.letter_requests.get(letter_type="REFUND_WITHHELD")
    request.context = {"grounds": request.context["grounds"]}
    request.save(update_fields=["context"])

    with pytest.raises(LetterDataError, match="authority"):
        letter_issue(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 27, 9, 5))

    assert not Letter.objects.filter(letter_request=request).exists()


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (
            "CANCELLED",
            # Since when: a disputed payment made after the cancellation does not contradict it.
            "Karta {card} jest zastrzeżona od 23 maja 2025, 21:00:00 (czasu polskiego): od tej chwili nikt "
            "nie może nią płacić.",
        ),
        (
            "BLOCKED",
            "Karta {card} jest czasowo zablokowana. Prosimy pozostawić ją zablokowaną i nie używać jej; "
            "jeśli została zgubiona lub skradziona, prosimy ją zastrzec w portalu lub pod numerem "
            "828 828 828.",
        ),
        (
            "ACTIVE",
            "Karta {card} jest nadal aktywna: można nią płacić. Jeśli została zgubiona lub skradziona albo "
            "ktoś inny może znać jej dane, prosimy ją niezwłocznie zastrzec w portalu lub pod numerem "
            "828 828 828 (z zagranicy +48 828 828 828, całą dobę).",
        ),
    ],
)
def test_the_acknowledgement_follows_the_cards_state_when_it_is_issued(status, sentence, db, eur_rates):
    theft = make_theft(cancelled=status == "CANCELLED")
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    if status == "BLOCKED":
        theft.card.block()
        theft.card.save()
    case = submitted_case(theft, theft.user)

    letter = _issue(case, "ACKNOWLEDGEMENT", warsaw(2025, 5, 26, 10, 5))

    assert letter.snapshot["case"]["card_state"] == status
    readback = _check_stored(letter, [sentence.format(card=theft.card.masked.replace(" ", "\u00a0"))])
    others = {
        "CANCELLED": "jest zastrzeżona",
        "BLOCKED": "jest czasowo zablokowana",
        "ACTIVE": "jest nadal aktywna",
    }
    assert [text for state, text in others.items() if state != status and readback.says(text)] == []


def test_the_partial_decision_charges_only_the_share_that_was_refunded_and_the_ledger_takes_that(
    theft, eur_rates, analyst, supervisor
):
    # Reported after its 13-month window (debited 11 April 2024): the customer bears it, no D+1 refund.
    late = TransactionFactory(
        card=theft.card,
        executed_at=warsaw(2024, 4, 10, 18, 0),
        amount_pln=Decimal("50.00"),
        original_amount=Decimal("50.00"),
        debited_on=date(2024, 4, 11),
        processed_on=date(2024, 4, 11),
    )
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=[late.pk, theft.atm.pk],
        channel="PORTAL",
        cause="STOLEN",
        actor=theft.user,
        now=warsaw(2025, 5, 26, 10, 0),
    )
    case = claim_submit(case_id=draft.pk, actor=theft.user, now=warsaw(2025, 5, 26, 10, 0))
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    _assess_and_decide(case, analyst, supervisor)

    letter = _issue(case, "DECISION_PARTIAL", warsaw(2025, 6, 10, 9, 5))

    # Only the ATM withdrawal was refunded at D+1: its 212,71 zł is what is taken back, not the
    # whole 262,71 zł the customer bears.
    assert case.ledger_entries.filter(kind="PROVISIONAL_REFUND").get().transaction_id == theft.atm.pk
    assert letter.snapshot["liability"]["customer_total"] == "262.71"
    assert letter.snapshot["decision"]["customer_share_to_recover"] == "212.71"
    _data, readback = _read(letter)
    assert readback.says(
        "Z części ponoszonej przez Państwa, 262,71 zł, pobierzemy z rachunku 212,71 zł nie wcześniej niż "
        "następnego dnia po wysłaniu do Państwa tego pisma, z przyczyn wskazanych poniżej: tyle z "
        "tymczasowego zwrotu przypadało na Państwa część. Pozostałej kwoty 50,00 zł nie zwróciliśmy "
        "Państwu, więc nic więcej nie pobierzemy."
    )
    assert not readback.says(RECOVERY_AFTER_DISPATCH_PL.replace("212,71", "262,71"))

    letter_dispatch(letter_id=letter.pk, channel="POST", actor=analyst, now=warsaw(2025, 6, 10, 15, 0))
    [message] = OutboxMessage.objects.filter(task="disputes.tasks.record_reply_dispatched")
    record_reply_dispatched.apply(kwargs=message.kwargs).get()
    four_eyes("RECOVERY", case=case, proposer=analyst, approver=supervisor, now=warsaw(2025, 6, 11, 9, 0))

    # The ledger posts exactly what the letter said.
    assert [(e.transaction_id, e.amount) for e in case.ledger_entries.filter(kind="RECOVERY")] == [
        (theft.atm.pk, Decimal("212.71"))
    ]


def test_a_partial_decision_whose_payments_were_all_refunded_keeps_its_sentence(
    theft, eur_rates, analyst, supervisor
):
    _case, issued = _partial_case(theft, analyst, supervisor)

    snapshot = issued["DECISION_PARTIAL"].snapshot

    assert snapshot["decision"]["customer_share_to_recover"] == snapshot["liability"]["customer_total"]
    _data, readback = _read(issued["DECISION_PARTIAL"])
    assert readback.says(RECOVERY_AFTER_DISPATCH_PL)
    assert not readback.says("nie zwróciliśmy Państwu")


def test_the_partial_decision_credits_the_bank_s_part_the_refund_skipped_and_the_ledger_posts_that(
    theft, eur_rates, analyst, supervisor, settings
):
    # NET_OF_CAP refunds at D+1 what the estimate put on the bank. Here the estimate put the whole ATM
    # withdrawal on the bank and the contactless payment on the customer: the ATM withdrawal is refunded
    # in full, the contactless payment not at all. The decision then puts the 120,00 zł contactless
    # payment on the bank: it is still owed, although the D+1 refund (800,00 zł) exceeds the bank's part.
    case = refunded_net_of_cap(theft, analyst, settings)
    assert [(e.transaction_id, e.amount) for e in case.ledger_entries.filter(kind="PROVISIONAL_REFUND")] == [
        (theft.atm.pk, Decimal("800.00"))
    ]
    _assess_and_decide(case, analyst, supervisor)

    letter = _issue(case, "DECISION_PARTIAL", warsaw(2025, 6, 10, 9, 5))

    assert letter.snapshot["liability"]["bank_total"] == "707.29"
    assert letter.snapshot["decision"]["bank_share_to_credit"] == "120.00"
    _data, readback = _read(letter)
    assert readback.says(
        "Część ponoszona przez Bank, 707,29 zł, należy do Państwa ostatecznie: 587,29 zł z niej to "
        "tymczasowy zwrot uznany na Państwa rachunku 26 maja 2025, a pozostałą kwotę 120,00 zł uznamy na "
        "Państwa rachunku do 10 czerwca 2025."
    )
    assert not readback.says("więc nic więcej nie uznamy")
    assert readback.says(RECOVERY_AFTER_DISPATCH_PL)
    # The ledger credits exactly what the letter names, payment by payment.
    assert [(e.transaction_id, e.amount) for e in case.ledger_entries.filter(kind="FINAL_REFUND")] == [
        (theft.contactless.pk, Decimal("120.00"))
    ]


def test_a_partial_decision_whose_payments_were_all_refunded_keeps_its_bank_part_sentence(
    theft, eur_rates, analyst, supervisor
):
    _case, issued = _partial_case(theft, analyst, supervisor)

    snapshot = issued["DECISION_PARTIAL"].snapshot

    assert snapshot["decision"]["bank_share_to_credit"] == "0.00"
    _data, readback = _read(issued["DECISION_PARTIAL"])
    assert readback.says(
        "Część ponoszona przez Bank, 707,29 zł, należy do Państwa ostatecznie: została uznana na "
        "Państwa rachunku 26 maja 2025 w ramach tymczasowego zwrotu, więc nic więcej nie uznamy."
    )


def test_a_partial_decision_under_net_of_cap_says_the_share_never_refunded_is_not_taken_back(
    theft, eur_rates, analyst, supervisor, settings
):
    # NET_OF_CAP refunds only the bank's share at D+1: the customer's 212,71 zł was never refunded.
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    _assess_and_decide(case, analyst, supervisor)

    letter = _issue(case, "DECISION_PARTIAL", warsaw(2025, 6, 10, 9, 5))

    assert letter.snapshot["decision"]["customer_share_to_recover"] == "0.00"
    assert letter.snapshot["decision"]["customer_share_recovered_after_dispatch"] is False
    _data, readback = _read(letter)
    assert readback.says(
        "Części ponoszonej przez Państwa, 212,71 zł, nie zwróciliśmy Państwu, więc nic nie pobierzemy z "
        "Państwa rachunku."
    )
    assert not readback.says("pobierzemy z rachunku")
    assert not case.settlement_moves()


def test_a_decision_letter_tells_the_customer_per_row_what_they_bear(theft, eur_rates, analyst, supervisor):
    _case, issued = _partial_case(theft, analyst, supervisor)

    letter = issued["DECISION_PARTIAL"]
    lines = letter.snapshot["liability"]["lines"]
    decision = _check_stored(letter, ["ponoszą Państwo 212,71 zł, a bank"])
    # Every row is worded for the customer, with its own figures; the stored record keeps "klient".
    for line in lines:
        customer, bank = Decimal(line["customer_share"]), Decimal(line["bank_share"])
        said_pl, said_en = line["to_customer_pl"], line["to_customer_en"]
        assert "ponoszą Państwo" in said_pl and "you bear" in said_en
        assert "klient" not in said_pl and "customer" not in said_en
        if customer and bank:
            assert f"ponoszą Państwo {_pln(customer)}, a bank {_pln(bank)}." in said_pl
            assert f"you bear PLN\xa0{customer:,.2f} and the bank bears PLN\xa0{bank:,.2f}." in said_en
        assert decision.says(said_pl.replace("\xa0", " "))
    assert [Decimal(line["customer_share"]) for line in lines] == [Decimal("212.71"), Decimal("0.00")]


def _pln(amount):
    return f"{amount:,.2f}".replace(",", "\xa0").replace(".", ",") + "\xa0zł"


def _assess_and_decide(case, analyst, supervisor):
    """The analyst assesses with no finding on 9 June 2025; the supervisor decides the next day."""
    case_assess_liability(case_id=case.pk, findings=Findings(), actor=analyst, now=warsaw(2025, 6, 9, 10, 0))
    case_decide(
        case_id=case.pk,
        actor=supervisor,
        now=warsaw(2025, 6, 10, 9, 0),
        reason=INTERNAL_REASON,
        customer_grounds=CUSTOMER_GROUNDS,
    )
