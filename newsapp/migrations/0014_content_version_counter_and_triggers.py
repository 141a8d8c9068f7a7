"""The content version: one row, bumped by triggers in the same transaction as any change
to articles, their topics or topics, so that learning "did anything change?" costs one
primary-key read instead of an aggregate over the whole article table.

PostgreSQL bumps once per statement (a bulk insert of 1,000 articles is one bump); SQLite has
only row triggers. Both upsert, so the counter survives a flushed table (tests that truncate).
"""

from django.db import migrations, models

WATCHED = {
    # table: the operations that change what the recommender reads
    "newsapp_article": (
        "INSERT",
        "UPDATE OF title, summary, body, status, published_at, source_id, region_id, updated_at",
        "DELETE",
    ),
    "newsapp_article_topics": ("INSERT", "UPDATE", "DELETE"),
    "newsapp_topic": ("INSERT", "UPDATE", "DELETE"),
}
BUMP = (
    "INSERT INTO newsapp_contentversion (id, version, index_version, index_name, queued) "
    "VALUES (1, 1, -1, '', -1) "
    "ON CONFLICT (id) DO UPDATE SET version = newsapp_contentversion.version + 1"
)


def _name(table: str, operation: str) -> str:
    return f"{table}_{operation.split()[0].lower()}_bumps_content_version"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    execute = schema_editor.execute
    if vendor == "postgresql":
        execute(
            "CREATE OR REPLACE FUNCTION newsapp_bump_content_version() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table, operations in WATCHED.items():
            for operation in operations:
                execute(
                    f"CREATE TRIGGER {_name(table, operation)} AFTER {operation} ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION newsapp_bump_content_version()"
                )
    elif vendor == "sqlite":
        for table, operations in WATCHED.items():
            for operation in operations:
                execute(
                    f"CREATE TRIGGER {_name(table, operation)} AFTER {operation} ON {table} "
                    f"FOR EACH ROW BEGIN {BUMP}; END"
                )
    else:  # pragma: no cover - the two engines the project supports
        raise NotImplementedError(f"No content-version triggers for {vendor}.")
    execute(
        "INSERT INTO newsapp_contentversion (id, version, index_version, index_name, queued) "
        "VALUES (1, 0, -1, '', -1) ON CONFLICT (id) DO NOTHING"
    )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, operations in WATCHED.items():
        for operation in operations:
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, operation)} ON {table}")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, operation)}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS newsapp_bump_content_version()")


class Migration(migrations.Migration):
    dependencies = [
        ("newsapp", "0013_recommender_audits_and_experiments"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
                (
                    "index_version",
                    models.BigIntegerField(
                        default=-1,
                        help_text="The content version the current index was built for.",
                    ),
                ),
                (
                    "index_name",
                    models.CharField(
                        blank=True,
                        help_text="The current index's directory on shared storage.",
                        max_length=100,
                    ),
                ),
                (
                    "queued",
                    models.BigIntegerField(
                        default=-1,
                        help_text="The newest content version a refresh of the index was "
                        "queued for.",
                    ),
                ),
                ("queued_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
