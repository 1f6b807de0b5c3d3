"""Letter requests a case cannot make: held with their reason for staff, logged once, issued after a fix."""

import logging
from datetime import timedelta

import pytest

from audit.models import AuditEntry
from letters.builders import RecipientAddressMissing, SignatoryMissing
from letters.models import CustomerAddress, Letter, LetterHoldReason, LetterRequestHold
from letters.rules import DelayNoticeDateError, LetterDataError
from letters.selectors import (
    HELD_RETRY_AFTER,
    letter_holds_for_case,
    letter_holds_open,
    letter_request_ids_due,
)
from letters.services import hold_reason_for, letter_request_process
from letters.tasks import issue_letter
from liability.services import rates_load_fixture
from tests.disputes.conftest import make_theft, submitted_case, warsaw
from tests.liability.nbp_server import FIXTURE

pytestmark = pytest.mark.django_db

HELD_AT = warsaw(2025, 5, 26, 10, 5)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def homeless_case(db):
    """A claim whose customer has no postal address for letters: the acknowledgement cannot go out."""
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))  # no NBP call from the tests
    theft = make_theft()
    return submitted_case(theft, theft.user)


def _acknowledgement(case):
    return case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "letters.services" and r.levelno == logging.WARNING]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (RecipientAddressMissing("customer 7 has no postal address"), LetterHoldReason.NO_POSTAL_ADDRESS),
        (SignatoryMissing("no StaffProfile"), LetterHoldReason.NO_SIGNATORY),
        (DelayNoticeDateError("expected reply after the extended deadline"), LetterHoldReason.CASE_DATA),
        (LetterDataError("the case holds no written notice to law enforcement"), LetterHoldReason.CASE_DATA),
    ],
)
def test_each_refusal_has_the_reason_staff_see(error, reason):
    assert hold_reason_for(error) is reason


def test_a_letter_without_a_postal_address_is_held_with_one_warning_and_no_traceback(homeless_case, caplog):
    request = _acknowledgement(homeless_case)

    with caplog.at_level(logging.WARNING):
        first = issue_letter(letter_request_id=request.pk)
        second = issue_letter(letter_request_id=request.pk)

    assert first is second is None
    hold = LetterRequestHold.objects.get(letter_request=request)
    assert hold.reason == LetterHoldReason.NO_POSTAL_ADDRESS
    assert hold.detail == f"customer {homeless_case.customer_id} has no postal address for letters"
    assert hold.attempts == 2
    assert hold.released_at is None
    [warning] = _warnings(caplog)  # the second refusal, for the same reason, is not logged again
    assert warning.exc_info is None
    assert warning.getMessage() == (
        f"letter request {request.pk} (case {homeless_case.pk}, ACKNOWLEDGEMENT) is held until the data is "
        f"fixed: NO_POSTAL_ADDRESS: customer {homeless_case.customer_id} has no postal address for letters"
    )
    request.refresh_from_db()
    assert request.fulfilled_at is None  # still pending: nothing is dropped
    assert not Letter.objects.filter(letter_request=request).exists()
    assert list(letter_holds_open()) == [hold]
    assert list(letter_holds_for_case(case_id=homeless_case.pk)) == [hold]
    assert list(letter_holds_for_case(case_id=homeless_case.pk + 1000)) == []
    assert AuditEntry.objects.filter(action="letter.held", object_id=str(hold.pk)).count() == 1


def test_the_sweep_takes_held_requests_after_the_others_and_only_once_their_interval_has_passed(
    homeless_case,
):
    held = _acknowledgement(homeless_case)
    letter_request_process(letter_request_id=held.pk, actor=None, now=HELD_AT)
    other_theft = make_theft(username="bartek")
    CustomerAddress.objects.create(
        customer=other_theft.customer, street="ul. Polna 1", postal_code="00-001", city="Warszawa"
    )
    fresh = _acknowledgement(submitted_case(other_theft, other_theft.user))

    assert letter_request_ids_due(limit=10, now=HELD_AT + timedelta(minutes=10)) == [fresh.pk]
    due = HELD_AT + HELD_RETRY_AFTER
    assert letter_request_ids_due(limit=10, now=due) == [fresh.pk, held.pk]
    # A full batch of new letters is never crowded out by held ones.
    assert letter_request_ids_due(limit=1, now=due) == [fresh.pk]


def test_the_letter_is_issued_once_the_address_is_added_and_the_hold_released(homeless_case, caplog):
    request = _acknowledgement(homeless_case)
    letter_request_process(letter_request_id=request.pk, actor=None, now=HELD_AT)
    CustomerAddress.objects.create(
        customer=homeless_case.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    retried_at = HELD_AT + HELD_RETRY_AFTER
    assert letter_request_ids_due(limit=10, now=retried_at) == [request.pk]

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        outcome = letter_request_process(letter_request_id=request.pk, actor=None, now=retried_at)

    assert outcome.hold is None
    assert outcome.letter.letter_request_id == request.pk
    assert outcome.letter.snapshot["customer"]["address"]["city"] == "Kraków"
    hold = LetterRequestHold.objects.get(letter_request=request)
    assert hold.released_at == retried_at
    assert list(letter_holds_open()) == []
    assert letter_request_ids_due(limit=10, now=retried_at + HELD_RETRY_AFTER) == []
    assert _warnings(caplog) == []
    assert AuditEntry.objects.filter(action="letter.released", object_id=str(hold.pk)).count() == 1


def test_staff_list_the_letters_needing_attention_in_the_admin(homeless_case, admin_client):
    request = _acknowledgement(homeless_case)
    letter_request_process(letter_request_id=request.pk, actor=None, now=HELD_AT)

    page = admin_client.get("/admin/letters/letterrequesthold/?released_at__isempty=1")

    assert page.status_code == 200
    assert homeless_case.number in page.content.decode()
    assert admin_client.get("/admin/letters/letterrequesthold/add/").status_code == 403
