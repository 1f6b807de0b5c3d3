"""Print docs/WORKFLOW.md generated from the workflow's transitions, write it, or check it is current."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disputes.workflow import workflow_markdown

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "WORKFLOW.md"


class Command(BaseCommand):
    help = (
        "Generate the dispute workflow document (Mermaid state diagrams and transition tables) from the code."
    )

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="write the file instead of printing it")
        parser.add_argument("--check", action="store_true", help="fail when the file differs from the code")
        parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="the document (docs/WORKFLOW.md)")

    def handle(self, *args, write: bool, check: bool, path: Path, **options):
        text = workflow_markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `manage.py workflow_diagram --write`")
            self.stdout.write(f"{path} is up to date")
        elif write:
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path}")
        else:
            self.stdout.write(text, ending="")
