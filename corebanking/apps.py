from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorebankingConfig(AppConfig):
    name = "corebanking"
    verbose_name = _("Core banking postings")
    default_auto_field = "django.db.models.BigAutoField"
