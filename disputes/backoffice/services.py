"""Back-office writes that combine workflow services: bulk assignment, taking the next case, a claim
registered on a customer's behalf, and the staff second factor."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.models import Customer, User
from disputes.backoffice.selectors import next_unassigned_case
from disputes.models import Case, Channel
from disputes.services import (
    ActionNotPermitted,
    CaseNotFound,
    Circumstances,
    DisputeError,
    InvalidClaim,
    case_assign,
    claim_create_draft,
    claim_submit,
)
from disputes.services._access import Actor, require_staff
from kartosfera.authz import HANDLE_CASE, VIEW_CASE

ON_BEHALF_CHANNELS = (Channel.PHONE, Channel.BRANCH, Channel.LINE_828)


class NoCaseToTake(DisputeError, LookupError):
    code = "NO_CASE_TO_TAKE"
    message = _("There is no unassigned case.")


def cases_assign_bulk(
    *, case_ids: list[int], assignee: User, actor: Actor, now: datetime
) -> dict[int, DisputeError | None]:
    """Assign several cases, each on its own (one refused case does not stop the others).

    Returns, per case id, None when assigned or the refusal.
    """
    results: dict[int, DisputeError | None] = {}
    for case_id in case_ids:
        try:
            case_assign(case_id=case_id, assignee=assignee, actor=actor, now=now)
            results[case_id] = None
        except DisputeError as error:
            results[case_id] = error
    return results


def case_take_next(*, actor: Actor, now: datetime) -> Case:
    """Assign the unassigned open case with the nearest deadline to ``actor``.

    Two analysts pressing at once never get the same case: the assignment locks it, and a case
    someone took meanwhile is skipped.

    :raises ActionNotPermitted: :raises NoCaseToTake:
    """
    require_staff(actor, HANDLE_CASE)
    for _attempt in range(5):
        case = next_unassigned_case(now=now)
        if case is None:
            break
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if locked.assignee_id is not None:
                continue
            return case_assign(case_id=case.pk, assignee=actor, actor=actor, now=now)
    raise NoCaseToTake()


def claim_register_on_behalf(
    *,
    customer_id: int,
    card_id: int,
    transaction_ids: list[int],
    channel: str,
    cause: str,
    received_at: datetime,
    account: str,
    actor: Actor,
    now: datetime,
) -> Case:
    """Register and submit a claim the customer made by phone, in a branch or on the 828 line.

    Runs the same services as the portal (``claim_create_draft``, ``claim_submit``), in one
    transaction: a refused claim leaves no draft behind.

    :raises ActionNotPermitted: not staff who handle cases. :raises CaseNotFound: no such customer.
    :raises InvalidClaim: a channel other than phone, branch or 828.
    :raises CardNotFound, NoTransactions, TransactionNotFound, TransactionNotSettled,
        TransactionAlreadyDisputed: as ``claim_create_draft`` and ``claim_submit``.
    :raises CaseTextTooLong: an ``account`` longer than the case holds.
    """
    require_staff(actor, HANDLE_CASE)
    if channel not in ON_BEHALF_CHANNELS:
        raise InvalidClaim(f"channel {channel}", problem="channel")
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise CaseNotFound(f"customer {customer_id}")
    with transaction.atomic():
        draft = claim_create_draft(
            customer=customer,
            card_id=card_id,
            transaction_ids=transaction_ids,
            channel=channel,
            cause=cause,
            circumstances=Circumstances(account=account),
            actor=actor,
            now=now,
        )
        return claim_submit(case_id=draft.pk, actor=actor, now=now, received_at=received_at)


@dataclass(frozen=True)
class SecondFactorCheck:
    """The outcome of a code: the device that accepted it, or when the throttle lets the next code in."""

    device: TOTPDevice | None
    locked_until: datetime | None = None


def staff_second_factor_check(*, user: User, code: str) -> SecondFactorCheck:
    """Check ``code`` against the staff member's confirmed TOTP devices.

    Only staff with ``view_case`` have a second factor here; a used code is not accepted twice
    (django-otp remembers the last time step). After a wrong code django-otp refuses every code,
    right or wrong, for 1, 2, 4, 8 … seconds: the result then says until when.
    """
    if not (user.is_active and user.has_perm(VIEW_CASE)):
        return SecondFactorCheck(None)
    locked_until = None
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        allowed, details = device.verify_is_allowed()
        if not allowed:
            until = (details or {}).get("locked_until")
            locked_until = max(filter(None, (locked_until, until)), default=None)
            continue
        if device.verify_token(code):
            return SecondFactorCheck(device)
    return SecondFactorCheck(None, locked_until)


def staff_totp_device_ensure(*, user: User, key: str | None = None) -> TOTPDevice:
    """The staff member's TOTP device, created (confirmed) when missing; ``key`` in hex, for the demo.

    :raises ActionNotPermitted: the user is not staff of the back office.
    """
    if not user.has_perm(VIEW_CASE):
        raise ActionNotPermitted(f"user {user.pk} is not back-office staff")
    device = TOTPDevice.objects.filter(user=user, name="back office").first()
    if device is None:
        fields = {"key": key} if key else {}
        device = TOTPDevice.objects.create(user=user, name="back office", confirmed=True, **fields)
    return device


def staff_totp_current_code(*, username: str) -> str | None:
    """The code the staff member's TOTP device expects now (demo helper), or None without a device."""
    device = TOTPDevice.objects.filter(user__username=username, name="back office", confirmed=True).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
