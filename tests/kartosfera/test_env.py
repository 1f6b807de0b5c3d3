"""The typed environment (kartosfera/settings/env.py): a bad value stops start-up with one error that
names its variable; good values and the defaults give the settings they always gave."""

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kartosfera.policies import DEFAULTS, Policies
from kartosfera.settings.env import Env, load_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NBP_RETRIES", "two"),
        ("DEBUG", "maybe"),
        ("KARTOSFERA_FOUR_EYES_REFUND_ABOVE", "5 000"),
        ("KARTOSFERA_AUDIT_SEALING", "SOMETIMES"),
        ("DISPUTES_REPLY_REMINDER_DAYS", "7,three,1"),
        ("KARTOSFERA_ROLL_FORWARD", "perhaps"),
        ("OUTBOX_BACKLOG_LIMIT_SECONDS", "soon"),
    ],
)
def test_a_bad_value_is_one_error_naming_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)

    with pytest.raises(ImproperlyConfigured) as raised:
        load_env()

    message = str(raised.value)
    assert message.startswith("Invalid environment variable ")
    assert f"{variable}: " in message
    assert ";" not in message  # this variable only


def test_every_bad_variable_is_named_in_the_one_error(monkeypatch):
    monkeypatch.setenv("NBP_RETRIES", "two")
    monkeypatch.setenv("EMAIL_PORT", "smtp")

    with pytest.raises(ImproperlyConfigured, match=r"EMAIL_PORT: .*'smtp'; NBP_RETRIES: .*'two'"):
        load_env()


def test_start_up_stops_with_the_error_naming_the_variable():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="kartosfera.settings", NBP_RETRIES="two")

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: Invalid environment variable")
    assert "NBP_RETRIES: Input should be a valid integer" in last_line


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("DEBUG", "0", "debug", False),
        ("DEBUG", "", "debug", False),
        ("DEBUG", "On", "debug", True),
        ("REPORTS_EXPORT_CSV_COPY", "0", "reports_export_csv_copy", False),
        ("ALLOWED_HOSTS", " a.example, b.example ,", "allowed_hosts", ["a.example", "b.example"]),
        ("ALLOWED_HOSTS", "", "allowed_hosts", []),
        ("DISPUTES_REPLY_REMINDER_DAYS", "5, 2", "disputes_reply_reminder_days", [5, 2]),
        (
            "KARTOSFERA_FOUR_EYES_REFUND_ABOVE",
            "100.50",
            "kartosfera_four_eyes_refund_above",
            Decimal("100.50"),
        ),
        ("KARTOSFERA_TRUSTED_PROXY_COUNT", "2", "kartosfera_trusted_proxy_count", 2),
        ("KARTOSFERA_ROLL_FORWARD", "no", "kartosfera_roll_forward", False),
    ],
)
def test_values_are_read_as_before(monkeypatch, variable, value, field, expected):
    monkeypatch.setenv(variable, value)

    assert getattr(Env(), field) == expected


def test_the_policy_defaults_are_written_once():
    env = Env()

    assert (env.kartosfera_roll_forward, env.kartosfera_refund_policy, env.kartosfera_rate_day) == (
        DEFAULTS.roll_forward,
        DEFAULTS.refund_policy,
        DEFAULTS.rate_day,
    )
    assert DEFAULTS.as_setting() == {
        "ROLL_FORWARD": True,
        "DEFAULT_REPLY_REGIME": "COMPLAINTS_ACT",
        "REPLY_REGIME_BY_CATEGORY": {},
        "ROUNDING": "ROUND_HALF_UP",
        "REFUND_POLICY": "FULL_THEN_RECOVER",
        "RATE_DAY": "SAME_DAY_OR_LAST_BEFORE",
    }


def test_a_partial_policies_setting_takes_the_defaults_for_the_rest():
    policies = Policies.from_setting({"REFUND_POLICY": "NET_OF_CAP"})

    assert policies.refund_policy == "NET_OF_CAP"
    assert policies.rate_day == DEFAULTS.rate_day
    assert policies.reply_regime_by_category == {}


def _reply_signatory(**variables: str) -> str:
    """The REK-8 notice's signatory the settings give under these environment variables."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "KARTOSFERA_REPLY"))
    }
    env.update(DJANGO_SETTINGS_MODULE="kartosfera.settings", SECRET_KEY="a-test-key", **variables)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(sorted(settings.KARTOSFERA_REPLY_SIGNATORY.items()))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_a_deployment_names_who_signs_the_systems_replies_and_never_gets_the_demos_person():
    named = {
        "KARTOSFERA_REPLY_SIGNATORY_NAME": "Joanna Nowak",
        "KARTOSFERA_REPLY_SIGNATORY_POSITION": "Dyrektor Departamentu Reklamacji",
        "KARTOSFERA_REPLY_SIGNATORY_POSITION_EN": "Director of Complaints",
    }

    assert _reply_signatory(DEBUG="0", **named) == str(
        [
            ("name", "Joanna Nowak"),
            ("position", "Dyrektor Departamentu Reklamacji"),
            ("position_en", "Director of Complaints"),
        ]
    )
    # Not named in production: empty, so the notice is held (SignatoryMissing), not signed by the demo's lead.
    assert _reply_signatory(DEBUG="0") == str([("name", ""), ("position", ""), ("position_en", "")])
    assert "Ewa Maj" in _reply_signatory(DEBUG="1")
