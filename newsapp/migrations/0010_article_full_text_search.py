"""Full-text search kept by the database: a trigger-maintained, GIN-indexed tsvector on
PostgreSQL, an FTS5 table with triggers on SQLite (newsapp.search.schema)."""

import django.contrib.postgres.search
from django.db import migrations


def install(apps, schema_editor):
    from newsapp.search import schema

    schema.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from newsapp.search import schema

    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("newsapp", "0009_shared_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(install, uninstall),
    ]
