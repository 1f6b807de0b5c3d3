"""A customer's issued letter, for tests outside the letters app (the portal's 404 walk)."""

from datetime import date
from decimal import Decimal

from disputes.services import claim_create_draft, claim_submit
from letters.models import CustomerAddress, Letter
from letters.services import letter_issue
from liability.services import rates_load_fixture
from tests.cards.factories import CardFactory, TransactionFactory
from tests.disputes.conftest import warsaw
from tests.liability.nbp_server import FIXTURE


def issued_letter_for(customer, card=None) -> Letter:
    """Submit a claim about one payment with ``customer``'s card and issue its acknowledgement."""
    rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))
    CustomerAddress.objects.get_or_create(
        customer=customer, defaults={"street": "ul. Polna 1", "postal_code": "00-001", "city": "Warszawa"}
    )
    card = card or CardFactory(customer=customer)
    payment = TransactionFactory(
        card=card,
        executed_at=warsaw(2025, 5, 23, 19, 30),
        amount_pln=Decimal("120.00"),
        original_amount=Decimal("120.00"),
        debited_on=date(2025, 5, 26),
        processed_on=date(2025, 5, 26),
    )
    received_at = warsaw(2025, 5, 26, 10, 0)
    draft = claim_create_draft(
        customer=customer,
        card_id=card.pk,
        transaction_ids=[payment.pk],
        channel="PORTAL",
        cause="OTHER",
        actor=customer.user,
        now=received_at,
    )
    case = claim_submit(case_id=draft.pk, actor=customer.user, now=received_at)
    request = case.letter_requests.get(letter_type="ACKNOWLEDGEMENT")
    return letter_issue(letter_request_id=request.pk, actor=None, now=warsaw(2025, 5, 26, 10, 5))
