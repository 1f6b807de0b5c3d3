"""The audit log names customers by their customer number, never by their PESEL: a whole customer flow
(registration, a failed and a good sign-in, a password reset, a card cancelled with a wrong code first,
a claim, the back office's first steps) leaves no PESEL in any entry (actor, object, data)."""

import time_machine

from audit.models import AuditEntry
from disputes.services import case_refund_provisionally, case_start_review
from tests.audit.helpers import readable_text
from tests.customers.portal import PASSWORD, last_code
from tests.disputes.conftest import RECEIVED_AT, make_theft, submitted_case
from tests.disputes.conftest import analyst as analyst  # a fixture
from tests.disputes.conftest import eur_rates as eur_rates  # a fixture

NEW_PASSWORD = "Niebieska-Kawa-2027"


def test_a_whole_customer_flow_leaves_no_pesel_in_the_audit_log(client, sms_outbox, eur_rates, analyst):
    with time_machine.travel(RECEIVED_AT, tick=False):
        theft = make_theft(cancelled=False)
        customer, card = theft.customer, theft.card
        customer.user.delete()  # the customer registers in the portal: the sign-in is theirs to make
        customer.refresh_from_db()
        phone, pesel = customer.mobile_phone, customer.pesel
        identity = {"identifier": pesel, "birth_date": customer.birth_date.isoformat()}

        client.post("/register/", identity)
        client.post("/register/code/", {"code": last_code(sms_outbox, phone)})
        client.post("/register/password/", {"password1": PASSWORD, "password2": PASSWORD})
        client.post("/sign-out/")
        client.post("/sign-in/", {"identifier": pesel, "password": "not-the-password"})
        client.post("/sign-in/", {"identifier": pesel, "password": PASSWORD})
        client.post("/sign-out/")
        client.post("/register/", identity)  # registered already: a password reset
        client.post("/register/code/", {"code": last_code(sms_outbox, phone)})
        client.post("/register/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        confirm = client.post(f"/cards/{card.pk}/cancel/", {"reason": "STOLEN", "understood": "on"})[
            "Location"
        ]
        client.post(confirm, {"code": "000000" if last_code(sms_outbox, phone) != "000000" else "111111"})
        client.post(confirm, {"code": last_code(sms_outbox, phone)})
        customer.refresh_from_db()
        theft.user = customer.user
        case = submitted_case(theft, customer.user)
        case_start_review(case_id=case.pk, actor=analyst, now=RECEIVED_AT)
        case_refund_provisionally(case_id=case.pk, actor=analyst, now=RECEIVED_AT)

    entries = list(AuditEntry.objects.order_by("sequence"))
    actions = [entry.action for entry in entries]
    # The scan is not vacuous: every step of the flow is there.
    for action in (
        "auth.user_created",
        "auth.registration_completed",
        "auth.sign_in",
        "auth.sign_in_failed",
        "auth.sign_out",
        "auth.password_reset",
        "auth.otp_failed",
        "card.cancelled",
    ):
        assert action in actions, action
    assert any(action.startswith("case.") for action in actions)
    found = [(entry.sequence, entry.action) for entry in entries if pesel in readable_text(entry)]
    assert found == []
    signed_in = next(entry for entry in entries if entry.action == "auth.sign_in")
    assert signed_in.actor_repr == f"customer {customer.pk} (user {customer.user.pk})"
    assert signed_in.object_repr == f"customer {customer.pk} (user {customer.user.pk})"
    failed = next(entry for entry in entries if entry.action == "auth.sign_in_failed")
    assert failed.object_repr == f"customer {customer.pk} (user {customer.user.pk})"
    assert failed.data["account_exists"] is True
