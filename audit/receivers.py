"""Audit entries for Django's own auth events, and the SYSTEM context of Celery tasks.

Signals are the interface Django offers for these (its login view, its admin and its auth models are
not our services): sign-in, sign-out and failed sign-in; a user created, a change of ``is_staff``,
``is_superuser``, ``is_active`` or the password; a change of a user's groups or permissions or of a
group's permissions. Connected in ``AuditConfig.ready``. Each entry is written in the transaction of
the change it records. A service that records a user's change itself (a portal password change or
reset) saves inside ``audit_recorded_by_caller`` and these receivers leave that save alone.
"""

from typing import Any

from celery.signals import task_postrun, task_prerun
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from audit import actions
from audit.context import (
    SYSTEM_CONTEXT,
    audit_context,
    current_context,
    has_context,
    pop_context,
    push_context,
    request_context,
)
from audit.selectors import role_for
from audit.services import audit_record, is_recorded_by_caller
from kartosfera import clock

# Fields of the user whose change is a change of privileges (or of the credential).
PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser")


def _with_request_context(request: Any, record: Any) -> None:
    """Record inside the request's context when no middleware set one (e.g. ``Client.login()``)."""
    if request is not None and not has_context():
        with audit_context(request_context(request)):
            record()
    else:
        record()


def on_user_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    backend = getattr(user, "backend", None) or (session.get(BACKEND_SESSION_KEY, "") if session else "")

    def record() -> None:
        audit_record(
            action=actions.AUTH_SIGN_IN, actor=user, obj=user, data={"backend": backend}, now=clock.now()
        )

    _with_request_context(request, record)


def on_user_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # nobody was signed in
        return

    def record() -> None:
        audit_record(action=actions.AUTH_SIGN_OUT, actor=user, obj=user, now=clock.now())

    _with_request_context(request, record)


def on_user_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    User = get_user_model()
    # Staff type a user name; customers their PESEL or bank id (the user name of their sign-in).
    username = str(
        credentials.get(User.USERNAME_FIELD)
        or credentials.get("username")
        or credentials.get("identifier")
        or ""
    )
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    # The object names an existing account (a customer by their number); what was typed is kept only
    # when it is a user name, never when it is all digits: a PESEL or bank id stays out of the log.
    data: dict[str, Any] = {"account_exists": account is not None}
    if username.isdigit():
        data["identifier_withheld"] = True
    else:
        data["username"] = username[:150]

    def record() -> None:
        audit_record(
            action=actions.AUTH_SIGN_IN_FAILED,
            actor=None,  # nobody proved who they are
            obj=account,
            data=data,
            now=clock.now(),
        )

    _with_request_context(request, record)


def _user_state(user: Any) -> dict[str, Any]:
    return {name: getattr(user, name) for name in PRIVILEGE_FIELDS}


def on_user_pre_save(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any):
    instance._audit_previous = None
    if raw or instance.pk is None or instance._state.adding or is_recorded_by_caller(instance):
        return
    if update_fields is not None and not set(update_fields) & {*PRIVILEGE_FIELDS, "password"}:
        return  # e.g. last_login on every sign-in
    instance._audit_previous = (
        sender._default_manager.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS, "password").first()
    )


def on_user_post_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or is_recorded_by_caller(instance):  # the service saving it records the act itself
        return
    actor = current_context().user
    if created:
        state = _user_state(instance)
        state["role"] = role_for(
            is_superuser=instance.is_superuser, is_staff=instance.is_staff, group_names=()
        ).value
        audit_record(
            action=actions.AUTH_USER_CREATED, actor=actor, obj=instance, after=state, now=clock.now()
        )
        return
    previous = getattr(instance, "_audit_previous", None)
    instance._audit_previous = None
    if previous is None:
        return
    now = clock.now()
    if previous["password"] != instance.password:
        audit_record(action=actions.AUTH_PASSWORD_CHANGED, actor=actor, obj=instance, now=now)
    changed = [name for name in PRIVILEGE_FIELDS if previous[name] != getattr(instance, name)]
    if changed:
        groups = list(instance.groups.values_list("name", flat=True))
        before = {name: previous[name] for name in changed}
        after = {name: getattr(instance, name) for name in changed}
        before["role"] = role_for(
            is_superuser=previous["is_superuser"], is_staff=previous["is_staff"], group_names=groups
        ).value
        after["role"] = role_for(
            is_superuser=instance.is_superuser, is_staff=instance.is_staff, group_names=groups
        ).value
        audit_record(
            action=actions.AUTH_PRIVILEGES_CHANGED,
            actor=actor,
            obj=instance,
            before=before,
            after=after,
            now=now,
        )


# --- many-to-many: user groups, user permissions, group permissions ------------------------------------


def _permission_labels(permissions: Any) -> list[str]:
    return sorted(f"{app_label}.{codename}" for app_label, codename in permissions)


class _Relation:
    """One audited many-to-many relation: the owner whose set is recorded and how to read that set."""

    def __init__(self, *, action: str, owner: Any, key: str, read: Any, related: Any) -> None:
        self.action, self.owner, self.key, self.read, self.related = action, owner, key, read, related

    def owners(self, instance: Any, reverse: bool, pk_set: Any) -> list[Any]:
        if not reverse:
            return [instance]
        if pk_set is None:  # clear() from the other side: every owner related now
            return list(self.related(instance))
        return list(self.owner._default_manager.filter(pk__in=pk_set))


def _relations() -> dict[Any, _Relation]:
    User = get_user_model()
    return {
        User.groups.through: _Relation(
            action=actions.AUTH_GROUPS_CHANGED,
            owner=User,
            key="groups",
            read=lambda user: sorted(user.groups.values_list("name", flat=True)),
            related=lambda group: group.user_set.all(),
        ),
        User.user_permissions.through: _permissions(
            actions.AUTH_USER_PERMISSIONS_CHANGED, User, "user_permissions", "user_set"
        ),
        Group.permissions.through: _permissions(
            actions.AUTH_GROUP_PERMISSIONS_CHANGED, Group, "permissions", "group_set"
        ),
    }


def _permissions(action: str, owner: Any, field: str, reverse_name: str) -> _Relation:
    """The relation of a user's or a group's permissions (``field``), recorded as app_label.codename."""
    return _Relation(
        action=action,
        owner=owner,
        key="permissions",
        read=lambda holder: _permission_labels(
            getattr(holder, field).values_list("content_type__app_label", "codename")
        ),
        related=lambda permission: getattr(permission, reverse_name).all(),
    )


def on_m2m_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    relation = _relations().get(sender)
    if relation is None:
        return
    if action.startswith("pre_"):
        # Remember each owner's set before the change, on the instance the post_ signal gets too.
        owners = relation.owners(instance, reverse, pk_set)
        instance._audit_m2m_before = {owner.pk: (owner, relation.read(owner)) for owner in owners}
        return
    before_by_owner = getattr(instance, "_audit_m2m_before", {})
    instance._audit_m2m_before = {}
    actor = current_context().user
    now = clock.now()
    for owner, before in before_by_owner.values():
        after = relation.read(owner)
        if after == before:
            continue
        before_fields: dict[str, Any] = {relation.key: before}
        after_fields: dict[str, Any] = {relation.key: after}
        if relation.key == "groups":
            before_fields["role"] = role_for(
                is_superuser=owner.is_superuser, is_staff=owner.is_staff, group_names=before
            ).value
            after_fields["role"] = role_for(
                is_superuser=owner.is_superuser, is_staff=owner.is_staff, group_names=after
            ).value
        audit_record(
            action=relation.action, actor=actor, obj=owner, before=before_fields, after=after_fields, now=now
        )


# --- Celery: every task runs in the SYSTEM channel, with the worker and eager mode alike -------------

_task_tokens: dict[str, Any] = {}


def on_task_prerun(task_id: str, **kwargs: Any) -> None:
    _task_tokens[task_id] = push_context(SYSTEM_CONTEXT)


def on_task_postrun(task_id: str, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        pop_context(token)


def connect() -> None:
    """Connect the receivers (``AuditConfig.ready``); ``dispatch_uid`` keeps it idempotent."""
    User = get_user_model()
    user_logged_in.connect(on_user_logged_in, dispatch_uid="audit.sign_in")
    user_logged_out.connect(on_user_logged_out, dispatch_uid="audit.sign_out")
    user_login_failed.connect(on_user_login_failed, dispatch_uid="audit.sign_in_failed")
    pre_save.connect(on_user_pre_save, sender=User, dispatch_uid="audit.user_pre_save")
    post_save.connect(on_user_post_save, sender=User, dispatch_uid="audit.user_post_save")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(on_m2m_changed, sender=through, dispatch_uid=f"audit.m2m.{through._meta.label}")
    task_prerun.connect(on_task_prerun, dispatch_uid="audit.task_prerun", weak=False)
    task_postrun.connect(on_task_postrun, dispatch_uid="audit.task_postrun", weak=False)
