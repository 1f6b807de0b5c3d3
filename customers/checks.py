"""System checks: the SMS sender and the card processor must be importable; production must not
write one-time passwords to files or the console (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

DEVELOPMENT_SMS_BACKENDS = {"customers.sms.FileSmsBackend"}


@register()
def check_portal_backends(app_configs=None, **kwargs) -> list[Error]:
    """KARTOSFERA_SMS_BACKEND and KARTOSFERA_CARD_PROCESSOR name importable classes."""
    errors = []
    for name, check_id in (
        ("KARTOSFERA_SMS_BACKEND", "customers.E001"),
        ("KARTOSFERA_CARD_PROCESSOR", "customers.E002"),
    ):
        try:
            import_string(getattr(settings, name))
        except ImportError as error:
            errors.append(Error(f"{name}: {error}", id=check_id))
    return errors


@register(Tags.security, deploy=True)
def check_sms_in_production(app_configs=None, **kwargs) -> list[Error]:
    """Production sends codes through the SMS gateway, never to a file or the console."""
    errors = []
    if settings.KARTOSFERA_SMS_BACKEND in DEVELOPMENT_SMS_BACKENDS or settings.KARTOSFERA_SMS_ECHO:
        errors.append(
            Error(
                "The development SMS sender writes one-time passwords to disk or the console.",
                hint="Set KARTOSFERA_SMS_BACKEND=customers.sms.HttpGatewaySmsBackend, KARTOSFERA_SMS_ECHO=0.",
                id="customers.E010",
            )
        )
    elif settings.KARTOSFERA_SMS_BACKEND == "customers.sms.HttpGatewaySmsBackend":
        url = settings.KARTOSFERA_SMS_GATEWAY_URL
        if not url.startswith("https://") or not settings.KARTOSFERA_SMS_GATEWAY_TOKEN:
            errors.append(
                Error(
                    "The SMS gateway needs an https:// URL and a token.",
                    hint="Set KARTOSFERA_SMS_GATEWAY_URL and KARTOSFERA_SMS_GATEWAY_TOKEN.",
                    id="customers.E011",
                )
            )
    return errors
