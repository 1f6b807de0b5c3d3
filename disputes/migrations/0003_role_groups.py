"""One set of staff groups: the role groups of ``settings.KARTOSFERA_ROLE_GROUPS`` carry the permissions.

Migration 0002 created "Dispute analysts" and "Dispute supervisors" while the audit trail derives a
user's role from the groups "analysts", "supervisors", "auditors" and "administrators". Two naming
schemes let a user hold a permission under one role and be recorded under another; this merges the
old groups' members into the role groups, gives each role group its permissions, and drops the old
groups. The permission lists are frozen here (a migration must not follow later code).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "analysts": ["view_case", "handle_case"],
    "supervisors": ["view_case", "handle_case", "approve_decision", "supervise_case"],
    "auditors": ["view_case"],
    "administrators": ["view_case", "handle_case", "approve_decision", "supervise_case"],
}
RENAMED = {"Dispute analysts": "analysts", "Dispute supervisors": "supervisors"}


def merge_groups(apps, schema_editor):
    app_config = apps.get_app_config("disputes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="disputes", codename__in=codenames)
        )
    for old_name, new_name in RENAMED.items():
        old = Group.objects.filter(name=old_name).first()
        if old is None:
            continue
        Group.objects.get(name=new_name).user_set.add(*old.user_set.all())
        old.delete()


def split_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for old_name, new_name in RENAMED.items():
        old, _ = Group.objects.get_or_create(name=old_name)
        old.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="disputes", codename__in=ROLE_PERMISSIONS[new_name]
            )
        )
        new = Group.objects.filter(name=new_name).first()
        if new is not None:
            old.user_set.add(*new.user_set.all())


class Migration(migrations.Migration):
    dependencies = [("disputes", "0002_staff_groups")]

    operations = [migrations.RunPython(merge_groups, split_groups)]
