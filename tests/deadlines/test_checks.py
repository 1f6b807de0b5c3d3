import pytest

from deadlines.checks import check_deadline_settings


def test_the_shipped_settings_pass():
    assert check_deadline_settings() == []


@pytest.mark.parametrize(
    ("policies", "error_id", "message"),
    [
        ({"ROLL_FORWARD": "yes"}, "deadlines.E001", "ROLL_FORWARD'] must be True or False"),
        (
            {"DEFAULT_REPLY_REGIME": "FAST"},
            "deadlines.E002",
            "DEFAULT_REPLY_REGIME: unknown reply regime 'FAST'",
        ),
        (
            {"REPLY_REGIME_BY_CATEGORY": {"CARD_PAYMENT": "PSD2"}},
            "deadlines.E002",
            "REPLY_REGIME_BY_CATEGORY['CARD_PAYMENT']: unknown reply regime 'PSD2'",
        ),
    ],
)
def test_a_misconfigured_policy_is_reported(settings, policies, error_id, message):
    settings.KARTOSFERA_POLICIES = {**settings.KARTOSFERA_POLICIES, **policies}

    errors = check_deadline_settings()

    assert [error.id for error in errors] == [error_id]
    assert message in errors[0].msg


@pytest.mark.parametrize("hook", ["deadlines.no_such_module.hook", "deadlines.rules.REFUND"])
def test_a_calendar_change_hook_that_is_not_a_callable_is_reported(settings, hook):
    settings.KARTOSFERA_CALENDAR_CHANGE_HOOKS = [hook]

    assert [error.id for error in check_deadline_settings()] == ["deadlines.E003"]
