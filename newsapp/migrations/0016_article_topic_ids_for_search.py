"""PostgreSQL: each article carries its topics' ids (an integer array, GIN-indexed, kept by
triggers on the topic links), so that a search filtered by topic intersects indexes
instead of joining every link of the topic (newsapp.search.schema). Nothing on SQLite."""

from django.db import migrations


def install(apps, schema_editor):
    from newsapp.search import schema

    schema.install_topic_ids(schema_editor.connection)


def uninstall(apps, schema_editor):
    from newsapp.search import schema

    schema.uninstall_topic_ids(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("newsapp", "0015_search_vector_kept_in_the_row"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
