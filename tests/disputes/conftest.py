"""A stolen Mastercard and its unauthorised transactions, staff in their groups, the real NBP rates.

Timeline (Europe/Warsaw): on Friday 23 May 2025 the card is used at 19:10 (800.00 PLN, with the PIN)
and 19:30 (120.00 PLN, contactless without SCA); it is cancelled as stolen at 21:00. The claim is
received on Monday 26 May 2025 at 10:00: D+1 refund due by the end of Tuesday 27 May, reply due
(REK-6) by the end of Wednesday 25 June. The EUR rate of 23 May is 4.2541 (099/A/NBP/2025), so the
50 EUR cap is 212.71 PLN.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group

from cards.models import CancellationReason, CardStatus, Scheme
from disputes.models import Case, Channel
from disputes.services import (
    case_refund_provisionally,
    case_start_review,
    claim_create_draft,
    claim_submit,
    staff_groups_ensure,
)
from kartosfera.legaltime import WARSAW
from liability.services import rates_load_fixture
from tests.cards.factories import CardFactory, CardProductFactory, TransactionFactory
from tests.conftest import NBP_TEST_SETTINGS
from tests.customers.factories import CustomerFactory, UserFactory
from tests.liability.nbp_server import FIXTURE, REAL_EUR_RATES, NbpServer


def warsaw(*args: int) -> datetime:
    """An aware Europe/Warsaw instant."""
    return datetime(*args, tzinfo=WARSAW)


REPORTED_AT = warsaw(2025, 5, 23, 21, 0)
RECEIVED_AT = warsaw(2025, 5, 26, 10, 0)
REFUND_DUE_AT = warsaw(2025, 5, 28, 0, 0)
REPLY_DUE_AT = warsaw(2025, 6, 26, 0, 0)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eur_rates(db):
    """The real EUR table A rates of RULES.md stored as published (no NBP request needed)."""
    return rates_load_fixture(path=FIXTURE, now=warsaw(2025, 5, 26, 9, 0))


@pytest.fixture
def nbp_server(nbp_api_url, settings):
    """The local NBP on the session's port, serving the real rates; the settings point to it."""
    server = NbpServer(port=urlsplit(nbp_api_url).port, rates=REAL_EUR_RATES).start()
    settings.NBP_API_URL = server.url
    for name, value in NBP_TEST_SETTINGS.items():
        setattr(settings, name, value)
    yield server
    server.stop()


def staff(username: str, group: str | None):
    # Transactional tests flush the groups migration 0002 made: make sure they exist.
    staff_groups_ensure()
    user = UserFactory(username=username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(db):
    return staff("analyst", "analysts")


@pytest.fixture
def supervisor(db):
    return staff("supervisor", "supervisors")


@pytest.fixture
def clerk(db):
    """Staff without any dispute permission."""
    return staff("clerk", None)


@dataclass
class Theft:
    """The stolen card, its owner (signed in), and the two unauthorised transactions."""

    customer: object
    user: object
    card: object
    atm: object  # 800.00 PLN with the PIN (SCA)
    contactless: object  # 120.00 PLN, no SCA

    @property
    def transaction_ids(self) -> list[int]:
        return [self.atm.pk, self.contactless.pk]


def make_theft(
    *,
    brand: str = Scheme.MASTERCARD,
    contactless_sca: bool = False,
    username: str = "anna",
    cancelled: bool = True,
) -> Theft:
    user = UserFactory(username=username)
    customer = CustomerFactory(first_name="Anna", user=user)
    code = "mc-debit" if brand == Scheme.MASTERCARD else "visa-classic-debit"
    product = CardProductFactory(code=code, brand=brand)
    card = CardFactory(customer=customer, product=product, brand=brand, status=CardStatus.ACTIVE)
    common = {"card": card, "debited_on": date(2025, 5, 26), "processed_on": date(2025, 5, 26)}
    atm = TransactionFactory(
        executed_at=warsaw(2025, 5, 23, 19, 10),
        amount_pln=Decimal("800.00"),
        original_amount=Decimal("800.00"),
        sca_applied=True,
        channel="ATM",
        merchant_name="Euronet ATM",
        **common,
    )
    contactless = TransactionFactory(
        executed_at=warsaw(2025, 5, 23, 19, 30),
        amount_pln=Decimal("120.00"),
        original_amount=Decimal("120.00"),
        sca_applied=contactless_sca,
        **common,
    )
    if cancelled:
        card.cancel(reason=CancellationReason.STOLEN, reported_at=REPORTED_AT)
        card.save()
    return Theft(customer, user, card, atm, contactless)


@pytest.fixture
def theft(db) -> Theft:
    return make_theft()


def submitted_case(
    theft: Theft, actor, *, channel: str = Channel.PORTAL, received_at: datetime = RECEIVED_AT
) -> Case:
    """Draft and submit the claim about both transactions at ``received_at``."""
    draft = claim_create_draft(
        customer=theft.customer,
        card_id=theft.card.pk,
        transaction_ids=theft.transaction_ids,
        channel=channel,
        cause="STOLEN",
        actor=actor,
        now=received_at,
    )
    return claim_submit(case_id=draft.pk, actor=actor, now=received_at)


@pytest.fixture
def case(theft, eur_rates) -> Case:
    """The claim as the customer submitted it in the portal (SUBMITTED)."""
    return submitted_case(theft, theft.user)


def refunded_net_of_cap(theft, analyst, settings):
    """A claim refunded at D+1 under NET_OF_CAP, the estimate putting the ATM withdrawal on the bank
    (refunded) and the Biedronka payment on the customer (never refunded)."""
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, "REFUND_POLICY": "NET_OF_CAP"}
    case = submitted_case(theft, theft.user)
    estimate = case.assessments.get(kind="ESTIMATE")
    shares = {theft.atm.pk: ("0.00", "800.00"), theft.contactless.pk: ("120.00", "0.00")}
    lines = [
        {
            **line,
            "customer": shares[int(line["transaction_id"])][0],
            "bank": shares[int(line["transaction_id"])][1],
        }
        for line in estimate.result["lines"]
    ]
    type(estimate).objects.filter(pk=estimate.pk).update(result={**estimate.result, "lines": lines})
    case_start_review(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 11, 0))
    case_refund_provisionally(case_id=case.pk, actor=analyst, now=warsaw(2025, 5, 26, 12, 0))
    return case
