"""The Django side of the recommender: models in, ``Document`` and ``Profile`` out.

The index is built once per content version, saved under ``RECOMMENDER_INDEX_DIR`` named
by that version, and kept in memory; every worker on the machine loads the same file
instead of rebuilding, and reloads when the version changes. When the only change is
newly published articles, the index in memory grows by transforming them with its
vocabulary (no refit), so a new article ranks within a request; edits, unpublishing and
topic changes trigger a full build (``manage.py build_index`` does one ahead of time).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet

from newsapp import recommender
from newsapp.models import Article, Topic
from newsapp.recommender import Document, Profile

if TYPE_CHECKING:  # the index (scikit-learn, scipy) loads with the first ranking
    from newsapp.recommender import Index

logger = logging.getLogger(__name__)

_lock = threading.Lock()


@dataclass(frozen=True)
class ContentStamp:
    published: int
    changed: datetime | None
    topics: tuple

    @property
    def version(self) -> str:
        raw = f"{self.published}|{self.changed}|{self.topics[0]}|{self.topics[1]}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


_cache: dict[str, tuple[Index, ContentStamp]] = {}


def content_stamp() -> ContentStamp:
    articles = Article.objects.aggregate(
        published=Count("id", filter=Q(status=Article.Status.PUBLISHED)),
        changed=Max("updated_at"),
    )
    topics = Topic.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    return ContentStamp(
        published=articles["published"],
        changed=articles["changed"],
        topics=(topics["count"], topics["changed"]),
    )


# What ``article_document`` reads: ``for_documents`` loads it with no query per article.
DOCUMENT_FIELDS = ("id", "title", "summary", "body", "published_at", "source__slug", "region__slug")


def for_documents(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` with what :func:`article_document` reads and nothing more."""
    return (
        articles.select_related("source", "region")
        .prefetch_related("topics")
        .only(*DOCUMENT_FIELDS)
    )


def article_document(article: Article) -> Document:
    """An article as the recommender sees it (from :func:`for_documents`): the one adapter
    from the model to ``Document``, for the index and for topic suggestions alike."""
    return Document(
        id=article.pk,
        title=article.title,
        text=f"{article.summary}\n{article.plain_text}",
        topics=frozenset(topic.slug for topic in article.topics.all()),
        source=article.source.slug if article.source else None,
        published_at=article.published_at,
        region=article.region.slug if article.region else None,
    )


# Wraps the rows as they are read (a tqdm bar in the build command).
Progress = Callable[[Iterator[Article]], Iterable[Article]]


def article_documents(
    ids: Iterable[int] | None = None, progress: Progress | None = None
) -> list[Document]:
    """Every published article as a ``Document`` (only ``ids`` when given); ``progress``
    wraps the row iterator (a tqdm bar in the build command)."""
    articles = Article.objects.published()
    if ids is not None:
        articles = articles.filter(pk__in=ids)
    rows = for_documents(articles).iterator(chunk_size=2000)
    return [article_document(article) for article in (progress(rows) if progress else rows)]


def topic_keywords() -> dict[str, list[str]]:
    return {
        topic.slug: [*topic.keyword_list, topic.name, topic.description]
        for topic in Topic.objects.only("slug", "name", "keywords", "description")
    }


def _grown(previous: tuple[Index, ContentStamp], stamp: ContentStamp) -> Index | None:
    """``previous`` plus the articles published since, or None when more than that changed."""
    index, old = previous
    if stamp.topics != old.topics or old.changed is None or stamp.published <= old.published:
        return None
    changed = list(Article.objects.filter(updated_at__gt=old.changed).values_list("pk", "status"))
    if any(pk in index.position for pk, _ in changed):
        return None  # a ranked article was edited or unpublished: refit
    new = [pk for pk, status in changed if status == Article.Status.PUBLISHED]
    if old.published + len(new) != stamp.published:
        return None
    # A new index: readers of the old one in other threads are unaffected.
    return index.with_documents(article_documents(ids=new))


def get_index() -> Index:
    """The index for the current content, from memory, from disk, grown from the previous
    one, or freshly built."""
    stamp = content_stamp()
    version = stamp.version
    cached = _cache.get(version)
    if cached is not None:
        return cached[0]
    with _lock:
        if version in _cache:
            return _cache[version][0]
        directory = Path(settings.RECOMMENDER_INDEX_DIR)
        path = directory / f"index-{version}.npz"
        index = None
        if path.exists():
            try:
                index = recommender.load_index(path)
            except (OSError, ValueError, KeyError):
                logger.warning("Recommender index %s is unreadable; rebuilding.", path.name)
        if index is None and _cache:
            index = _grown(next(iter(_cache.values())), stamp)
        if index is None:
            index = recommender.build_index(article_documents(), topic_keywords=topic_keywords())
        if not path.exists():
            directory.mkdir(parents=True, exist_ok=True)
            recommender.save_index(index, path)
        _cache.clear()
        _cache[version] = (index, stamp)
        return index


def build_now(progress: Progress | None = None) -> tuple[Index, str]:
    """A full build (refit) for the current content, saved for every worker."""
    stamp = content_stamp()
    index = recommender.build_index(
        article_documents(progress=progress), topic_keywords=topic_keywords()
    )
    directory = Path(settings.RECOMMENDER_INDEX_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"index-{stamp.version}.npz"
    recommender.save_index(index, path)
    with _lock:
        _cache.clear()
        _cache[stamp.version] = (index, stamp)
    return index, str(path)


def reset_cache() -> None:
    _cache.clear()


def profile_for(
    *,
    follows,
    keywords,
    muted_topics,
    muted_sources,
    liked=(),
    disliked=(),
    history=(),
    region=None,
    explore=True,
) -> Profile:
    """A ``Profile`` from stated preferences (follows are (slug, weight) pairs), plus the
    reading history and region the reader allowed, when they did."""
    return Profile(
        topics={slug: float(weight) for slug, weight in follows},
        keywords=tuple(keywords),
        muted_topics=frozenset(muted_topics),
        muted_sources=frozenset(muted_sources),
        liked=tuple(liked),
        disliked=tuple(disliked),
        history=tuple(history),
        region=region,
        explore=explore,
    )
