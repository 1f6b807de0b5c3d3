"""The reports are read under a permission, granted by the role groups, like every other access.

Until now the reports checked the role the audit log derives from the group names. The permission
``reports.read_reports`` goes to the groups of the roles that read them (auditors, supervisors,
administrators); the list is frozen here (a migration must not follow later code).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READERS = ["auditors", "supervisors", "administrators"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="reports", codename="read_reports")
    for name in READERS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="reports", codename="read_reports").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("disputes", "0003_role_groups"),
        ("reports", "0003_audit_verification_progress"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="exportjob",
            options={
                "default_permissions": ("view",),
                "ordering": ["-requested_at", "-id"],
                "permissions": [("read_reports", "Can read the bank-wide reports and exports")],
                "verbose_name": "export",
                "verbose_name_plural": "exports",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
