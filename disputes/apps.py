from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        # The services chain some of these tasks by name (the rate fetch, then the waiting estimate).
        # A worker imports them itself; eager mode (no broker) runs a chain in this process, which
        # needs them registered here too.
        # The D+1 refund is made when the core system confirms its credits (corebanking may not
        # import disputes, so it signals the confirmation).
        from disputes import (
            receivers,  # noqa: F401
            tasks,  # noqa: F401
        )
