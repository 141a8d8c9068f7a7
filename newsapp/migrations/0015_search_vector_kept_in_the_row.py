"""The search vector is stored in the article's row (STORAGE MAIN) instead of TOAST, and
every vector is written again so existing rows move too (newsapp.search.schema)."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from newsapp.search import schema

    if schema_editor.connection.vendor == "postgresql":
        schema.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("newsapp", "0014_content_version_counter_and_triggers"),
    ]

    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
