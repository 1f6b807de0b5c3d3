"""What the customer is told of their claim: each step, in their language, once the step commits."""

from datetime import date

import pytest

from customers.models import Notification
from disputes.services import (
    case_assess_liability,
    case_decide,
    case_extend_reply,
    case_refund_provisionally,
    case_request_information,
    case_start_review,
    case_withdraw,
)
from disputes.services._errors import InvalidCaseState
from liability.engine import Findings
from tests.disputes.conftest import submitted_case, warsaw
from tests.disputes.helpers import confirm_postings


def sms_of(case, kind: str) -> str:
    return Notification.objects.get(customer=case.customer, kind=kind, channel="SMS").body


def test_each_step_of_a_claim_is_texted_and_e_mailed_in_polish(case, theft, analyst, supervisor):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    refund_told = Notification.objects.filter(customer=case.customer, kind="REFUND_MADE")
    assert not refund_told.exists()  # booked: told when the core system confirms the credits
    confirm_postings(at=warsaw(2025, 5, 26, 12, 5))
    case_request_information(
        case_id=case.pk,
        questions="Gdzie był telefon tego wieczoru?\nKto znał PIN?",
        actor=analyst,
        now=warsaw(2025, 6, 16, 9, 0),
    )
    case_extend_reply(
        case_id=case.pk,
        reason="Czekamy na nagranie z kamery bankomatu.",
        outstanding="Kto wypłacił gotówkę o 19:10",
        expected_reply_on=date(2025, 7, 15),
        actor=analyst,
        now=warsaw(2025, 6, 24, 10, 0),
    )
    case_assess_liability(
        case_id=case.pk, findings=Findings(undetectable=True), actor=analyst, now=warsaw(2025, 7, 1, 10, 0)
    )
    case_decide(case_id=case.pk, actor=supervisor, now=warsaw(2025, 7, 2, 9, 0), reason="Nie do wykrycia")

    number = case.number
    assert sms_of(case, "CLAIM_RECEIVED") == (
        f"Kartosfera: Przyjęliśmy Twoją reklamację {number}. Odpowiemy do 25 czerwca 2025. "
        "Możesz ją śledzić w portalu w zakładce „Moje reklamacje”."
    )
    assert sms_of(case, "REFUND_MADE") == (
        f"Kartosfera: Zwróciliśmy na Twój rachunek 920,00\xa0zł za transakcje z reklamacji {number}. "
        "Zwrot jest tymczasowy do czasu rozpatrzenia reklamacji."
    )
    # 14 days from the request, but never after the reply deadline (25 June).
    assert sms_of(case, "INFORMATION_REQUESTED") == (
        f"Kartosfera: Aby rozpatrzyć reklamację {number}, potrzebujemy od Ciebie: Gdzie był telefon tego "
        "wieczoru? Kto znał PIN? Odpowiedz do 25 czerwca 2025 w portalu w zakładce „Moje reklamacje”."
    )
    assert sms_of(case, "REPLY_EXTENDED") == (
        f"Kartosfera: Potrzebujemy więcej czasu na odpowiedź na reklamację {number}: Czekamy na nagranie "
        "z kamery bankomatu. Przewidujemy odpowiedź do 15 lipca 2025."
    )
    assert sms_of(case, "DECISION_ISSUED") == (
        f"Kartosfera: Rozpatrzyliśmy Twoją reklamację {number}: uznana w całości. Pismo z uzasadnieniem "
        "znajdziesz w portalu w zakładce „Moje reklamacje”."
    )
    sent = Notification.objects.filter(customer=theft.customer)
    assert sorted(sent.values_list("kind", "channel")) == sorted(
        (kind, channel)
        for kind in (
            "CLAIM_RECEIVED",
            "REFUND_MADE",
            "INFORMATION_REQUESTED",
            "REPLY_EXTENDED",
            "DECISION_ISSUED",
        )
        for channel in ("EMAIL", "SMS")
    )
    decision_mail = sent.get(kind="DECISION_ISSUED", channel="EMAIL")
    assert (decision_mail.recipient, decision_mail.subject, decision_mail.body.splitlines()[2]) == (
        theft.customer.email,
        "Kartosfera: Decyzja wydana",
        sms_of(case, "DECISION_ISSUED").removeprefix("Kartosfera: "),
    )


def test_a_customer_reading_english_is_written_to_in_english(theft, eur_rates):
    theft.customer.preferred_language = "en"
    theft.customer.save(update_fields=["preferred_language"])
    case = submitted_case(theft, theft.user)

    assert sms_of(case, "CLAIM_RECEIVED") == (
        f"Kartosfera: We have received your claim {case.number}. We will reply by 25 June 2025. "
        "You can follow it under “My claims” in the portal."
    )
    assert Notification.objects.get(customer=case.customer, channel="EMAIL").subject == (
        "Kartosfera: Claim received"
    )


def test_a_claim_deemed_accepted_is_not_told_as_a_decision_but_as_the_law_accepting_it(case, theft, analyst):
    """REK-8: nobody decided; the reply was not sent by its deadline, so the claim is accepted by law."""
    from disputes.services import cases_deem_accepted_overdue

    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    # The reply was due by the end of 25 June 2025 (Warsaw); the sweep runs just after midnight.
    assert cases_deem_accepted_overdue(now=warsaw(2025, 6, 26, 0, 5), batch_size=10) == 1

    assert sms_of(case, "CLAIM_DEEMED_ACCEPTED") == (
        f"Kartosfera: Nie odpowiedzieliśmy na Twoją reklamację {case.number} do 25 czerwca 2025, więc "
        "z mocy prawa jest ona uznana w całości: zwracamy wszystko, czego dotyczyła. Pismo w tej sprawie "
        "znajdziesz w portalu w zakładce „Moje reklamacje”."
    )
    assert not Notification.objects.filter(customer=case.customer, kind="DECISION_ISSUED").exists()
    mail = Notification.objects.get(customer=case.customer, kind="CLAIM_DEEMED_ACCEPTED", channel="EMAIL")
    assert mail.subject == "Kartosfera: Reklamacja uznana z mocy prawa"


def taken_back(case) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(customer=case.customer, kind="MONEY_TAKEN_BACK")
    return sorted(rows.values_list("channel", "body"))


def test_withdrawing_a_refunded_claim_tells_the_customer_once_what_was_taken_back(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))

    case_withdraw(
        case_id=case.pk, reason="Rozpoznałam płatność.", actor=analyst, now=warsaw(2025, 6, 2, 9, 0)
    )
    with pytest.raises(InvalidCaseState):  # a double click
        case_withdraw(case_id=case.pk, reason="Jeszcze raz.", actor=analyst, now=warsaw(2025, 6, 2, 9, 1))
    assert taken_back(case) == []  # booked: told when the core system confirms the debits
    confirm_postings(at=warsaw(2025, 6, 2, 9, 5))
    confirm_postings(at=warsaw(2025, 6, 2, 9, 10))  # the dispatcher again: nothing left to confirm

    assert [channel for channel, _body in taken_back(case)] == ["EMAIL", "SMS"]
    assert sms_of(case, "MONEY_TAKEN_BACK") == (
        f"Kartosfera: W dniu 2 czerwca 2025 pobraliśmy z Twojego rachunku 920,00\xa0zł w związku z "
        f"reklamacją {case.number}: reklamacja została wycofana, więc cofnęliśmy dokonany w związku z nią "
        "tymczasowy zwrot."
    )
    mail = Notification.objects.get(customer=case.customer, kind="MONEY_TAKEN_BACK", channel="EMAIL")
    assert mail.subject == "Kartosfera: Pobranie kwoty z Twojego rachunku"


def test_the_take_back_is_told_in_english_to_a_customer_who_reads_english(case, theft, analyst):
    theft.customer.preferred_language = "en"
    theft.customer.save(update_fields=["preferred_language"])
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))

    case_withdraw(case_id=case.pk, reason="I recognise it.", actor=analyst, now=warsaw(2025, 6, 2, 9, 0))
    confirm_postings(at=warsaw(2025, 6, 2, 9, 5))

    assert sms_of(case, "MONEY_TAKEN_BACK") == (
        f"Kartosfera: On 2 June 2025 we took PLN\xa0920.00 back from your account in connection with claim "
        f"{case.number}: the claim was withdrawn, so the provisional refund made for it is reversed."
    )
    mail = Notification.objects.get(customer=case.customer, kind="MONEY_TAKEN_BACK", channel="EMAIL")
    assert mail.subject == "Kartosfera: Amount taken back from your account"


def test_withdrawing_a_claim_never_refunded_tells_of_no_take_back(case, analyst):
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))

    case_withdraw(
        case_id=case.pk, reason="Rozpoznałam płatność.", actor=analyst, now=warsaw(2025, 5, 26, 12, 0)
    )
    confirm_postings(at=warsaw(2025, 5, 26, 12, 5))

    assert taken_back(case) == []
