"""The two staff groups: editors run the newsroom, privacy officers audit consent."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NEWS_MODELS = ["article", "topic", "source"]
CONSENT_MODELS = ["consentevent", "privacynotice"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for label in ("newsapp", "consent"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label="newsapp", content_type__model__in=NEWS_MODELS)
    )
    officers, _ = Group.objects.get_or_create(name="Privacy officers")
    officers.permissions.set(
        Permission.objects.filter(
            content_type__app_label="consent",
            content_type__model__in=CONSENT_MODELS,
            codename__startswith="view_",
        )
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Privacy officers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsapp", "0001_initial"),
        ("consent", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
