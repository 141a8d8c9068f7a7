"""Full-text search over published articles: PostgreSQL's text search in production, SQLite's
FTS5 in the embedded default, the same results and messages on both.

- ``query`` reads what a reader typed (quotes, ``-word``, ``or``) and says what is wrong
  with it in plain words; both engines are given the same reading of it.
- ``schema`` keeps the index current on every write path, with database triggers.
- ``engine`` matches and ranks (relevance blended with freshness); ``snippets`` marks the
  matched words of each result.

Nothing here stores or logs a query.
"""
