"""Signing staff in as the back office does: password, then the TOTP second factor (django-otp)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.middleware import SIGNED_IN_AT
from kartosfera import clock


def sign_in_staff(client, user):
    """Sign ``user`` in with both factors (the two steps are tested in tests/backoffice)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="back office", defaults={"confirmed": True})
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = clock.now().isoformat()  # as the second-factor step records it
    session.save()
    return client
