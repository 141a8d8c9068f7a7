"""PostgreSQL: the articles' titles beside their ids in an index of their own, so that what
names an article by its title for thousands of rows (a reader's export: their history,
their feedback, their saved articles) reads the index alone, not a heap page per article.
Nothing on SQLite, whose primary key is the table itself."""

from django.db import migrations

INDEX = "newsapp_article_title_by_id"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON newsapp_article (id) INCLUDE (title)")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("newsapp", "0016_article_topic_ids_for_search"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
