"""The adapter over django-fsm-2's transition metadata, tried on the real case machine; its pinned version."""

import re
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

from django.conf import settings

from chargebacks.models import Chargeback
from disputes.models import Case, CaseState
from kartosfera import fsm
from tests.disputes.conftest import RECEIVED_AT, REPLY_DUE_AT


def test_the_installed_django_fsm_2_is_the_pinned_version_the_adapter_was_written_for():
    constraints = (Path(settings.BASE_DIR) / "constraints.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^django-fsm-2==(\S+)$", constraints, re.MULTILINE)

    assert pinned is not None
    assert version("django-fsm-2") == pinned.group(1)


def test_a_transition_is_found_from_its_source_states_only():
    found = fsm.transition_for(Case, "withhold_refund", CaseState.UNDER_REVIEW)

    assert (found.name, found.source, found.target) == ("withhold_refund", "UNDER_REVIEW", "REFUND_WITHHELD")
    assert found.permission == "disputes.approve_decision"
    assert fsm.transition_for(Case, "withhold_refund", CaseState.CLOSED) is None


def test_every_condition_of_both_machines_is_a_guard_with_its_refusal_code():
    for model in (Case, Chargeback):
        for transition in fsm.all_transitions(model):
            for check in fsm.guards(transition):
                assert isinstance(check, fsm.Guard), (transition.name, check)
                assert check.refusal_code, check.__name__
    names = [g.__name__ for g in fsm.guards(fsm.transition_for(Case, "extend_reply", CaseState.SUBMITTED))]
    assert names == ["reply_not_extended", "before_reply_deadline"]


def test_the_guards_are_judged_at_the_instant_given(case):
    extend = fsm.transition_for(case, "extend_reply", case.state)
    last_moment = REPLY_DUE_AT - timedelta(microseconds=1)

    assert fsm.failed_guard(case, extend, now=last_moment) is None
    refused = fsm.failed_guard(case, extend, now=REPLY_DUE_AT)
    assert (refused.__name__, refused.refusal_code) == ("before_reply_deadline", "DELAY_NOTICE_TOO_LATE")
    withhold = fsm.failed_guard(
        case, fsm.transition_for(case, "withhold_refund", case.state), now=RECEIVED_AT
    )
    assert withhold.__name__ == "has_law_enforcement_notice"
    assert not hasattr(case, "as_of")


def test_the_available_transitions_follow_the_state_the_guards_at_now_and_the_user(case, theft):
    assert fsm.available_transitions(case, now=RECEIVED_AT) == [
        "extend_reply",
        "refund_provisionally",
        "start_review",
        "withdraw",
    ]
    # At the reply deadline the delay notice is too late, and the claim may be deemed accepted (REK-8).
    assert fsm.available_transitions(case, now=REPLY_DUE_AT) == [
        "deem_accepted",
        "refund_provisionally",
        "start_review",
        "withdraw",
    ]
    assert fsm.available_transitions(case, now=RECEIVED_AT, user=theft.user) == ["withdraw"]
