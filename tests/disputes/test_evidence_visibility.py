"""Which documents of a case its customer sees: only the kinds a customer supplies."""

import pytest

from disputes.models import EvidenceKind, customer_sees_evidence

# Every kind, with whether the customer's claim pages show it. The bank's notices are its own work
# (the delay itself reaches the customer as a letter); the acquirer's second presentment reaches them
# only through the grounds of the decision letter.
SEEN_BY_CUSTOMER = {
    EvidenceKind.LAW_ENFORCEMENT_NOTICE: False,
    EvidenceKind.DELAY_NOTICE: False,
    EvidenceKind.POLICE_REPORT: True,
    EvidenceKind.CUSTOMER_DOCUMENT: True,
    EvidenceKind.ACQUIRER_DOCUMENT: False,
    EvidenceKind.OTHER: True,
}


def test_the_table_covers_every_kind():
    assert set(SEEN_BY_CUSTOMER) == set(EvidenceKind)


@pytest.mark.parametrize(("kind", "seen"), SEEN_BY_CUSTOMER.items())
def test_a_customer_sees_only_the_kinds_a_customer_supplies(kind, seen):
    assert customer_sees_evidence(kind) is seen
