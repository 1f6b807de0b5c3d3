"""Who may act on a case: the actor, the permissions, and the row locks every service takes first."""

from typing import Literal, overload

from django.db.models import Model

from chargebacks.models import Chargeback
from customers.models import User
from disputes.models import ActorKind, Case
from disputes.services._errors import ActionNotPermitted, CaseNotFound, ChargebackNotFound
from kartosfera.authz import HANDLE_CASE, VIEW_CASE

Actor = User | None  # None: the system (a Celery beat sweep)


def actor_kind(case: Case, actor: Actor) -> str:
    """Who acted: the system, the case's own customer, or staff."""
    if actor is None:
        return ActorKind.SYSTEM
    if case.customer.user_id is not None and case.customer.user_id == actor.pk:
        return ActorKind.CUSTOMER
    return ActorKind.STAFF


def is_own_case(case: Case, actor: Actor) -> bool:
    """Whether ``actor`` is the signed-in customer the case belongs to."""
    return actor is not None and case.customer.user_id is not None and case.customer.user_id == actor.pk


def check_visible(case: Case, actor: Actor) -> None:
    """Refuse an actor who may not see the case exactly as a missing case (no hint it exists).

    :raises CaseNotFound: neither the system, the case's customer, nor staff with ``view_case``.
    """
    if actor is None or is_own_case(case, actor):
        return
    if not (actor.is_active and actor.has_perm(VIEW_CASE)):
        raise CaseNotFound()


@overload
def require_staff(
    actor: Actor, permission: str = HANDLE_CASE, *, system_allowed: Literal[False] = False
) -> User: ...
@overload
def require_staff(actor: Actor, permission: str = HANDLE_CASE, *, system_allowed: bool) -> User | None: ...
def require_staff(
    actor: Actor, permission: str = HANDLE_CASE, *, system_allowed: bool = False
) -> User | None:
    """Refuse anyone without the staff ``permission`` (and the system unless ``system_allowed``); return
    the staff member (None: the system, if allowed).

    :raises ActionNotPermitted:
    """
    if actor is None:
        if system_allowed:
            return None
        raise ActionNotPermitted("the system may not do this")
    if not (actor.is_active and actor.has_perm(permission)):
        raise ActionNotPermitted(f"needs {permission}")
    return actor


def lock_case(case_id: int, actor: Actor) -> Case:
    """The case, locked for update until the transaction ends, if ``actor`` may see it.

    :raises CaseNotFound:
    """
    try:
        case = Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist:
        raise CaseNotFound() from None
    check_visible(case, actor)
    return case


def lock_chargeback(chargeback_id: int, actor: Actor) -> tuple[Case, Chargeback]:
    """The chargeback and its case, both locked (case first, always, so two services never deadlock).

    :raises ChargebackNotFound:
    """
    case_id = Chargeback.objects.filter(pk=chargeback_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise ChargebackNotFound()
    try:
        case = lock_case(case_id, actor)
    except CaseNotFound:
        raise ChargebackNotFound() from None
    return case, Chargeback.objects.select_for_update().get(pk=chargeback_id)


def state_label(obj: Model) -> str:
    """The display name of an object's state in the active language."""
    return str(obj.get_state_display())  # type: ignore[attr-defined]
