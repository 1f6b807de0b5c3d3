"""The production runtime: the Procfile's three processes, persistent database connections by default,
and gunicorn serving the application under the production settings with WhiteNoise's static files,
on a working folder that did not exist before (a fresh clone has no ``var/``: the settings create it,
so the first ``migrate`` makes its SQLite database there)."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_the_procfile_lists_web_the_two_workers_and_beat_with_their_commands():
    lines = (ROOT / "Procfile").read_text().splitlines()
    processes = dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))

    assert processes == {
        "web": "gunicorn --config gunicorn.conf.py kartosfera.wsgi",
        "worker": "celery --app kartosfera worker -Q celery --concurrency ${CELERY_CONCURRENCY:-2} "
        "--loglevel INFO -n worker@%h",
        "letters": "celery --app kartosfera worker -Q letters --concurrency ${LETTERS_CONCURRENCY:-2} "
        "--prefetch-multiplier 1 --loglevel INFO -n letters@%h",
        "beat": "celery --app kartosfera beat --loglevel INFO "
        "--schedule ${KARTOSFERA_VAR_DIR:-var}/celerybeat-schedule",
    }


def test_database_connections_persist_and_are_checked_before_reuse_by_default():
    assert "DATABASE_CONN_MAX_AGE" not in os.environ
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 600
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()


def test_a_fresh_folder_migrates_and_gunicorn_serves_it_under_the_production_settings(tmp_path):
    var_dir = tmp_path / "fresh" / "var"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KARTOSFERA_", "DJANGO_", "DATABASE_", "CELERY_"))
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": "test-k7Qm2vX9pL4tR8wZ1cB6nH3jF5sD0gA-yU_eI.oP7lK2mN9bV4",
        "ALLOWED_HOSTS": "127.0.0.1",
        "KARTOSFERA_VAR_DIR": str(var_dir),
        "KARTOSFERA_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    assert not var_dir.parent.exists()
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Applying sessions.0001_initial... OK" in migrated.stdout
    assert (var_dir / "kartosfera.sqlite3").stat().st_size > 0
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())
    server = subprocess.Popen(  # noqa: S603 (the virtual environment's gunicorn)
        [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "kartosfera.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = _get(port, "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
                time.sleep(0.3)
        home = _get(port, "/")
        stylesheet = _get(port, f"/static/{manifest['paths']['css/site.css']}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert health[0] == 200 and json.loads(health[2])["components"]["database"] == "ok"
    assert home[0] == 200
    assert manifest["paths"]["css/site.css"].encode() in home[2]  # the hashed name, from the manifest
    assert home[1]["content-security-policy"].startswith("default-src 'self'")
    assert home[1]["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert stylesheet[0] == 200 and stylesheet[1]["content-type"].startswith("text/css")
    assert stylesheet[1]["cache-control"] == "max-age=315360000, public, immutable"
    # The policies are on every response, the files WhiteNoise serves included.
    assert stylesheet[1]["permissions-policy"] == home[1]["permissions-policy"]
    assert home[1]["permissions-policy"].startswith("accelerometer=(), autoplay=()")
