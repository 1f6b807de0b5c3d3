"""A request for information has one answer-by date: stored when made, said by the SMS and every letter."""

from datetime import date

import pytest

from customers.models import Notification
from disputes.services import case_refund_provisionally, case_request_information, case_start_review
from letters.builders import snapshot_build
from letters.models import CustomerAddress
from liability.services import rates_load_fixture
from tests.disputes.conftest import make_theft, staff, submitted_case, warsaw
from tests.liability.nbp_server import FIXTURE

pytestmark = pytest.mark.django_db


def test_the_letter_says_the_answer_by_date_of_the_request_not_one_counted_from_the_letter():
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Polna 1", postal_code="00-001", city="Kraków"
    )
    analyst = staff("analyst", "analysts")
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_request_information(
        case_id=case.pk, questions="Kto znał PIN?", actor=analyst, now=warsaw(2025, 6, 2, 9, 0)
    )
    request = case.letter_requests.get(letter_type="INFORMATION_REQUEST")

    # Asked on 2 June: 14 days, 16 June (before the reply deadline of 25 June).
    assert request.context["respond_by"] == "2025-06-16"
    sms = Notification.objects.get(customer=case.customer, kind="INFORMATION_REQUESTED", channel="SMS")
    assert "Odpowiedz do 16 czerwca 2025" in sms.body
    # Issued, or issued again, days later: the same date.
    for issued_on in (date(2025, 6, 2), date(2025, 6, 5), date(2025, 6, 9)):
        snapshot = snapshot_build(letter_request=request, issued_on=issued_on, version=2)
        assert snapshot.information_request.respond_by == date(2025, 6, 16)


def test_a_request_stored_without_its_date_is_counted_from_the_letter_as_before():
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Polna 1", postal_code="00-001", city="Kraków"
    )
    analyst = staff("analyst", "analysts")
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_request_information(
        case_id=case.pk, questions="Kto znał PIN?", actor=analyst, now=warsaw(2025, 6, 2, 9, 0)
    )
    request = case.letter_requests.get(letter_type="INFORMATION_REQUEST")
    del request.context["respond_by"]

    snapshot = snapshot_build(letter_request=request, issued_on=date(2025, 6, 5))

    assert snapshot.information_request.respond_by == date(2025, 6, 19)
