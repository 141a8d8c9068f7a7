"""The search selector: published articles matching a query, filtered, ranked, one page of
cards with snippets in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from time import monotonic as _monotonic

from django.core.paginator import Page, Paginator
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from newsapp.models import Article, Source, Topic
from newsapp.search import engine, snippets
from newsapp.search.query import ParsedQuery

PAGE_SIZE = 20
# Relevance decides among the newest this many matches (5 pages): readers refine a search
# rather than read further, and a common word then costs no more than a rare one. (Each
# match is ranked: at 300, ranking was a third of a search's time at 100,000 articles.)
MAX_RESULTS = 100
# The newest matches are looked for among the newest this many articles first, then in a
# wider window, then everywhere: through the text index and the date index together, a
# common word is found among a few thousand rows and a rare one in its own few. (Reading
# the date index alone, newest first, tested the text of every row it passed.)
WINDOWS = (2_000, 10_000, 50_000)
# Where each window starts moves slowly; any start gives the same results (see
# ``_newest_matches``), so one read serves a process for this long.
WINDOW_SECONDS = 300.0
_window_starts: dict[int, tuple[float, datetime | None]] = {}


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
        articles = engine.about_topic(articles, filters.topic)
    if filters.source is not None:
        articles = articles.filter(source=filters.source)
    if filters.since is not None:
        articles = articles.filter(published_at__gte=_day_start(filters.since))
    if filters.until is not None:
        articles = articles.filter(published_at__lt=_day_start(filters.until + timedelta(days=1)))
    return articles


def _window_start(size: int) -> datetime | None:
    """When the ``size``-th newest published article came out (None: there are fewer)."""
    now = _monotonic()
    cached = _window_starts.get(size)
    if cached is not None and cached[0] > now:
        return cached[1]
    found = list(
        Article.objects.published()
        .order_by("-published_at")
        .values_list("published_at", flat=True)[size - 1 : size]
    )
    start = found[0] if found else None
    _window_starts[size] = (now + WINDOW_SECONDS, start)
    return start


def _newest_matches(candidates: QuerySet, query: ParsedQuery) -> list[int]:
    """Ids of the newest ``MAX_RESULTS`` candidates matching ``query``, newest first.

    A window's answer is the answer as soon as it holds ``MAX_RESULTS`` matches: every
    article outside it is older than every article inside. Otherwise the next, wider
    window is searched (the first one that should hold enough at the density found so
    far), and at last every article."""
    # Ordered by an expression, so that the planner finds the matches through the text
    # index (and the date index for a window) rather than walk the date index newest first
    # and test the text of every row it passes: a rare phrase of common words met only a
    # few in tens of thousands of rows that way.
    matching = (
        engine.matching(candidates, query)
        .annotate(
            when=ExpressionWrapper(F("published_at") + timedelta(0), output_field=DateTimeField())
        )
        .order_by("-when", "-id")
    )
    size: int | None = WINDOWS[0]
    while size is not None:
        start = _window_start(size)
        if start is None:
            break  # fewer articles than the window: search them all
        ids = list(
            matching.filter(published_at__gte=start).values_list("id", flat=True)[:MAX_RESULTS]
        )
        if len(ids) >= MAX_RESULTS:
            return ids
        # The next window expected to hold enough at this density; else everything.
        size = next(
            (w for w in WINDOWS if w > size and len(ids) * w >= 1.5 * MAX_RESULTS * size), None
        )
    return list(matching.values_list("id", flat=True)[:MAX_RESULTS])  # everywhere


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
    # The newest MAX_RESULTS matches: also the count. Only they are ranked, so a word in
    # every other article costs what a rare one does.
    newest = _newest_matches(candidates, query)
    ranked = engine.scored(Article.objects.filter(pk__in=newest), query, now=timezone.now())
    paginator = _CappedPaginator(engine.cards(ranked), per_page, count=len(newest))
    page = paginator.get_page(page_number)
    articles = engine.topics_named(list(page.object_list))
    highlighter = snippets.Highlighter(query)
    page.object_list = [
        SearchResult(article=a, snippet=highlighter.snippet(a.summary, a.body)) for a in articles
    ]
    return page
