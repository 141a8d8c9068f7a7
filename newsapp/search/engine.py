"""Ranking and snippets on each engine, with one result shape.

score = relevance x (1 + FRESHNESS_WEIGHT x freshness), where relevance is ``ts_rank`` on
PostgreSQL and BM25 on SQLite (both weigh the title above the summary above the body) and
freshness halves every ``FRESHNESS_HALF_LIFE_HOURS``. Relevance decides; among similar
matches the newer story leads. Multiplying keeps the blend independent of each engine's
scale of relevance.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Func, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Left, Power
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsapp.search.query import ParsedQuery
from newsapp.search.schema import CONFIG, FTS_TABLE

FRESHNESS_WEIGHT = 1.0
FRESHNESS_HALF_LIFE_HOURS = 24.0 * 7
# Private-use characters mark the matched words in the engines' output; the snippet is
# escaped as plain text first and only then are they turned into <mark>.
_START, _STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 30
SNIPPET_SOURCE_CHARS = 2000
# BM25 weights of the FTS5 columns title, summary, body: ts_rank's defaults for A, B, C
# (1.0, 0.4, 0.2) in proportion.
_BM25 = "bm25(newsapp_article_fts, 5.0, 2.0, 1.0)"


class _Epoch(Func):
    """Seconds since 1970 of a timestamp, on both engines."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        )


def _freshness(now: datetime):
    age_hours = (Value(now.timestamp()) - _Epoch(F("published_at"))) / Value(3600.0)
    return Power(Value(0.5), age_hours / Value(FRESHNESS_HALF_LIFE_HOURS))


def _ts_query(query: ParsedQuery) -> SearchQuery:
    return SearchQuery(query.websearch(), search_type="websearch", config=CONFIG)


def matching(articles: QuerySet, query: ParsedQuery) -> QuerySet:
    """``articles`` that match ``query``, unordered (through the index only)."""
    if connection.vendor == "postgresql":
        return articles.filter(search_vector=_ts_query(query))
    return articles.filter(
        id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query.fts5()])
    )


def scored(articles: QuerySet, query: ParsedQuery, *, now: datetime) -> QuerySet:
    """``articles`` (all matching ``query``) best first, with their ``score``."""
    if connection.vendor == "postgresql":
        relevance = SearchRank(F("search_vector"), _ts_query(query))
    else:
        match = query.fts5()
        # BM25 is lower for better matches, and only exists inside a query on the FTS table.
        relevance = RawSQL(
            f"SELECT -{_BM25} FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = newsapp_article.id",
            [match],
            output_field=FloatField(),
        )
    score = relevance * (Value(1.0) + Value(FRESHNESS_WEIGHT) * _freshness(now))
    best_first = ("-score", "-published_at", "-id")
    return articles.annotate(score=score).order_by(*best_first)


def snippets(query: ParsedQuery, ids: Sequence[int]) -> dict[int, SafeString]:
    """The passage of each article's text where the query matched, the words marked."""
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        raw = _postgres_snippets(query, ids)
    else:
        raw = _sqlite_snippets(query, ids)
    return {pk: _marked(text) for pk, text in raw.items() if text}


def _postgres_snippets(query: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
    from newsapp.models import Article

    # The opening of the body, where a story says what it is about: cut first, so the
    # cost is bounded, then its tags out (a tag cut in half at the end as well).
    opening = Func(
        Left(F("body"), SNIPPET_SOURCE_CHARS),
        Value("<[^>]*(>|$)"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    text = Concat(F("summary"), Value(" \n "), opening, output_field=TextField())
    headline = SearchHeadline(
        text,
        _ts_query(query),
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    rows = Article.objects.filter(pk__in=ids).annotate(snippet=headline)
    # The body was HTML: its entities (&amp;) are decoded before the text is escaped again.
    return {pk: html.unescape(snippet) for pk, snippet in rows.values_list("pk", "snippet")}


def _sqlite_snippets(query: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
    marks = f"'{_START}', '{_STOP}', '…', {SNIPPET_WORDS}"
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT rowid, snippet({FTS_TABLE}, 2, {marks}), snippet({FTS_TABLE}, 1, {marks}) "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query.fts5(), *ids])
        rows = cursor.fetchall()
    # The body's passage, unless only the summary matched.
    return {
        pk: summary if _START not in body and _START in summary else body
        for pk, body, summary in rows
    }


def _marked(text: str) -> SafeString:
    text = " ".join(text.split())
    return mark_safe(escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>"))
