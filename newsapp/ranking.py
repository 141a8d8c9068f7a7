"""The Django side of the recommender: models in, ``Document`` and ``Profile`` out.

The index is built once per content version, saved under ``RECOMMENDER_INDEX_DIR`` named
by that version, and kept in memory; every worker on the machine loads the same file
instead of rebuilding, and reloads when the version changes.
"""

import hashlib
import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Q

from newsapp.models import Article, Topic
from newsapp.recommender import Document, Index, Profile, build_index

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, Index] = {}


def content_version() -> str:
    """A short key that changes whenever the published corpus or a topic changes."""
    articles = Article.objects.aggregate(
        published=Count("id", filter=Q(status=Article.Status.PUBLISHED)),
        changed=Max("updated_at"),
    )
    topics = Topic.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    raw = f"{articles['published']}|{articles['changed']}|{topics['count']}|{topics['changed']}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def article_documents() -> list[Document]:
    articles = (
        Article.objects.published()
        .select_related("source", "region")
        .prefetch_related("topics")
        .only("id", "title", "summary", "body", "published_at", "source__slug", "region__slug")
    )
    return [
        Document(
            id=article.pk,
            title=article.title,
            text=f"{article.summary}\n{article.plain_text}",
            topics=frozenset(topic.slug for topic in article.topics.all()),
            source=article.source.slug if article.source else None,
            published_at=article.published_at,
            region=article.region.slug if article.region else None,
        )
        for article in articles.iterator(chunk_size=2000)
    ]


def topic_keywords() -> dict[str, list[str]]:
    return {
        topic.slug: [*topic.keyword_list, topic.name, topic.description]
        for topic in Topic.objects.only("slug", "name", "keywords", "description")
    }


def get_index() -> Index:
    """The index for the current content, from memory, from disk, or freshly built."""
    version = content_version()
    index = _cache.get(version)
    if index is not None:
        return index
    with _lock:
        if version in _cache:
            return _cache[version]
        directory = Path(settings.RECOMMENDER_INDEX_DIR)
        path = directory / f"index-{version}.npz"
        index = None
        if path.exists():
            try:
                index = Index.load(path)
            except (OSError, ValueError, KeyError):
                logger.warning("Recommender index %s is unreadable; rebuilding.", path.name)
        if index is None:
            index = build_index(article_documents(), topic_keywords=topic_keywords())
            directory.mkdir(parents=True, exist_ok=True)
            index.save(path)
        _cache.clear()
        _cache[version] = index
        return index


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
