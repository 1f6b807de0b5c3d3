from django.apps import AppConfig


class KartosferaConfig(AppConfig):
    name = "kartosfera"
    verbose_name = "Kartosfera"

    def ready(self) -> None:
        from kartosfera import (
            checks,  # noqa: F401 (registers the production checks)
            db,  # noqa: F401 (registers SQLite's missing functions)
        )
