"""Staff see cases read-only in the admin; customers reach only their own cases through the selectors."""

import pytest
from django.urls import reverse
from django.utils import translation

from disputes.models import Case, CaseEvent
from disputes.selectors import (
    case_get_for_customer,
    case_get_for_staff,
    case_history,
    case_list_for_customer,
    case_work_queue,
    letter_requests_pending,
)
from disputes.services import (
    ActionNotPermitted,
    CaseNotFound,
    Circumstances,
    InformationMissing,
    case_add_note,
    case_assign,
    case_start_review,
    claim_create_draft,
    claim_update_draft,
    letter_request_fulfil,
)
from tests.customers.factories import CustomerFactory, UserFactory
from tests.disputes.conftest import warsaw
from tests.staff import sign_in_staff

pytestmark = pytest.mark.django_db


def test_a_foreign_case_is_not_found_like_a_missing_one(case, theft, analyst, clerk):
    other = CustomerFactory()

    assert case_get_for_customer(customer=theft.customer, case_id=case.pk) == case
    assert list(case_list_for_customer(customer=theft.customer)) == [case]
    for lookup in (
        lambda: case_get_for_customer(customer=other, case_id=case.pk),
        lambda: case_get_for_customer(customer=theft.customer, case_id=case.pk + 1000),
        lambda: case_get_for_staff(user=clerk, case_id=case.pk),
    ):
        with pytest.raises(Case.DoesNotExist):
            lookup()
    assert case_get_for_staff(user=analyst, case_id=case.pk) == case


def test_the_work_queue_and_the_history(case, analyst, supervisor):
    case_assign(case_id=case.pk, assignee=analyst, actor=supervisor, now=warsaw(2025, 5, 26, 10, 5))
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 10, 10))
    case_add_note(
        case_id=case.pk, text="Called the customer back.", actor=analyst, now=warsaw(2025, 5, 26, 10, 20)
    )
    with pytest.raises(InformationMissing):
        case_add_note(case_id=case.pk, text="  ", actor=analyst, now=warsaw(2025, 5, 26, 10, 21))

    assert list(case_work_queue(user=analyst)) == [case]
    assert [(item.kind, item.name) for item in case_history(case=case)] == [
        ("TRANSITION", "create_draft"),
        ("TRANSITION", "submit"),
        ("EVENT", CaseEvent.Kind.CHARGEBACK_OPENED),
        ("EVENT", CaseEvent.Kind.CHARGEBACK_OPENED),
        ("EVENT", CaseEvent.Kind.ASSIGNED),
        ("TRANSITION", "start_review"),
        ("EVENT", CaseEvent.Kind.NOTE),
    ]


def test_a_draft_can_be_changed_by_its_customer_until_submitted(theft, analyst, eur_rates):
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=[theft.atm.pk],
        channel="PORTAL",
        cause="LOST",
        actor=theft.user,
        now=warsaw(2025, 5, 26, 9, 0),
    )

    claim_update_draft(
        case_id=draft.pk,
        transaction_ids=theft.transaction_ids,
        cause="STOLEN",
        circumstances=Circumstances(
            card_whereabouts="In my backpack", police_notified=True, police_reference="RSD-1"
        ),
        actor=theft.user,
        now=warsaw(2025, 5, 26, 9, 5),
    )

    draft.refresh_from_db()
    assert (draft.cause, draft.disputed_amount, draft.card_whereabouts, draft.police_reference) == (
        "STOLEN",
        theft.atm.amount_pln + theft.contactless.amount_pln,
        "In my backpack",
        "RSD-1",
    )
    assert draft.reported_at == theft.card.cancelled_at  # the card's report of theft, to the second
    with pytest.raises(CaseNotFound):
        claim_update_draft(
            case_id=draft.pk,
            cause="LOST",
            actor=CustomerFactory(user=UserFactory(username="x")).user,
            now=warsaw(2025, 5, 26, 9, 6),
        )


def test_the_admin_shows_a_case_and_allows_no_change(case, client, supervisor):
    supervisor.is_superuser = True
    supervisor.save()
    sign_in_staff(client, supervisor)

    page = client.get(reverse("admin:disputes_case_change", args=[case.pk]))
    listing = client.get(reverse("admin:disputes_case_changelist"))

    assert page.status_code == listing.status_code == 200
    assert case.number in listing.content.decode()
    assert client.get(reverse("admin:disputes_case_add")).status_code == 403


def test_the_letters_queue(case, analyst, clerk):
    [acknowledgement] = letter_requests_pending()
    assert (acknowledgement.case, acknowledgement.letter_type) == (case, "ACKNOWLEDGEMENT")

    with pytest.raises(ActionNotPermitted):
        letter_request_fulfil(
            letter_request_id=acknowledgement.pk, actor=clerk, now=warsaw(2025, 5, 26, 10, 1)
        )
    sent = letter_request_fulfil(
        letter_request_id=acknowledgement.pk, actor=None, now=warsaw(2025, 5, 26, 10, 2)
    )
    again = letter_request_fulfil(
        letter_request_id=acknowledgement.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0)
    )

    assert sent.fulfilled_at == again.fulfilled_at == warsaw(2025, 5, 26, 10, 2)
    assert list(letter_requests_pending()) == []


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("delay_notice_at", "zawiadomienie o opóźnieniu wystawiono"),  # issued with the extension, not sent
        ("reply_dispatched_at", "odpowiedź wysłano"),  # recorded when the letter left the bank
    ],
)
def test_the_admin_says_issued_for_what_was_issued_and_sent_for_what_left_the_bank(field, label):
    with translation.override("pl"):
        assert str(Case._meta.get_field(field).verbose_name) == label
