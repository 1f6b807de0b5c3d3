"""`manage.py check --deploy` passes under the production settings the README documents, and fails
when production would write one-time passwords to disk, run on SQLite or without a Celery broker, or
accept any Host header."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The production environment of README.md ("Production"), with stand-in secrets.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7Qm2vX9pL4tR8wZ1cB6nH3jF5sD0gA-yU_eI.oP7lK2mN9bV4xC1zQ8",
    "ALLOWED_HOSTS": "portal.kartosfera.example",
    "KARTOSFERA_SMS_BACKEND": "customers.sms.HttpGatewaySmsBackend",
    "KARTOSFERA_SMS_GATEWAY_URL": "https://sms-gateway.kartosfera.example/v1/messages",
    "KARTOSFERA_SMS_GATEWAY_TOKEN": "stand-in-token",
    # Stand-ins: the checks read the settings and never connect (no such hosts exist).
    "DATABASE_URL": "postgres://kartosfera@db.kartosfera.example:5432/kartosfera",
    "CELERY_BROKER_URL": "redis://broker.kartosfera.example:6379/0",
    "REDIS_CACHE_URL": "redis://broker.kartosfera.example:6379/1",
}


def check_deploy(**overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KARTOSFERA_", "DJANGO_"))
        and key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "REDIS_CACHE_URL",
        }
    }
    env.update(PRODUCTION_ENV, **overrides)
    env["KARTOSFERA_VAR_DIR"] = env.get("KARTOSFERA_VAR_DIR", str(ROOT / "var"))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_under_the_production_settings():
    result = check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"KARTOSFERA_SMS_BACKEND": "customers.sms.FileSmsBackend"}, "customers.E010"),
        ({"KARTOSFERA_SMS_GATEWAY_URL": "http://sms.example/"}, "customers.E011"),
    ],
)
def test_check_deploy_fails_when_codes_would_not_go_through_the_gateway(overrides, check_id):
    result = check_deploy(**overrides)

    assert result.returncode != 0
    assert check_id in result.stderr


@pytest.mark.parametrize(
    ("overrides", "check_id", "message"),
    [
        ({"DATABASE_URL": ""}, "kartosfera.E001", "The database is SQLite"),
        ({"DATABASE_URL": "sqlite:////tmp/kartosfera.sqlite3"}, "kartosfera.E001", "The database is SQLite"),
        ({"CELERY_BROKER_URL": ""}, "kartosfera.E002", "Celery has no broker"),
        ({"ALLOWED_HOSTS": "portal.kartosfera.example,*"}, "kartosfera.E003", "ALLOWED_HOSTS contains '*'"),
    ],
)
def test_check_deploy_refuses_what_production_must_not_run_on(overrides, check_id, message):
    result = check_deploy(**overrides)

    assert result.returncode == 1
    assert f"?: ({check_id}) {message}" in result.stderr
    # Exactly one of our production checks fails: the others hold.
    assert result.stderr.count("(kartosfera.E00") == 1


def test_check_deploy_warns_when_rate_limits_would_be_counted_per_process():
    result = check_deploy(REDIS_CACHE_URL="")

    assert result.returncode == 1
    assert "?: (kartosfera.W001) The cache is local to each process" in result.stderr
