"""Staff issue a letter of a case again from the case page (the customer says it never arrived, the
postal address changed): who may, the reason and the confirmation, a double click, the audit entry,
and the new version on the case page and the customer's claim page, in Polish and English."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from customers.middleware import SIGNED_IN_AT
from letters.models import CustomerAddress, Letter, StaffProfile
from letters.services import LetterWithdrawn, letter_dispatch, letter_issue, letter_reissue
from tests.backoffice.conftest import NOW, make_theft, submitted_case
from tests.disputes.conftest import warsaw

CONFIRMED = {"reason": "Klientka zgłosiła, że pismo nie dotarło.", "confirm": "on"}


@pytest.fixture
def issued(case, theft, analyst, supervisor):
    """The claim's acknowledgement, issued an hour and a half before."""
    CustomerAddress.objects.create(
        customer=theft.customer, street="ul. Źródlana 7 m. 12", postal_code="31-422", city="Kraków"
    )
    for user in (analyst, supervisor):
        StaffProfile.objects.get_or_create(user=user, defaults={"position": "Analityk reklamacji"})
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")
    return letter_issue(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 26, 10, 30))


@pytest.fixture
def sent(issued):
    """The acknowledgement, posted an hour before."""
    return letter_dispatch(letter_id=issued.pk, channel="POST", actor=None, now=warsaw(2025, 5, 26, 11, 0))


def reissue_url(case, letter) -> str:
    return reverse("backoffice:letter_reissue", kwargs={"case_id": case.pk, "letter_id": letter.pk})


def _letters_section(client, case, language: str) -> str:
    page = client.get(reverse("backoffice:case", kwargs={"case_id": case.pk}), HTTP_ACCEPT_LANGUAGE=language)
    return page.content.decode().split('id="letters-h"')[1].split("</section>")[0]


def test_an_analyst_issues_a_letter_again_with_a_reason_and_sees_the_new_version(
    case, theft, sent, analyst, as_staff
):
    client = as_staff(analyst)
    CustomerAddress.objects.filter(customer=theft.customer).update(street="ul. Nowa 3", city="Gdańsk")

    before = _letters_section(client, case, "en")
    page = client.get(reissue_url(case, sent), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(reissue_url(case, sent), CONFIRMED, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert reissue_url(case, sent) in before
    assert "Address printed on this version" in page and "ul. Źródlana 7 m. 12, 31-422 Kraków" in page
    assert "It is posted to ul. Nowa 3, 31-422 Gdańsk with the next print batch." in page
    assert "The address has changed since this version." in page
    assert "Issue version 2" in page
    new = Letter.objects.get(supersedes=sent)
    assert (new.version, new.case_id, new.correction_reason) == (2, case.pk, CONFIRMED["reason"])
    assert (new.dispatched_at, new.issued_at) == (None, NOW)
    assert new.snapshot["customer"]["address"]["city"] == "Gdańsk"
    assert response.redirect_chain == [(reverse("backoffice:case", args=[case.pk]) + "#letters-h", 302)]
    body = response.content.decode()
    assert "Version 2 issued: it goes by post with the next print batch." in body
    letters = body.split('id="letters-h"')[1].split("</section>")[0]
    assert "version 2: issued 26 May 2025, 12:00:00 — not sent yet — issued again because" in letters
    assert CONFIRMED["reason"] in letters
    assert reverse("letters:pdf", kwargs={"letter_id": new.pk}) in letters
    # Only the latest version is offered again.
    assert reissue_url(case, new) in letters and reissue_url(case, sent) not in letters
    entry = AuditEntry.objects.get(action="letter.issued", data__version=2)
    assert (entry.actor_id, entry.data["correction_reason"], entry.data["case"]) == (
        analyst.pk,
        CONFIRMED["reason"],
        case.pk,
    )


def test_the_page_and_the_result_read_in_polish(case, sent, supervisor, as_staff):
    client = as_staff(supervisor)

    page = client.get(reissue_url(case, sent), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    done = client.post(reissue_url(case, sent), CONFIRMED, HTTP_ACCEPT_LANGUAGE="pl", follow=True)

    assert "Wystaw pismo ponownie" in page and "Wystaw wersję 2" in page
    assert "Zostanie wysłane pocztą na adres ul. Źródlana 7 m. 12, 31-422 Kraków" in page
    body = done.content.decode()
    assert "Wystawiono wersję 2: zostanie wysłana pocztą z najbliższą paczką do druku." in body
    assert "wersja 2: wystawione 26 maja 2025, 12:00:00 — jeszcze niewysłane — wystawione ponownie" in body


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"reason": "   ", "confirm": "on"}, "This field is required."),
        ({"reason": "Zmiana adresu"}, "Tick the box to confirm the new version."),
    ],
    ids=["no-reason", "not-confirmed"],
)
def test_without_a_reason_or_the_confirmation_nothing_is_issued(
    case, sent, analyst, as_staff, data, field_error
):
    response = as_staff(analyst).post(reissue_url(case, sent), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert list(Letter.objects.filter(case=case).values_list("version", flat=True)) == [1]
    assert not AuditEntry.objects.filter(action="letter.issued", data__version=2).exists()


def test_a_double_click_issues_one_new_version(case, sent, analyst, as_staff):
    client = as_staff(analyst)

    client.post(reissue_url(case, sent), CONFIRMED)
    again = client.post(reissue_url(case, sent), CONFIRMED, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert list(Letter.objects.filter(case=case).values_list("version", flat=True)) == [1, 2]
    assert "This version was already issued again: nothing more was issued." in again.content.decode()
    assert AuditEntry.objects.filter(action="letter.issued", data__version=2).count() == 1


def test_an_auditor_reads_the_letters_but_cannot_issue_one_again(case, sent, auditor, as_staff):
    client = as_staff(auditor)

    letters = _letters_section(client, case, "en")
    page = client.get(reissue_url(case, sent))
    post = client.post(reissue_url(case, sent), CONFIRMED)

    assert reverse("letters:pdf", kwargs={"letter_id": sent.pk}) in letters
    assert "Issue again" not in letters
    assert (page.status_code, post.status_code) == (403, 403)
    assert not Letter.objects.filter(supersedes=sent).exists()


def test_a_letter_of_another_case_answers_404_and_is_not_issued(case, sent, analyst, as_staff):
    other = submitted_case(make_theft(username="other"), analyst, received_at=NOW)
    url = reverse("backoffice:letter_reissue", kwargs={"case_id": other.pk, "letter_id": sent.pk})

    assert as_staff(analyst).post(url, CONFIRMED).status_code == 404
    assert not Letter.objects.filter(supersedes=sent).exists()


def test_the_customer_sees_both_versions_on_the_claim_page(client, case, theft, sent, analyst):
    new = letter_reissue(letter_id=sent.pk, reason="Nie dotarło", actor=analyst, now=NOW)
    client.force_login(theft.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SIGNED_IN_AT] = NOW.isoformat()
    session.save()

    page = client.get(reverse("claims:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="pl").content.decode()

    assert reverse("letters:pdf", kwargs={"letter_id": new.pk}) in page
    assert reverse("letters:pdf", kwargs={"letter_id": sent.pk}) in page


def test_a_withdrawn_letter_is_never_issued_again(case, issued, analyst, as_staff):
    issued.withdrawn_at, issued.withdrawal_reason = NOW, "REK-8: the complaint was deemed accepted"
    issued.save()

    letters = _letters_section(as_staff(analyst), case, "en")
    page = as_staff(analyst).get(reissue_url(case, issued), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with pytest.raises(LetterWithdrawn):
        letter_reissue(letter_id=issued.pk, reason="Zmiana adresu", actor=analyst, now=NOW)
    posted = as_staff(analyst).post(
        reissue_url(case, issued), CONFIRMED, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    assert reissue_url(case, issued) not in letters
    assert "This letter was withdrawn and is never sent again." in page
    assert "Issue version 2" not in page
    assert "This letter was withdrawn and is never sent again." in posted.content.decode()
    assert not Letter.objects.filter(supersedes=issued).exists()
