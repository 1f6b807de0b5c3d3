from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        import sys

        from audit import receivers
        from audit.context import command_line_context, set_process_context

        receivers.connect()
        cli = command_line_context(sys.argv)
        if cli is not None:
            set_process_context(cli)
