"""A fresh clone has no ``var/`` (it is git-ignored): the settings create the working folder, so the
first ``migrate`` of a new machine makes its SQLite database there."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_creates_the_working_folder_and_the_sqlite_database_in_it(tmp_path):
    var_dir = tmp_path / "fresh" / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KARTOSFERA_", "DJANGO_")) and key not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    env |= {"KARTOSFERA_VAR_DIR": str(var_dir), "DEBUG": "1"}

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert (var_dir / "kartosfera.sqlite3").stat().st_size > 0
    assert "Applying sessions.0001_initial... OK" in result.stdout
