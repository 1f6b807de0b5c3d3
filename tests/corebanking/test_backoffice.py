"""The back office's postings page: staff see every posting and the open differences; nobody else does."""

from django.test import Client

from corebanking.gateway import HttpCoreBankingGateway
from corebanking.services import postings_dispatch_due, reconciliation_run
from disputes.services import case_refund_provisionally
from kartosfera.clock import now, today_warsaw
from tests.disputes.conftest import warsaw
from tests.staff import sign_in_staff


def test_staff_see_the_postings_the_core_system_confirmed_and_the_differences(case, analyst, core_simulator):
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    postings_dispatch_due(gateway=HttpCoreBankingGateway(), now=now())
    reconciliation_run(business_date=today_warsaw(), gateway=HttpCoreBankingGateway(), now=now())

    page = sign_in_staff(Client(), analyst).get("/back-office/postings/", HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("Confirmed by the core system") == 2
    assert html.count("D+1 refund confirmed by the core system after its deadline") == 2
    assert case.number in html


def test_a_customer_is_sent_to_the_staff_sign_in_not_the_postings(case, theft):
    client = Client()
    client.force_login(theft.user)

    response = client.get("/back-office/postings/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/back-office/sign-in/?next=/back-office/postings/",
    )
