"""Editors may view and release the statistics; privacy officers may view them (audit)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("consent")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="consent", content_type__model="statisticrelease"
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*perms.filter(codename__in=["view_statisticrelease", "add_statisticrelease"]))
    officers, _ = Group.objects.get_or_create(name="Privacy officers")
    officers.permissions.add(*perms.filter(codename="view_statisticrelease"))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    perms = Permission.objects.filter(content_type__model="statisticrelease")
    for group in Group.objects.filter(name__in=["Editors", "Privacy officers"]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_statistic_releases"), ("consent", "0003_privacy_officer_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
