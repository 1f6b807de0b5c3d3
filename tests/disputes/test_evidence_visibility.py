"""Which documents of a case its customer sees: their own, by kind, and "other" only when they uploaded it."""

import pytest

from disputes.models import EvidenceKind, customer_sees_evidence

# Every kind, with whether the customer's claim pages show it when (uploaded by the customer, by staff).
# The bank's notices are its own work (the delay itself reaches the customer as a letter); the
# acquirer's second presentment reaches them only through the grounds of the decision letter; "other"
# filed by staff is their working document, filed by the customer it is the customer's.
SEEN_BY_CUSTOMER = {
    EvidenceKind.LAW_ENFORCEMENT_NOTICE: (False, False),
    EvidenceKind.DELAY_NOTICE: (False, False),
    EvidenceKind.POLICE_REPORT: (True, True),
    EvidenceKind.CUSTOMER_DOCUMENT: (True, True),
    EvidenceKind.ACQUIRER_DOCUMENT: (False, False),
    EvidenceKind.OTHER: (True, False),
}


def test_the_table_covers_every_kind():
    assert set(SEEN_BY_CUSTOMER) == set(EvidenceKind)


@pytest.mark.parametrize(("kind", "seen"), SEEN_BY_CUSTOMER.items())
def test_a_customer_sees_only_the_kinds_a_customer_supplies(kind, seen):
    by_customer, by_staff = seen
    assert customer_sees_evidence(kind, uploaded_by_customer=True) is by_customer
    assert customer_sees_evidence(kind, uploaded_by_customer=False) is by_staff
