"""The search selector: published articles matching a query, filtered, ranked, one page of
cards with snippets in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from newsapp.models import Article, Source, Topic
from newsapp.search import engine
from newsapp.search.query import ParsedQuery

PAGE_SIZE = 20
# Relevance decides among the newest this many matches (15 pages): readers refine a search
# rather than read further, and a common word then costs no more than a rare one.
MAX_RESULTS = 300


@dataclass(frozen=True)
class Filters:
    topic: Topic | None = None
    source: Source | None = None
    since: date | None = None  # the form's "from", inclusive
    until: date | None = None  # the form's "to", inclusive


@dataclass
class SearchResult:
    article: Article
    snippet: SafeString | None


class _CappedPaginator(Paginator):
    """Pages of a ranking whose length was counted apart, without the ranking's cost."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _candidates(*, filters: Filters, muted_topics, muted_sources) -> QuerySet:
    articles = Article.objects.published().without_muted(
        topic_ids=[t.pk for t in muted_topics], source_ids=[s.pk for s in muted_sources]
    )
    if filters.topic is not None:
        articles = articles.filter(topics=filters.topic)
    if filters.source is not None:
        articles = articles.filter(source=filters.source)
    if filters.since is not None:
        articles = articles.filter(published_at__gte=_day_start(filters.since))
    if filters.until is not None:
        articles = articles.filter(published_at__lt=_day_start(filters.until + timedelta(days=1)))
    return articles


def search_page(
    *,
    query: ParsedQuery,
    filters: Filters,
    page_number,
    muted_topics=(),
    muted_sources=(),
    per_page: int = PAGE_SIZE,
) -> Page:
    """One page of results: ``page.object_list`` holds ``SearchResult`` items."""
    candidates = _candidates(
        filters=filters, muted_topics=muted_topics, muted_sources=muted_sources
    )
    # The newest MAX_RESULTS matches, through the index: also the count. Only they are
    # ranked, so a word in every other article costs what a rare one does.
    newest = list(
        engine.matching(candidates, query)
        .order_by("-published_at", "-id")
        .values_list("id", flat=True)[:MAX_RESULTS]
    )
    ranked = engine.scored(Article.objects.filter(pk__in=newest), query, now=timezone.now())
    page = _CappedPaginator(ranked.for_cards(), per_page, count=len(newest)).get_page(page_number)
    articles = list(page.object_list)
    marked = engine.snippets(query, [a.pk for a in articles])
    page.object_list = [SearchResult(article=a, snippet=marked.get(a.pk)) for a in articles]
    return page
