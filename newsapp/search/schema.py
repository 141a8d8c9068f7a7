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

The migration installs both; ``ensure_installed`` runs after every ``migrate`` and puts back
what a later migration removed (SQLite drops a table's triggers whenever Django rebuilds the
table to alter a column) and re-reads every article when it had to.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "newsapp_article_fts"
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


def _has_vector_column(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "newsapp_article")
    return any(column.name == "search_vector" for column in columns)
