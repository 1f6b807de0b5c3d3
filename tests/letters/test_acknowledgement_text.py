"""The acknowledgement states what the D+1 refund will credit, from the same computation as the refund."""

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from disputes.services import claim_create_draft, claim_submit
from letters.builders import snapshot_build
from letters.models import CustomerAddress
from letters.rendering import render_letter_html
from letters.rules import LetterType
from letters.snapshot import LetterSnapshot
from liability.services import rates_load_fixture
from tests.cards.factories import CardFactory, TransactionFactory
from tests.customers.factories import CustomerFactory, UserFactory
from tests.disputes.conftest import make_theft, submitted_case, warsaw
from tests.liability.nbp_server import FIXTURE

pytestmark = pytest.mark.django_db

RECEIVED_AT = warsaw(2025, 5, 26, 10, 0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _acknowledgement(*debited_on: date, language: str = "pl"):
    """A claim about one 100 zł payment per debit date, received on 26 May 2025, and its acknowledgement."""
    user = UserFactory()
    customer = CustomerFactory(user=user, preferred_language=language)
    CustomerAddress.objects.create(
        customer=customer, street="ul. Polna 1", postal_code="00-001", city="Warszawa"
    )
    card = CardFactory(customer=customer)
    payments = [
        TransactionFactory(
            card=card,
            executed_at=warsaw(day.year, day.month, day.day, 9, 0),
            amount_pln=Decimal("100.00") + n,
            original_amount=Decimal("100.00") + n,
            debited_on=day,
            processed_on=day,
            merchant_name=f"Sklep {n}",
        )
        for n, day in enumerate(debited_on)
    ]
    draft = claim_create_draft(
        customer=customer,
        card_id=card.pk,
        transaction_ids=[p.pk for p in payments],
        channel="PORTAL",
        cause="OTHER",
        actor=user,
        now=RECEIVED_AT,
    )
    case = claim_submit(case_id=draft.pk, actor=user, now=RECEIVED_AT)
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")
    snapshot = snapshot_build(letter_request=request, issued_on=date(2025, 5, 26))
    html = render_letter_html(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot)
    return case, snapshot, _text(html)


def test_a_claim_reported_in_time_is_promised_its_whole_refund():
    case, snapshot, text = _acknowledgement(date(2025, 5, 20), date(2025, 5, 21))

    assert (
        snapshot.refund_promise.amount
        == Decimal("201.00")
        == sum(case.provisional_refunds_due("FULL_THEN_RECOVER").values())
    )
    assert snapshot.refund_promise.late == ()
    assert (
        "Do końca dnia 27 maja 2025 zwrócimy na Państwa rachunek kwotę zgłoszonych transakcji, 201,00 zł"
        in text
    )
    assert "nie zwrócimy" not in text


def test_a_claim_reported_after_every_window_is_promised_no_refund_and_told_why():
    case, snapshot, text = _acknowledgement(date(2024, 3, 1), date(2024, 3, 4))

    assert case.provisional_refunds_due("FULL_THEN_RECOVER") == {}
    assert snapshot.refund_promise.amount == Decimal("0.00")
    assert len(snapshot.refund_promise.late) == 2
    assert "zwrócimy na Państwa rachunek" not in text
    assert (
        "Przed rozpatrzeniem reklamacji nie zwrócimy żadnej kwoty: wszystkie transakcje zgłosili nam "
        "Państwo później niż 13 miesięcy od obciążenia rachunku, czyli po terminie z art. 44 ust. 2 ustawy "
        "o usługach płatniczych." in text
    )
    # No D+1 refund date in the table either: the first date is the reply's.
    assert snapshot.deadlines.refund_rule_id == "REK-6"
    assert "[UUP-46-1]" not in text
    assert text.count("[REK-6]") == 1


def test_under_net_of_cap_a_late_claim_without_an_estimate_is_promised_nothing_too(settings):
    # The estimate of a claim this old often waits for a rate; nothing is owed, estimate or not, so the
    # letter must not promise "the part the bank bears" by a date (it promised it by the reply date).
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    case, snapshot, text = _acknowledgement(date(2024, 3, 1), date(2024, 3, 4))
    assert snapshot.refund_promise.amount == Decimal("0.00")
    # And with the estimate still to come (a missing rate): still nothing, not "not known yet".
    case.assessments.all().delete()
    assert case.provisional_refunds_due("NET_OF_CAP") == {}
    assert "zwrócimy na Państwa rachunek" not in text
    assert "Przed rozpatrzeniem reklamacji nie zwrócimy żadnej kwoty" in text


def test_a_claim_partly_reported_late_is_promised_the_refund_of_the_rest_and_told_which_are_left_out():
    _case, snapshot, text = _acknowledgement(date(2024, 3, 1), date(2025, 5, 21))

    assert snapshot.refund_promise.amount == Decimal("101.00")
    assert (
        "Do końca dnia 27 maja 2025 zwrócimy na Państwa rachunek 101,00 zł z kwoty zgłoszonych transakcji"
        in text
    )
    assert (
        "Przed rozpatrzeniem reklamacji nie zwrócimy kwot transakcji zgłoszonych nam później niż 13 miesięcy "
        "od obciążenia rachunku, czyli po terminie z art. 44 ust. 2 ustawy o usługach płatniczych: "
        "Sklep 0, Warszawa, 1 marca 2024, 100,00 zł." in text
    )


def test_the_english_acknowledgement_of_a_late_claim():
    _case, _snapshot, text = _acknowledgement(date(2024, 3, 1), language="en")

    assert (
        "We will not refund any amount before we decide the complaint: all the transactions were reported "
        "to us more than 13 months after your account was debited, later than art. 44(2) of the Payment "
        "Services Act allows." in text
    )


def test_the_promise_survives_the_snapshot_json_and_other_letters_keep_their_bytes():
    _case, snapshot, _text = _acknowledgement(date(2024, 3, 1), date(2025, 5, 21))

    assert LetterSnapshot.from_json(snapshot.to_json()) == snapshot
    assert '"refund_promise":{"amount":"101.00","late":["' in snapshot.to_json()
    assert "refund_promise" not in replace(snapshot, refund_promise=None).to_dict()


def test_the_acknowledgement_says_since_when_a_cancelled_card_is_cancelled():
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    theft = make_theft(cancelled=True)  # cancelled on 23 May 2025 at 21:00, Warsaw
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Polna 1", postal_code="00-001", city="Kraków"
    )
    case = submitted_case(theft, theft.user)
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")

    snapshot = snapshot_build(letter_request=request, issued_on=date(2025, 5, 26))
    text = _text(render_letter_html(letter_type=LetterType.CLAIM_ACKNOWLEDGEMENT, snapshot=snapshot))

    assert snapshot.cancellation.reported_at == warsaw(2025, 5, 23, 21, 0)
    assert (
        f"Karta {theft.card.masked} jest zastrzeżona od 23 maja 2025, 21:00:00 (czasu polskiego): od tej "
        "chwili nikt nie może nią płacić." in text.replace("\u00a0", " ")
    )
    assert "nikt nie może już nią płacić" not in text
