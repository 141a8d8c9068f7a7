"""Privacy officers may read the request log, the staff access log and the checkpoints."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["datarequest", "accessrecord", "ledgercheckpoint"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("consent")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    officers, _ = Group.objects.get_or_create(name="Privacy officers")
    officers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="consent",
            content_type__model__in=MODELS,
            codename__startswith="view_",
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    officers = Group.objects.filter(name="Privacy officers").first()
    if officers:
        officers.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="consent", content_type__model__in=MODELS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_requests_access_checkpoints"),
        ("newsapp", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
