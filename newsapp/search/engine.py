"""Matching and ranking on each engine, with one result shape.

score = relevance x (1 + FRESHNESS_WEIGHT x freshness), where relevance is ``ts_rank`` on
PostgreSQL and BM25 on SQLite (both weigh the title above the summary above the body) and
freshness halves every ``FRESHNESS_HALF_LIFE_HOURS``. Relevance decides; among similar
matches the newer story leads. Multiplying keeps the blend independent of each engine's
scale of relevance.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, IntegerField, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Power

from newsapp.core.pagecache import RecentValues
from newsapp.models import Article, Topic
from newsapp.search.query import ParsedQuery
from newsapp.search.schema import CONFIG, FTS_TABLE

FRESHNESS_WEIGHT = 1.0
FRESHNESS_HALF_LIFE_HOURS = 24.0 * 7
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


def about_topic(articles: QuerySet, topic) -> QuerySet:
    """``articles`` filed under ``topic``: on PostgreSQL through the articles' own GIN-indexed
    topic ids (``newsapp.search.schema``), which the planner intersects with the text and
    date indexes; elsewhere through the links."""
    if connection.vendor == "postgresql":
        filed = '"newsapp_article"."topic_ids" @> ARRAY[%s]::integer[]'
        return articles.filter(RawSQL(filed, [topic.pk], BooleanField()))  # nosec B611
    return articles.filter(topics=topic)


def matching(articles: QuerySet, query: ParsedQuery) -> QuerySet:
    """``articles`` that match ``query``, unordered (through the index only)."""
    if connection.vendor == "postgresql":
        return articles.filter(search_vector=_ts_query(query))
    return articles.filter(
        # nosec B611 B608: the table name is a constant; the query is a parameter.
        id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query.fts5()])  # nosec B611 B608
    )


def scored(articles: QuerySet, query: ParsedQuery, *, now: datetime) -> QuerySet:
    """``articles`` (all matching ``query``) best first, with their ``score``."""
    if connection.vendor == "postgresql":
        relevance = SearchRank(F("search_vector"), _ts_query(query))
    else:
        match = query.fts5()
        # BM25 is lower for better matches, and only exists inside a query on the FTS table.
        relevance = RawSQL(  # nosec B611 B608: constants only; the query is a parameter
            f"SELECT -{_BM25} FROM {FTS_TABLE} "  # nosec B608
            f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = newsapp_article.id",
            [match],
            output_field=FloatField(),
        )
    score = relevance * (Value(1.0) + Value(FRESHNESS_WEIGHT) * _freshness(now))
    best_first = ("-score", "-published_at", "-id")
    return articles.annotate(score=score).order_by(*best_first)


# The topics by id, read again after a minute or two (or at once when an article names
# one not among them): the cards of a page of results name theirs from it.
_recent_topics = RecentValues(size=1)


def cards(articles: QuerySet) -> QuerySet:
    """``articles`` with what a card shows. On PostgreSQL each row brings its topics' ids
    (``about_topic``), named by ``topics_named`` without a query over the topic links."""
    if connection.vendor != "postgresql":
        return articles.for_cards()
    topic_ids = RawSQL('"newsapp_article"."topic_ids"', (), output_field=ArrayField(IntegerField()))
    return articles.for_cards().prefetch_related(None).annotate(card_topic_ids=topic_ids)


def topics_named(articles: list[Article]) -> list[Article]:
    """``articles`` of ``cards`` with their topics where the card reads them (as
    ``for_cards`` prefetches them: Topic rows in the topics' order)."""
    if connection.vendor != "postgresql":
        return articles
    wanted = {t for article in articles for t in article.card_topic_ids}
    topics = _topics_by_id()
    if not wanted <= topics.keys():  # a topic made since: read them all again
        _recent_topics.clear()
        topics = _topics_by_id()
    for article in articles:
        found = sorted(
            (topics[t] for t in article.card_topic_ids if t in topics), key=lambda t: t.name
        )
        named = Topic.objects.all()
        named._result_cache, named._prefetch_done = found, True
        article._prefetched_objects_cache = {"topics": named}
    return articles


def _topics_by_id() -> dict[int, Topic]:
    found = _recent_topics.get(
        "topics", lambda: {t.pk: t for t in Topic.objects.only("id", "name", "slug")}
    )
    return found  # type: ignore[return-value]
