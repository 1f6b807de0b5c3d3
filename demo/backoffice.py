"""Demo: the back-office staff (analyst, supervisor, auditor) get a TOTP device for the second factor."""

from base64 import b32encode
from datetime import datetime

from django.contrib.auth.models import Group

from customers.models import User
from demo import SITE
from demo.customers import ADMIN_DEMO_PASSWORD
from disputes.backoffice.services import staff_totp_device_ensure

AUDITOR = ("auditor", "Anna", "Rewizyjna", "auditors")


def seed(*, now: datetime) -> list[str]:
    """Give each demo staff member a TOTP device and print how to use it; add the demo auditor."""
    username, first_name, last_name, group = AUDITOR
    auditor, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "is_staff": True},
    )
    if created:
        auditor.set_password(ADMIN_DEMO_PASSWORD)
        auditor.save(update_fields=["password"])
    auditor.groups.add(*Group.objects.filter(name=group))
    lines = [f"Back office: {SITE}/back-office/ (password, then the TOTP code)"]
    # The admin takes the same second factor: the demo's administrator ("admin") gets a device too.
    staff = ["admin", "analyst", "supervisor", "auditor"]
    for user in User.objects.filter(username__in=staff, is_staff=True).order_by("username"):
        device = staff_totp_device_ensure(user=user)
        secret = b32encode(device.bin_key).decode().rstrip("=")
        lines.append(
            f"  {user.username}: password {ADMIN_DEMO_PASSWORD}; TOTP secret {secret} "
            f"(add to an authenticator app, or print the current code: "
            f"manage.py backoffice_totp_code {user.username}); otpauth: {device.config_url}"
        )
    return lines
