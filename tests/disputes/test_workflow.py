"""docs/WORKFLOW.md is generated from the transitions and cannot drift from them."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from chargebacks.models import Chargeback
from disputes import services
from disputes.models import Case
from disputes.workflow import SERVICES, workflow_markdown

DOC = Path(settings.BASE_DIR) / "docs" / "WORKFLOW.md"


def test_the_committed_document_is_what_the_command_generates():
    out = StringIO()
    call_command("workflow_diagram", stdout=out)

    assert out.getvalue() == DOC.read_text(encoding="utf-8") == workflow_markdown()
    call_command("workflow_diagram", "--check", stdout=StringIO())


def test_the_check_fails_on_a_stale_document(tmp_path):
    stale = tmp_path / "WORKFLOW.md"
    stale.write_text(workflow_markdown().replace("DRAFT --> SUBMITTED: submit", "DRAFT --> CLOSED: submit"))

    with pytest.raises(CommandError, match="out of date"):
        call_command("workflow_diagram", "--check", "--path", str(stale), stdout=StringIO())


@pytest.mark.parametrize("model", [Case, Chargeback])
def test_every_transition_has_a_permission_and_a_service(model):
    for transition in model._meta.get_field("state").get_all_transitions(model):
        assert transition.permission, transition.name
        assert callable(getattr(services, SERVICES[transition.name])), transition.name
        for condition in transition.conditions:
            assert condition.refusal_code in services._errors.REFUSALS, condition.__name__


def test_the_diagram_shows_the_guarded_fraud_exception_and_the_return_from_the_customer():
    text = workflow_markdown()

    assert "    UNDER_REVIEW --> REFUND_WITHHELD: withhold_refund" in text
    assert "`has_law_enforcement_notice`" in text
    for state in ("UNDER_REVIEW", "PROVISIONALLY_REFUNDED", "REFUND_WITHHELD"):
        assert f"    AWAITING_CUSTOMER --> {state}: customer_responded" in text
