"""Every service that keeps a free text in a column of bounded length refuses a longer one itself, with
a message naming the field and its limit, and writes nothing; a text exactly at the limit is stored.

The limit is read from the model here as in the services: a form's cap does not cover the API or any
other caller, and the database would answer with an error (SQLite's check constraint, PostgreSQL's
check constraint or varchar length) instead of a refusal.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.utils import translation

from api.models import ApiClient, WebhookEndpoint
from api.services import api_client_create, webhook_endpoint_create
from chargebacks.models import Chargeback
from customers.models import Customer, OtpChallenge
from customers.services import email_change_start
from deadlines.models import CalendarOverride
from deadlines.services import calendar_override_set
from disputes import services
from disputes.backoffice.services import claim_register_on_behalf
from disputes.models import Case, CaseTransition, DecisionProposal, Evidence, LiabilityAssessment
from kartosfera.refusals import TextTooLong
from letters.models import CustomerAddress
from letters.services import customer_address_change_start
from liability.engine import Findings
from tests.cards.factories import TransactionFactory
from tests.disputes.conftest import warsaw
from tests.disputes.helpers import pdf, snapshot
from tests.disputes.test_refusals import NOTICE, T0, assessed, noticed, refunded, reviewing

pytestmark = pytest.mark.django_db


@dataclass
class Desk:
    """The submitted theft claim, its people, and what a row's setup prepared for its call."""

    case: Case
    theft: Any
    analyst: Any
    supervisor: Any
    prepared: dict[str, Any] = field(default_factory=dict)


def limit_of(model: type[models.Model], name: str) -> int:
    column = model._meta.get_field(name)
    assert isinstance(column, models.Field) and column.max_length is not None
    return column.max_length


def written(desk: Desk) -> dict[str, Any]:
    """What a refused call must leave as it was: the customer's cases with everything on them, the
    proposals, the customer, their codes and address, the calendar's overrides, the API's clients."""
    customer = desk.theft.customer
    return {
        "cases": [snapshot(case) for case in Case.objects.filter(customer=customer).order_by("pk")],
        "proposals": list(DecisionProposal.objects.filter(case__customer=customer).order_by("pk").values()),
        "customer": list(Customer.objects.filter(pk=customer.pk).values()),
        "codes": list(OtpChallenge.objects.filter(customer=customer).order_by("pk").values()),
        "address": list(CustomerAddress.objects.filter(customer=customer).values()),
        "overrides": list(CalendarOverride.objects.order_by("pk").values()),
        "clients": list(ApiClient.objects.order_by("pk").values()),
        "endpoints": list(WebhookEndpoint.objects.order_by("pk").values()),
    }


# --- setups: the state each call needs --------------------------------------------------------------


def nothing(desk: Desk) -> None:
    pass


def proposed(desk: Desk) -> None:
    """A rejection proposed by the analyst, waiting for a supervisor."""
    refunded(desk)
    assessed(Findings(gross_negligence=True))(desk)
    services.case_propose(
        case_id=desk.case.pk, kind="DECISION", reason="r", customer_grounds="g", actor=desk.analyst, now=T0
    )


def assessed_in_full(desk: Desk) -> None:
    refunded(desk)
    assessed(Findings(undetectable=True))(desk)


def rejection_assessed(desk: Desk) -> None:
    refunded(desk)
    assessed(Findings(gross_negligence=True))(desk)


def chargeback(desk: Desk) -> Chargeback:
    return desk.case.chargebacks.get(transaction=desk.theft.atm)


def filed(desk: Desk) -> None:
    services.chargeback_file(
        chargeback_id=chargeback(desk).pk, acquirer_reference="ARN-1", actor=desk.analyst, now=T0
    )


def represented(desk: Desk) -> None:
    filed(desk)
    services.chargeback_record_representment(chargeback_id=chargeback(desk).pk, actor=desk.analyst, now=T0)


def won_approved(desk: Desk) -> None:
    """A chargeback won, its result proposed and marked approved by the supervisor (as the approval
    does before it runs the result)."""
    filed(desk)
    proposal = services.chargeback_propose_result(
        chargeback_id=chargeback(desk).pk, won=True, reason="", actor=desk.analyst, now=T0
    )
    DecisionProposal.objects.filter(pk=proposal.pk).update(
        status="APPROVED", decided_by=desk.supervisor, decided_at=T0
    )
    desk.prepared["approval"] = DecisionProposal.objects.get(pk=proposal.pk)


def drafted(desk: Desk) -> None:
    desk.prepared["draft"] = services.claim_create_draft(
        customer=desk.theft.customer,
        card_id=desk.theft.card.pk,
        transaction_ids=[desk.theft.atm.pk],
        channel="PHONE",
        cause="STOLEN",
        actor=desk.analyst,
        now=T0,
    )


def another_transaction(desk: Desk) -> None:
    """A third unauthorised payment on the stolen card, not in any claim yet."""
    desk.prepared["transaction"] = TransactionFactory(
        card=desk.theft.card,
        executed_at=warsaw(2025, 5, 23, 19, 45),
        amount_pln=Decimal("45.00"),
        original_amount=Decimal("45.00"),
        debited_on=date(2025, 5, 26),
        processed_on=date(2025, 5, 26),
    )


def api_client(desk: Desk) -> None:
    desk.prepared["client"] = api_client_create(
        name="branch-crm", scopes=["webhooks:manage"], actor=None, now=T0
    ).client


# --- the calls, each with the text in one argument ----------------------------------------------------

Call = Callable[[Desk, str], object]


def _draft(desk: Desk, **texts: str) -> object:
    return services.claim_create_draft(
        customer=desk.theft.customer,
        card_id=desk.theft.card.pk,
        transaction_ids=[desk.theft.contactless.pk],
        channel="PHONE",
        cause="STOLEN",
        circumstances=services.Circumstances(**texts),
        actor=desk.analyst,
        now=T0,
    )


def _update_draft(desk: Desk, **texts: str) -> object:
    return services.claim_update_draft(
        case_id=desk.prepared["draft"].pk,
        circumstances=services.Circumstances(**texts),
        actor=desk.analyst,
        now=T0,
    )


def _extend(desk: Desk, reason: str = "r", outstanding: str = "o") -> object:
    return services.case_extend_reply(
        case_id=desk.case.pk,
        reason=reason,
        outstanding=outstanding,
        expected_reply_on=date(2025, 7, 1),
        actor=desk.analyst,
        now=T0,
    )


def _email(length: int) -> str:
    """A valid e-mail address of ``length`` characters."""
    domain = "@example.com"
    return "a" * (length - len(domain)) + domain


def _url(length: int) -> str:
    base = "https://hooks.example.com/"
    return base + "a" * (length - len(base))


def _text(length: int) -> str:
    """Characters, not bytes: each is two bytes in UTF-8."""
    return "ż" * length


def _on_chargeback(service: Callable[..., object], argument: str, **others: object) -> Call:
    """The analyst's call of a chargeback step with the text as ``argument``."""
    return lambda d, t: service(
        chargeback_id=chargeback(d).pk, **{argument: t}, **others, actor=d.analyst, now=T0
    )


@dataclass(frozen=True)
class Row:
    setup: Callable[[Desk], None]
    call: Call
    model: type[models.Model]
    column: str = "reason"
    form_field: str = "reason"
    text: Callable[[int], str] = _text


# The texts of ``Circumstances`` (the argument, and the case's column it is kept in).
CIRCUMSTANCES = [
    ("card_whereabouts", "card_whereabouts"),
    ("access_to_card_and_phone", "access_to_card_and_phone"),
    ("police_reference", "police_reference"),
    ("account", "customer_account"),
]

ROWS = [
    pytest.param(
        Row(
            proposed,
            lambda d, t: services.proposal_return(
                proposal_id=DecisionProposal.objects.get(case=d.case, status="PENDING").pk,
                note=t,
                actor=d.supervisor,
                now=T0,
            ),
            DecisionProposal,
            "decision_note",
            "note",
        ),
        id="proposal_return-note",
    ),
    pytest.param(
        Row(
            rejection_assessed,
            lambda d, t: services.case_propose(
                case_id=d.case.pk, kind="DECISION", reason=t, customer_grounds="g", actor=d.analyst, now=T0
            ),
            DecisionProposal,
            "reason",
            "reason",
        ),
        id="case_propose-reason",
    ),
    pytest.param(
        Row(filed, _on_chargeback(services.chargeback_propose_result, "reason", won=False), DecisionProposal),
        id="chargeback_propose_result-reason",
    ),
    pytest.param(
        Row(
            assessed_in_full,
            lambda d, t: services.case_decide(case_id=d.case.pk, reason=t, actor=d.supervisor, now=T0),
            CaseTransition,
            "reason",
            "reason",
        ),
        id="case_decide-reason",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: services.case_withdraw(case_id=d.case.pk, reason=t, actor=d.theft.user, now=T0),
            CaseTransition,
            "reason",
            "reason",
        ),
        id="case_withdraw-reason",
    ),
    pytest.param(
        Row(
            noticed,
            lambda d, t: services.case_withhold_refund(
                case_id=d.case.pk, grounds=t, **NOTICE, actor=d.supervisor, now=T0
            ),
            Case,
            "refund_withheld_grounds",
            "reason",
        ),
        id="case_withhold_refund-grounds",
    ),
    pytest.param(
        Row(refunded, lambda d, t: _extend(d, reason=t), Case, "extension_reason", "reason"),
        id="case_extend_reply-reason",
    ),
    pytest.param(
        Row(refunded, lambda d, t: _extend(d, outstanding=t), Case, "extension_outstanding", "outstanding"),
        id="case_extend_reply-outstanding",
    ),
    pytest.param(
        Row(
            reviewing,
            lambda d, t: services.case_assess_liability(
                case_id=d.case.pk, findings=Findings(), note=t, actor=d.analyst, now=T0
            ),
            LiabilityAssessment,
            "note",
            "note",
        ),
        id="case_assess_liability-note",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: services.case_add_evidence(
                case_id=d.case.pk, kind="OTHER", file=pdf(), description=t, actor=d.analyst, now=T0
            ),
            Evidence,
            "description",
            "description",
        ),
        id="case_add_evidence-description",
    ),
    pytest.param(
        Row(
            nothing,
            _on_chargeback(services.chargeback_file, "acquirer_reference"),
            Chargeback,
            "acquirer_reference",
            "acquirer_reference",
        ),
        id="chargeback_file-acquirer_reference",
    ),
    pytest.param(
        Row(
            filed,
            _on_chargeback(services.chargeback_record_representment, "note"),
            CaseTransition,
            "reason",
            "note",
        ),
        id="chargeback_record_representment-note",
    ),
    pytest.param(
        Row(represented, _on_chargeback(services.chargeback_escalate, "reason"), CaseTransition),
        id="chargeback_escalate-reason",
    ),
    pytest.param(
        Row(
            won_approved,
            lambda d, t: services.chargeback_resolve(
                chargeback_id=chargeback(d).pk,
                won=True,
                reason=t,
                approval=d.prepared["approval"],
                actor=d.supervisor,
                now=T0,
            ),
            CaseTransition,
        ),
        id="chargeback_resolve-reason",
    ),
    pytest.param(
        Row(nothing, _on_chargeback(services.chargeback_abandon, "reason"), CaseTransition),
        id="chargeback_abandon-reason",
    ),
    # The account of the circumstances, as a new draft and as a change of one.
    *(
        pytest.param(
            Row(setup, lambda d, t, a=argument, c=call: c(d, **{a: t}), Case, column, argument),
            id=f"{name}-{argument}",
        )
        for name, setup, call in [
            ("claim_create_draft", nothing, _draft),
            ("claim_update_draft", drafted, _update_draft),
        ]
        for argument, column in CIRCUMSTANCES
    ),
    pytest.param(
        Row(
            another_transaction,
            lambda d, t: claim_register_on_behalf(
                customer_id=d.theft.customer.pk,
                card_id=d.theft.card.pk,
                transaction_ids=[d.prepared["transaction"].pk],
                channel="BRANCH",
                cause="STOLEN",
                received_at=T0,
                account=t,
                actor=d.analyst,
                now=T0,
            ),
            Case,
            "customer_account",
            "account",
        ),
        id="claim_register_on_behalf-account",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: email_change_start(customer=d.theft.customer, email=t, now=T0),
            Customer,
            "email",
            "email",
            _email,
        ),
        id="email_change_start-email",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: customer_address_change_start(
                customer=d.theft.customer, street=t, postal_code="90-001", city="Łódź", now=T0
            ),
            CustomerAddress,
            "street",
            "street",
        ),
        id="customer_address_change_start-street",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: customer_address_change_start(
                customer=d.theft.customer, street="ul. Lipowa 4", postal_code="90-001", city=t, now=T0
            ),
            CustomerAddress,
            "city",
            "city",
        ),
        id="customer_address_change_start-city",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: calendar_override_set(
                day=date(2025, 6, 2), kind="CLOSED", reason=t, actor=None, now=T0
            ),
            CalendarOverride,
            "reason",
            "reason",
        ),
        id="calendar_override_set-reason",
    ),
    pytest.param(
        Row(
            nothing,
            lambda d, t: api_client_create(name=t, scopes=["claims:read"], actor=None, now=T0),
            ApiClient,
            "name",
            "name",
        ),
        id="api_client_create-name",
    ),
    pytest.param(
        Row(
            api_client,
            lambda d, t: webhook_endpoint_create(client=d.prepared["client"], url=t, event_types=[], now=T0),
            WebhookEndpoint,
            "url",
            "url",
            _url,
        ),
        id="webhook_endpoint_create-url",
    ),
]


@pytest.fixture
def desk(case, theft, analyst, supervisor) -> Desk:
    return Desk(case, theft, analyst, supervisor)


@pytest.mark.parametrize("row", ROWS)
def test_a_text_one_character_over_its_column_is_refused_and_nothing_is_written(desk, row: Row):
    row.setup(desk)
    limit = limit_of(row.model, row.column)
    before = written(desk)

    with pytest.raises(TextTooLong) as refused:
        row.call(desk, row.text(limit + 1))

    assert written(desk) == before
    refusal = refused.value
    assert (refusal.code, refusal.field) == ("TEXT_TOO_LONG", row.form_field)
    name = row.model._meta.get_field(row.column).verbose_name
    with translation.override("en"):
        name = str(name)
    assert refusal.message_in("en") == (
        f"The text in “{name}” is too long: at most {limit} characters are allowed, and it has"
        f" {limit + 1}. Shorten it and send it again."
    )
    assert f"dozwolona liczba znaków to {limit}, a ten tekst ma ich {limit + 1}" in refusal.message_in("pl")


@pytest.mark.parametrize("row", ROWS)
def test_a_text_exactly_at_its_limit_is_accepted(desk, row: Row):
    row.setup(desk)
    text = row.text(limit_of(row.model, row.column))

    row.call(desk, text)


def test_the_refusal_is_the_apps_own_kind_of_refusal(desk):
    """The views catch each app's base (``DisputeError``, ``ServiceError``): the refusal is one of them."""
    from customers.services import ServiceError

    with pytest.raises(services.DisputeError):
        services.case_withdraw(case_id=desk.case.pk, reason=_text(3000), actor=desk.theft.user, now=T0)
    with pytest.raises(ServiceError):
        email_change_start(customer=desk.theft.customer, email=_email(300), now=T0)
    with pytest.raises(ServiceError):
        customer_address_change_start(
            customer=desk.theft.customer, street=_text(201), postal_code="90-001", city="Łódź", now=T0
        )
