"""What users read never names a file of the repository: they cannot open docs/*.md."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_points_users_to_a_docs_file():
    named = {
        str(path.relative_to(TEMPLATES)): match.group(0)
        for path in TEMPLATES.rglob("*.html")
        for match in re.finditer(r"docs/[\w./-]+", path.read_text(encoding="utf-8"))
    }

    assert named == {}
