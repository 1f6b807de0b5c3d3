"""Staff roles of the dispute workflow as Django groups.

Dispute analysts work cases (view, handle); dispute supervisors also approve decisions, withhold
refunds under the fraud exception and take escalations. The permissions are created here because
Django creates model permissions only after all migrations have run.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Dispute analysts": ["view_case", "handle_case"],
    "Dispute supervisors": ["view_case", "handle_case", "approve_decision", "supervise_case"],
}


def create_groups(apps, schema_editor):
    app_config = apps.get_app_config("disputes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="disputes", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
