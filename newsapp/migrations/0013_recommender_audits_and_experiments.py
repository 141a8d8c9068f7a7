"""Exposure audits and ranking experiments (newsapp/audit_models.py), and who may use them."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


# Editors run audits and experiments; privacy officers read them and the record of readers
# leaving experiments. Nobody is given the raw outcome counts: editors see released figures.
EDITOR_PERMS = [
    "view_exposureaudit",
    "add_exposureaudit",
    "view_experiment",
    "add_experiment",
    "change_experiment",
    "delete_experiment",
    "view_experimentarm",
    "add_experimentarm",
    "change_experimentarm",
    "delete_experimentarm",
]
OFFICER_PERMS = ["view_exposureaudit", "view_experiment", "view_experimentarm", "view_experimentchoice"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("newsapp")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="newsapp")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*perms.filter(codename__in=EDITOR_PERMS))
    officers, _ = Group.objects.get_or_create(name="Privacy officers")
    officers.permissions.add(*perms.filter(codename__in=OFFICER_PERMS))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    perms = Permission.objects.filter(
        content_type__app_label="newsapp", codename__in=EDITOR_PERMS + OFFICER_PERMS
    )
    for group in Group.objects.filter(name__in=["Editors", "Privacy officers"]):
        group.permissions.remove(*perms)



class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0007_purposes_from_the_registry'),
        ('newsapp', '0012_saved_articles_and_digest'),
    ]

    operations = [
        migrations.CreateModel(
            name='Experiment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120)),
                ('description', models.TextField(help_text='What it tries, in plain words: readers who take part read this.')),
                ('starts_on', models.DateField()),
                ('ends_on', models.DateField(help_text='The last day it runs; results are judged after it.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-starts_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ExperimentChoice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prev_hash', models.CharField(editable=False, max_length=64)),
                ('hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('subject_pseudonym', models.CharField(db_index=True, max_length=64)),
                ('taking_part', models.BooleanField()),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'choice about ranking experiments',
                'verbose_name_plural': 'choices about ranking experiments',
                'ordering': ['id'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ExperimentArm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Short, e.g. “A” or “Fresher”.', max_length=40)),
                ('description', models.CharField(help_text='What this version does, for the readers who get it.', max_length=200)),
                ('position', models.PositiveSmallIntegerField(default=0, help_text='The first arm is the baseline the others are compared with.')),
                ('half_life_hours', models.FloatField(blank=True, help_text="Freshness half-life in hours; empty: the newsroom's setting.", null=True, validators=[django.core.validators.MinValueValidator(1.0), django.core.validators.MaxValueValidator(8760)])),
                ('exploration', models.CharField(choices=[('reader', 'As the reader chose'), ('off', 'No “Outside your topics” pick')], default='reader', max_length=10)),
                ('experiment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='arms', to='newsapp.experiment')),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ExperimentOutcome',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(db_index=True)),
                ('kind', models.CharField(choices=[('opened', 'Articles opened from the feed'), ('more', '“More like this”'), ('less', '“Less like this”')], max_length=10)),
                ('count', models.PositiveIntegerField(default=0)),
                ('arm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='newsapp.experimentarm')),
            ],
        ),
        migrations.CreateModel(
            name='ExposureAudit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('window_days', models.PositiveSmallIntegerField(help_text='Supply is the articles published in this many days before the audit.')),
                ('page_size', models.PositiveSmallIntegerField(help_text='Articles on a first feed page.')),
                ('sample_limit', models.PositiveIntegerField(help_text='At most this many readers audited.')),
                ('seed', models.BigIntegerField(help_text='Seed of the sample, to repeat it.')),
                ('supply', models.JSONField(help_text='Published articles in the window per source and topic (public counts).')),
                ('release', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='consent.statisticrelease')),
            ],
            options={
                'ordering': ['-created_at'],
                'get_latest_by': 'created_at',
            },
        ),
        migrations.AddConstraint(
            model_name='experimentarm',
            constraint=models.UniqueConstraint(fields=('experiment', 'name'), name='unique_arm_name'),
        ),
        migrations.AddConstraint(
            model_name='experimentoutcome',
            constraint=models.UniqueConstraint(fields=('arm', 'day', 'kind'), name='unique_outcome_count'),
        ),
        migrations.RunPython(grant, revoke),
    ]
