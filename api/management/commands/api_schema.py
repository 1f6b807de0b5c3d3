"""Write the OpenAPI document of /api/v1/ to docs/openapi.json (tests/api/test_openapi.py checks it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from api.openapi import openapi_document


class Command(BaseCommand):
    help = "Write docs/openapi.json from the code."

    def handle(self, *args, **options) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "openapi.json"
        path.write_text(openapi_document(), encoding="utf-8")
        self.stdout.write(f"wrote {path}")
