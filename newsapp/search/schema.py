"""The search index lives in the database and is kept current by triggers, so every write
path (the admin, the importers, ``bulk_create``, ``update()``, a shell, raw SQL) updates it
without any code of ours having to remember.

- PostgreSQL: ``newsapp_article.search_vector`` (a ``tsvector``, GIN-indexed, kept in the
  row rather than in TOAST) is computed by a ``BEFORE INSERT OR UPDATE`` trigger from the
  title (weight A), the summary (B) and the body (C; the English parser drops HTML tags
  and entities by itself).
- SQLite: an FTS5 table ``newsapp_article_fts`` holds the title, summary and the body as
  plain text, one row per article (``rowid`` = article id), written by ``AFTER`` triggers.
  The column ``search_vector`` exists there too but stays empty.

On PostgreSQL each article also carries the ids of its topics (``topic_ids``, an integer
array with a GIN index of its own, kept by statement triggers on the topic links): a search
filtered by topic then finds its matches by intersecting two GIN indexes and the date
index, instead of hashing every link of the topic (tens of thousands at 100,000 articles)
for a few hundred matches. The column is the database's business, like the vector: the
ORM neither reads nor writes it.

The migration installs both; ``ensure_installed`` runs after every ``migrate`` and puts back
what a later migration removed (SQLite drops a table's triggers whenever Django rebuilds the
table to alter a column) and re-reads every article when it had to.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "newsapp_article_fts"
TOPIC_IDS_MIGRATION = "0016_article_topic_ids_for_search"
# PostgreSQL's own English configuration: stemming and stop words (newsapp.search.query
# uses the same stop words to explain a query made only of them).
CONFIG = "pg_catalog.english"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION newsapp_article_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('{CONFIG}', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('{CONFIG}', coalesce(NEW.summary, '')), 'B') ||
        setweight(to_tsvector('{CONFIG}', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$
"""
# Fires when a write names the text columns (any full save() does; save(update_fields=
# ["status"]) does not, and needs no new vector). Naming search_vector itself recomputes it,
# so nothing can store a vector that disagrees with the text.
_PG_TRIGGER = """
CREATE TRIGGER newsapp_article_search_vector
BEFORE INSERT OR UPDATE OF title, summary, body, search_vector ON newsapp_article
FOR EACH ROW EXECUTE FUNCTION newsapp_article_search_vector()
"""
_PG_DROP_TRIGGER = "DROP TRIGGER IF EXISTS newsapp_article_search_vector ON newsapp_article"
# The vector stays in the article's row (compressed if need be), not in the TOAST table:
# every match and every rank reads it, and a TOAST fetch per row was most of a search's
# cost at 100,000 articles. The body, which only a page reads, is still moved out of line.
_PG_STORAGE = "ALTER TABLE newsapp_article ALTER COLUMN search_vector SET STORAGE MAIN"
_PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS newsapp_article_search_gin "
    "ON newsapp_article USING gin (search_vector)"
)

# The topic ids of the articles whose links a statement changed, worked out again from the
# links (one UPDATE per statement: a bulk insert of links is one pass).
_PG_TOPICS_COLUMN = (
    "ALTER TABLE newsapp_article ADD COLUMN IF NOT EXISTS topic_ids integer[] NOT NULL DEFAULT '{}'"
)
_PG_TOPICS_INDEX = (
    "CREATE INDEX IF NOT EXISTS newsapp_article_topic_ids_gin "
    "ON newsapp_article USING gin (topic_ids)"
)
_TOPIC_IDS_OF = (
    "coalesce((SELECT array_agg(l.topic_id ORDER BY l.topic_id) FROM newsapp_article_topics l "
    "WHERE l.article_id = newsapp_article.id), '{}')"
)
_PG_TOPICS_FUNCTIONS = {
    # (function, the transition tables it reads)
    "newsapp_article_topic_ids_added": ("added",),
    "newsapp_article_topic_ids_removed": ("removed",),
    "newsapp_article_topic_ids_changed": ("added", "removed"),
}
_PG_TOPICS_TRIGGERS = {
    # trigger: (event, transition tables, function)
    "newsapp_article_topics_insert_topic_ids": (
        "INSERT",
        "NEW TABLE AS added",
        "newsapp_article_topic_ids_added",
    ),
    "newsapp_article_topics_delete_topic_ids": (
        "DELETE",
        "OLD TABLE AS removed",
        "newsapp_article_topic_ids_removed",
    ),
    "newsapp_article_topics_update_topic_ids": (
        "UPDATE",
        "OLD TABLE AS removed NEW TABLE AS added",
        "newsapp_article_topic_ids_changed",
    ),
}
# (Every piece put into these statements is a constant of this module: nothing comes from
# outside, hence the nosec B608.)
_PG_TOPICS_FILL = f"UPDATE newsapp_article SET topic_ids = {_TOPIC_IDS_OF}"  # nosec B608


def _pg_topics_function(name: str, tables: tuple[str, ...]) -> str:
    """The trigger function ``name`` (a constant above) over the transition ``tables``."""
    changed = " UNION ".join(f"SELECT article_id FROM {table}" for table in tables)  # nosec B608
    body = (
        f"UPDATE newsapp_article SET topic_ids = {_TOPIC_IDS_OF} "  # nosec B608
        f"WHERE newsapp_article.id IN ({changed}); RETURN NULL;"
    )
    return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$"  # noqa: E501  # nosec B608


def _topics_installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)", [list(_PG_TOPICS_TRIGGERS)]
        )
        return cursor.fetchone()[0] == len(_PG_TOPICS_TRIGGERS)


def install_topic_ids(connection: BaseDatabaseWrapper) -> None:
    """PostgreSQL: the articles' ``topic_ids``, its index and triggers (idempotent), filled
    from the links."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_PG_TOPICS_COLUMN)
        for name, tables in _PG_TOPICS_FUNCTIONS.items():
            cursor.execute(_pg_topics_function(name, tables))
        for name, (event, transitions, function) in _PG_TOPICS_TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON newsapp_article_topics")
            cursor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON newsapp_article_topics "
                f"REFERENCING {transitions} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        cursor.execute(_PG_TOPICS_FILL)
        cursor.execute(_PG_TOPICS_INDEX)


def uninstall_topic_ids(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in _PG_TOPICS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON newsapp_article_topics")
        for name in _PG_TOPICS_FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        cursor.execute("ALTER TABLE newsapp_article DROP COLUMN IF EXISTS topic_ids")


_SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
)
# These statements name the FTS table (FTS_TABLE) literally: nothing is interpolated into SQL.
_SQLITE_TRIGGERS = {
    "newsapp_article_fts_insert": """
        CREATE TRIGGER IF NOT EXISTS newsapp_article_fts_insert AFTER INSERT ON newsapp_article
        BEGIN
            INSERT INTO newsapp_article_fts(rowid, title, summary, body)
            VALUES (new.id, new.title, new.summary, newsapp_plain_text(new.body));
        END""",
    "newsapp_article_fts_update": """
        CREATE TRIGGER IF NOT EXISTS newsapp_article_fts_update
        AFTER UPDATE OF title, summary, body ON newsapp_article
        BEGIN
            DELETE FROM newsapp_article_fts WHERE rowid = old.id;
            INSERT INTO newsapp_article_fts(rowid, title, summary, body)
            VALUES (new.id, new.title, new.summary, newsapp_plain_text(new.body));
        END""",
    "newsapp_article_fts_delete": """
        CREATE TRIGGER IF NOT EXISTS newsapp_article_fts_delete AFTER DELETE ON newsapp_article
        BEGIN
            DELETE FROM newsapp_article_fts WHERE rowid = old.id;
        END""",
}
_SQLITE_REFILL = (
    "INSERT INTO newsapp_article_fts(rowid, title, summary, body) "
    "SELECT id, title, summary, newsapp_plain_text(body) FROM newsapp_article"
)


def _installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'newsapp_article_search_vector'"
            )
            return cursor.fetchone()[0] == 1
        names = tuple(_SQLITE_TRIGGERS)
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            names,
        )
        return cursor.fetchone()[0] == len(names)


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index and its triggers (idempotent) and index every article."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            cursor.execute(_PG_DROP_TRIGGER)
            cursor.execute(_PG_TRIGGER)
            cursor.execute(_PG_INDEX)
            cursor.execute(_PG_STORAGE)
            # Setting the vector makes the trigger compute it.
            cursor.execute("UPDATE newsapp_article SET search_vector = NULL")
        elif connection.vendor == "sqlite":
            cursor.execute(_SQLITE_TABLE)
            for sql in _SQLITE_TRIGGERS.values():
                cursor.execute(sql)
            cursor.execute(f"DELETE FROM {FTS_TABLE}")  # nosec B608: a constant name
            cursor.execute(_SQLITE_REFILL)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_DROP_TRIGGER)
            cursor.execute("DROP FUNCTION IF EXISTS newsapp_article_search_vector()")
            cursor.execute("DROP INDEX IF EXISTS newsapp_article_search_gin")
        elif connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def ensure_installed(sender, using="default", plan=None, **kwargs) -> None:
    """``post_migrate``: put the triggers back if a migration dropped them, and re-index."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor not in {"postgresql", "sqlite"}:
        return
    tables = connection.introspection.table_names()
    if "newsapp_article" not in tables or not _has_vector_column(connection):
        return  # migrated backwards past the search migration
    if not _installed(connection):
        install(connection)
    if (
        connection.vendor == "postgresql"
        and _migrated_past_topic_ids(connection)
        and not _topics_installed(connection)
    ):
        install_topic_ids(connection)


def _migrated_past_topic_ids(connection: BaseDatabaseWrapper) -> bool:
    """Whether the migration that installs ``topic_ids`` is applied (not rolled back)."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    return ("newsapp", TOPIC_IDS_MIGRATION) in applied


def _has_vector_column(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "newsapp_article")
    return any(column.name == "search_vector" for column in columns)
