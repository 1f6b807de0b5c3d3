"""A request for information has one answer-by date: stored when made, said by the SMS and every letter."""

from datetime import date
from types import SimpleNamespace

import pytest

from customers.models import Notification
from disputes.services import case_refund_provisionally, case_request_information, case_start_review
from letters.builders import letter_reference, snapshot_build
from letters.models import CustomerAddress
from letters.rules import LetterDataError, reference_version
from letters.services import letter_issue, letter_reissue
from liability.services import rates_load_fixture
from tests.disputes.conftest import make_theft, staff, submitted_case, warsaw
from tests.liability.nbp_server import FIXTURE

pytestmark = pytest.mark.django_db


def test_the_letter_says_the_answer_by_date_of_the_request_not_one_counted_from_the_letter():
    _analyst, request = _requested(warsaw(2025, 6, 2, 9, 0))
    case = request.case

    # Asked on 2 June: 14 days, 16 June (before the reply deadline of 25 June).
    assert request.context["respond_by"] == "2025-06-16"
    sms = Notification.objects.get(customer=case.customer, kind="INFORMATION_REQUESTED", channel="SMS")
    assert "Odpowiedz do 16 czerwca 2025" in sms.body
    # Issued, or issued again, days later: the same date.
    for issued_on in (date(2025, 6, 2), date(2025, 6, 5), date(2025, 6, 9)):
        snapshot = snapshot_build(letter_request=request, issued_on=issued_on, version=2)
        assert snapshot.information_request.respond_by == date(2025, 6, 16)


def test_a_request_stored_without_its_date_is_counted_from_the_letter_as_before():
    _analyst, request = _requested(warsaw(2025, 6, 2, 9, 0))
    del request.context["respond_by"]

    snapshot = snapshot_build(letter_request=request, issued_on=date(2025, 6, 5))

    assert snapshot.information_request.respond_by == date(2025, 6, 19)


def _requested(asked_at):
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    theft = make_theft()
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Polna 1", postal_code="00-001", city="Kraków"
    )
    analyst = staff("analyst", "analysts")
    case = submitted_case(theft, theft.user)
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    case_request_information(case_id=case.pk, questions="Kto znał PIN?", actor=analyst, now=asked_at)
    return analyst, case.letter_requests.get(letter_type="INFORMATION_REQUEST")


@pytest.mark.parametrize("reissued_at", [warsaw(2025, 6, 16, 9, 0), warsaw(2025, 6, 20, 9, 0)])
def test_a_letter_reissued_on_or_after_its_answer_by_date_states_the_date_first_given(reissued_at):
    # Asked on 2 June to answer by 16 June; the letter is corrected (the address) on or after that day:
    # the corrected copy states the facts of the original, the customer's deadline as first given.
    analyst, request = _requested(warsaw(2025, 6, 2, 9, 0))
    first = letter_issue(letter_request_id=request.pk, actor=analyst, now=warsaw(2025, 6, 2, 9, 5))

    second = letter_reissue(letter_id=first.pk, reason="Błędny adres klienta", actor=analyst, now=reissued_at)

    assert (second.version, second.supersedes_id) == (2, first.pk)
    assert second.snapshot["information_request"]["respond_by"] == "2025-06-16"
    assert second.snapshot["issued_on"] == reissued_at.date().isoformat()


def test_a_first_letter_issued_on_or_after_its_answer_by_date_is_still_refused():
    # Held (no letter sent) until the date passed: a first letter cannot ask for an answer by then.
    analyst, request = _requested(warsaw(2025, 6, 2, 9, 0))

    with pytest.raises(LetterDataError, match="cannot respond by 2025-06-16"):
        letter_issue(letter_request_id=request.pk, actor=analyst, now=warsaw(2025, 6, 16, 9, 0))

    assert not request.letters.exists()


@pytest.mark.parametrize(
    ("reference", "version"),
    [
        ("REK/2025/000123/L7/v1", 1),
        ("REK/2025/000123/L7/v2", 2),
        ("REK/2025/000123/L7/v12", 12),
        ("REK/2025/000123/L7/v1/PREVIEW", 1),
        ("DRAFT-5/L7/v3", 3),
        ("no version", 1),
    ],
)
def test_the_version_a_reference_names(reference, version):
    assert reference_version(reference) == version


def test_reference_version_reads_what_letter_reference_writes():
    request = SimpleNamespace(pk=7, case_id=5, case=SimpleNamespace(number="REK/2025/000123"))
    for version in (1, 2, 10):
        assert reference_version(letter_reference(request, version)) == version
