"""The issue_letters command: issues every pending letter in batches, holds what cannot be made, reports."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from letters.models import CustomerAddress, Letter, LetterHoldReason, LetterRequestHold
from liability.services import rates_load_fixture
from tests.disputes.conftest import make_theft, submitted_case, warsaw
from tests.liability.nbp_server import FIXTURE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def requests(db):
    """Four acknowledgements pending, oldest first; the first customer has no postal address."""
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    pending = []
    for number, username in enumerate(("anna", "bartek", "celina", "dawid")):
        theft = make_theft(username=username)
        if number:
            CustomerAddress.objects.create(
                customer=theft.customer, street=f"ul. Polna {number}", postal_code="00-001", city="Warszawa"
            )
        case = submitted_case(theft, theft.user)
        pending.append(case.letter_requests.get(letter_type="ACKNOWLEDGEMENT"))
    return pending


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("issue_letters", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def _versions(request):
    return list(Letter.objects.filter(letter_request=request).values_list("version", flat=True))


def test_it_issues_every_pending_letter_in_batches_and_holds_the_one_it_cannot_make(requests):
    homeless, *addressed = requests

    out, err = _run("--batch", "2", "--progress", "1")

    assert out == [
        "1 letters issued, 1 held",
        "2 letters issued, 1 held",
        "3 letters issued, 1 held",
        "done: 3 letters issued, 1 held",
    ]
    assert err == [
        f"request {homeless.pk} held (NO_POSTAL_ADDRESS): "
        f"customer {homeless.case.customer_id} has no postal address for letters"
    ]
    for request in addressed:
        request.refresh_from_db()
        assert request.fulfilled_at is not None
        assert _versions(request) == [1]
    homeless.refresh_from_db()
    assert homeless.fulfilled_at is None
    assert _versions(homeless) == []
    assert LetterRequestHold.objects.get(letter_request=homeless).reason == LetterHoldReason.NO_POSTAL_ADDRESS


def test_running_it_again_issues_nothing_twice(requests):
    homeless, *addressed = requests
    _run()

    out, err = _run()

    assert out == ["done: 0 letters issued, 1 held"]
    assert len(err) == 1
    assert [_versions(request) for request in addressed] == [[1], [1], [1]]
    assert LetterRequestHold.objects.get(letter_request=homeless).attempts == 2


def test_a_held_letter_goes_out_on_the_run_after_the_fix(requests):
    homeless = requests[0]
    _run()
    CustomerAddress.objects.create(
        customer=homeless.case.customer, street="ul. Źródlana 7", postal_code="31-422", city="Kraków"
    )

    out, err = _run()

    assert (out, err) == (["done: 1 letters issued, 0 held"], [])
    assert _versions(homeless) == [1]
    assert LetterRequestHold.objects.get(letter_request=homeless).released_at is not None


def test_limit_stops_after_that_many_letters(requests):
    _homeless, first, second, third = requests

    out, _err = _run("--limit", "2")

    assert out == ["done: 2 letters issued, 1 held"]
    assert [_versions(r) for r in (first, second, third)] == [[1], [1], []]
    third.refresh_from_db()
    assert third.fulfilled_at is None


@pytest.mark.parametrize("args", [("--batch", "0"), ("--progress", "0"), ("--limit", "-1")])
def test_nonsense_options_are_refused_and_nothing_is_issued(requests, args):
    with pytest.raises(CommandError, match="at least"):
        _run(*args)

    assert not Letter.objects.filter(letter_request__in=requests).exists()
    assert not LetterRequestHold.objects.filter(letter_request__in=requests).exists()
