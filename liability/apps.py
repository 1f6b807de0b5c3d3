from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiabilityConfig(AppConfig):
    name = "liability"
    verbose_name = _("Liability and NBP exchange rates")
