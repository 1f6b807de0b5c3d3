"""The sign-in lockout (django-axes, ``AXES_HANDLER``): failures are counted per identifier *and*
address together, so a stranger who knows a PESEL locks only their own attempts, never the owner on
their own device; and per address alone with a higher limit, so one address cannot try many
identifiers."""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

from kartosfera import clock


class IdentifierAndAddressLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler (``AXES_LOCKOUT_PARAMETERS``: identifier and address together),
    plus a lock on an address that failed ``KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT`` times, whatever
    identifiers it tried, within the cool-off time."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if self._address_locked(request):
            # django-axes' middleware answers with the lockout page for a request flagged so.
            request.axes_locked_out = True
            return True
        return False

    def _address_locked(self, request) -> bool:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return False
        failures = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=clock.now() - settings.AXES_COOLOFF_TIME
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.KARTOSFERA_AXES_ADDRESS_FAILURE_LIMIT
