"""The Django side of the recommender: models in, ``Document`` and ``Profile`` out, and the
index every web worker serves.

How an index reaches the readers:

* The database keeps a content version (:class:`~newsapp.models.ContentVersion`, bumped by
  triggers in the same transaction as any change to articles, their topics or topics). A
  request learns it in one primary-key read, whatever the size of the corpus.
* Indexes are built by :func:`index_refresh`, in the task worker (``manage.py db_worker``),
  never in a reader's request: when only new articles were published, the current index
  grows by them (``Index.with_documents``: transformed with its vocabulary, no refit); an
  edit, an unpublished article, a change of an article's topics or of a topic refits. The
  result is saved under ``RECOMMENDER_INDEX_DIR`` (memory-mapped by every worker, so they
  share one copy) and named in the version row.
* A request serves the index the row names, loading it when it changed. When the content
  is newer than the index, it queues one refresh (once per version across all workers)
  and goes on with the index it has: readers keep the previous index meanwhile.
* Write paths queue the refresh themselves after their commit (:func:`index_refresh_queue`),
  so the worker starts at once; the request path only catches what came another way.

With the immediate task backend (development and tests) a queued refresh runs at once, in
the same process, so a change shows in the next page as before.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from newsapp import recommender
from newsapp.core.sanitize import strip_sanitised_tags
from newsapp.models import Article, ContentVersion, Topic
from newsapp.recommender import Document, Profile

if TYPE_CHECKING:  # the index (scikit-learn, scipy) loads with the first ranking
    from newsapp.recommender import Index

logger = logging.getLogger(__name__)

# Growth keeps the vocabulary of the last fit: past this share of new articles, refit.
GROWTH_SHARE = 0.2
# A refresh queued this long ago without an index for its version is queued again (the
# worker may have been restarted in the middle).
REQUEUE_AFTER = timedelta(minutes=10)
# Indexes kept on disk besides the current one (workers may still map the previous one).
KEEP_INDEXES = 2
# Written into each saved index by this module: what the refresh compares against.
STATE_FILE = "content.json"
UPDATED_FILE = "updated.npy"


class Served(NamedTuple):
    name: str  # the index's directory under RECOMMENDER_INDEX_DIR
    index: Index


_served: Served | None = None
_lock = threading.Lock()


class VersionRow(NamedTuple):
    version: int
    index_version: int
    index_name: str
    queued: int
    queued_at: datetime | None


# Inside ``one_version_read()``: the row read first, for every later read of the block.
_read_once: ContextVar[list[VersionRow] | None] = ContextVar("version_read_once", default=None)


def version_row() -> VersionRow:
    """The content version and the index that serves it: one primary-key read."""
    memo = _read_once.get()
    if memo:
        return memo[0]
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    found = version_row_of(row) if row else VersionRow(0, -1, "", -1, None)
    if memo is not None:
        memo.append(found)
    return found


# Every page reads the version row: the statement is written once rather than compiled by
# the ORM each time (which cost three times the read). ``VERSION_COLUMNS`` of the row
# ``v``, in the order of ``VersionRow``.
VERSION_COLUMNS = "v.version, v.index_version, v.index_name, v.queued, v.queued_at"
VERSION_FROM = f"FROM {ContentVersion._meta.db_table} v WHERE v.id = 1"
VERSION_SQL = f"SELECT {VERSION_COLUMNS} {VERSION_FROM}"  # nosec B608: constants only


def version_row_of(values: tuple) -> VersionRow:
    """The ``VERSION_COLUMNS`` as a cursor gives them (SQLite's time naive, in UTC)."""
    version, index_version, index_name, queued, queued_at = values
    if queued_at is not None and timezone.is_naive(queued_at):
        queued_at = timezone.make_aware(queued_at, UTC)
    return VersionRow(version, index_version, index_name, queued, queued_at)


def remember_version_row(row: VersionRow) -> None:
    """``row``, read by the caller (beside something else), is the block's version read."""
    memo = _read_once.get()
    if memo is not None and not memo:
        memo.append(row)


@contextmanager
def one_version_read() -> Iterator[None]:
    """The version is read once in the block: a page that writes nothing (a GET) is made
    from one version throughout, the one it is kept under. (A block inside another is
    part of it.)"""
    if _read_once.get() is not None:
        yield
        return
    token = _read_once.set([])
    try:
        yield
    finally:
        _read_once.reset(token)


# -- documents -----------------------------------------------------------------------------
# What ``article_document`` reads: ``for_documents`` loads it with no query per article.
DOCUMENT_FIELDS = ("id", "title", "summary", "body", "published_at", "source__slug", "region__slug")


def document_text(summary: str, body: str) -> str:
    """What the index reads of an article besides its title: the summary and the body's
    text (sanitised HTML, its tags dropped by one expression, its entities read)."""
    return f"{summary}\n{html.unescape(strip_sanitised_tags(body))}"


def for_documents(articles: QuerySet[Article]) -> QuerySet[Article]:
    """``articles`` with what :func:`article_document` reads and nothing more."""
    return (
        articles.select_related("source", "region")
        .prefetch_related("topics")
        .only(*DOCUMENT_FIELDS)
    )


def article_document(article: Article) -> Document:
    """An article as the recommender sees it (from :func:`for_documents`), for topic
    suggestions; :func:`article_documents` makes the same from rows, for the index."""
    return Document(
        id=article.pk,
        title=article.title,
        text=document_text(article.summary, article.body),
        topics=frozenset(topic.slug for topic in article.topics.all()),
        source=article.source.slug if article.source else None,
        published_at=article.published_at,
        region=article.region.slug if article.region else None,
    )


# Wraps the rows as they are read (a tqdm bar in the build command).
Progress = Callable[[Iterator[Any]], Iterable[Any]]


def article_documents(
    ids: Iterable[int] | None = None, progress: Progress | None = None
) -> list[Document]:
    """Every published article as a ``Document`` (only ``ids`` when given), read as plain
    rows in two streaming queries (articles, then their topics); ``progress`` wraps the
    article rows."""
    articles = Article.objects.published()
    if ids is not None:
        articles = articles.filter(pk__in=list(ids))
    tags: dict[int, set[str]] = {}
    through = Article.topics.through.objects.filter(article__in=articles.values("pk"))
    for article_id, slug in through.values_list("article_id", "topic__slug").iterator(5000):
        tags.setdefault(article_id, set()).add(slug)
    rows: Iterator[Any] = (
        articles.order_by("-published_at", "-id")  # newest first: the order ties keep
        .values_list(
            "pk", "title", "summary", "body", "published_at", "source__slug", "region__slug"
        )
        .iterator(chunk_size=2000)
    )
    return [
        Document(
            id=pk,
            title=title,
            text=document_text(summary, body),
            topics=frozenset(tags.get(pk, ())),
            source=source,
            published_at=published_at,
            region=region,
        )
        for pk, title, summary, body, published_at, source, region in (
            progress(rows) if progress else rows
        )
    ]


def topic_keywords() -> dict[str, list[str]]:
    return {
        topic.slug: [*topic.keyword_list, topic.name, topic.description]
        for topic in Topic.objects.only("slug", "name", "keywords", "description")
    }


# -- serving -------------------------------------------------------------------------------
def _directory() -> Path:
    return Path(settings.RECOMMENDER_INDEX_DIR)


def _load(name: str) -> Served | None:
    try:
        return Served(name, recommender.load_index(_directory() / name))
    except (OSError, ValueError, KeyError):
        logger.warning("Recommender index %s is missing or unreadable.", name)
        return None


def get_index() -> Index:
    """The index the version row names, loaded once per worker. One query per request,
    and no build: a newer content only queues a refresh (see the module's docstring)."""
    global _served
    row = version_row()
    served = _served
    if row.index_name and (served is None or served.name != row.index_name):
        # One thread loads; the others keep serving the index they have meanwhile.
        if _lock.acquire(blocking=served is None):
            try:
                if _served is None or _served.name != row.index_name:
                    loaded = _load(row.index_name)
                    if loaded is not None:
                        _served = loaded
            finally:
                _lock.release()
        served = _served
    if row.version > row.index_version and _due(row):
        _queue(row.version)
        served = _served  # the immediate backend (development, tests) refreshed just now
    if served is None:
        # Nothing built yet and no worker has done it (a deploy that skipped `build_index`):
        # the first index is built here, once.
        logger.warning("No recommender index yet: building one in this process.")
        served = index_refresh()
    return served.index


def _due(row: VersionRow) -> bool:
    if row.queued < row.version:
        return True
    return row.queued_at is None or timezone.now() - row.queued_at > REQUEUE_AFTER


def _queue(version: int) -> None:
    """Queue one refresh for ``version``: the conditional update lets one caller through,
    whichever worker or write path gets there first."""
    now = timezone.now()
    claimed = (
        ContentVersion.objects.filter(pk=1, index_version__lt=version)
        .exclude(queued__gte=version, queued_at__gt=now - REQUEUE_AFTER)
        .update(queued=version, queued_at=now)
    )
    if claimed:
        refresh_recommender_index.enqueue()


def index_refresh_queue() -> None:
    """Queue a refresh of the index once the current transaction commits: for the write
    paths (publishing, editing, imports, topic changes), so the worker starts at once."""
    transaction.on_commit(lambda: _queue(version_row().version))


@task()
def refresh_recommender_index() -> int:
    """Bring the index up to the current content (grown or refitted, see
    :func:`index_refresh`) and hand it to every web worker. Returns its size."""
    return len(index_refresh().index)


# -- building ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """What the database holds now, as the refresh compares it with an index."""

    updated: dict[int, float]  # published article -> updated_at (epoch seconds)
    tags: dict[int, frozenset[str]]
    topics: dict[str, list[str]]


def _snapshot() -> Snapshot:
    published = Article.objects.published()
    updated = {pk: at.timestamp() for pk, at in published.values_list("pk", "updated_at")}
    tags: dict[int, set[str]] = {}
    through = Article.topics.through.objects.filter(article__in=published.values("pk"))
    for article_id, slug in through.values_list("article_id", "topic__slug").iterator(5000):
        tags.setdefault(article_id, set()).add(slug)
    return Snapshot(
        updated=updated,
        tags={pk: frozenset(slugs) for pk, slugs in tags.items()},
        topics=topic_keywords(),
    )


def _growth(served: Served, now: Snapshot) -> list[int] | None:
    """The articles to add to ``served`` for it to hold ``now``, or None when only a refit
    will do (something it holds was edited, unpublished or retagged, or a topic changed)."""
    import numpy as np

    index = served.index
    try:
        state = json.loads((_directory() / served.name / STATE_FILE).read_text())
        seen = np.load(_directory() / served.name / UPDATED_FILE)
    except (OSError, ValueError):
        return None
    if state.get("topics") != now.topics or len(seen) != len(index):
        return None
    new = [pk for pk in now.updated if pk not in index.position]
    if len(now.updated) - len(new) != len(index):
        return None  # an article it holds is no longer published
    if len(new) > GROWTH_SHARE * max(len(index), 1000):
        return None
    held = np.fromiter((now.updated[pk] for pk in index.doc_ids), dtype=np.float64)
    if not np.array_equal(held, seen):
        return None  # edited since
    tags = index.tags.tocsr()
    for position, doc_id in enumerate(index.doc_ids):
        start, end = tags.indptr[position], tags.indptr[position + 1]
        slugs = frozenset(index.topics[t] for t in tags.indices[start:end])
        if slugs != now.tags.get(doc_id, frozenset()):  # type: ignore[call-overload]
            return None
    return new


def index_refresh(*, full: bool = False, progress: Progress | None = None) -> Served:
    """An index for the current content, saved and named in the version row: the current
    one grown by the newly published articles when that is all that changed, else a full
    build (always with ``full``). Runs in the task worker; never called by a request
    except for the very first index."""
    global _served
    import numpy as np

    # Read before the articles: the index then holds at least this version.
    row = version_row()
    version = row.version
    current = _served
    if current is None or current.name != row.index_name:
        current = (_load(row.index_name) if row.index_name else None) or current
    if not full and current is not None and row.index_version >= version:
        with _lock:
            _served = current
        return current  # queued twice, or already done by another worker
    now = _snapshot()
    new = None if full or current is None else _growth(current, now)
    if current is not None and new == []:
        index = current.index  # nothing the index reads changed
        name = current.name
    else:
        if current is not None and new:
            index = current.index.with_documents(article_documents(ids=new))
        else:
            index = recommender.build_index(
                article_documents(progress=progress), topic_keywords=topic_keywords()
            )
        name = f"index-{version}-{secrets.token_hex(4)}"
        path = _directory() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        recommender.save_index(index, path)
        seen = [now.updated.get(pk, 0.0) for pk in index.doc_ids]  # type: ignore[call-overload]
        np.save(path / UPDATED_FILE, np.asarray(seen, dtype=np.float64))
        (path / STATE_FILE).write_text(json.dumps({"version": version, "topics": now.topics}))
    ContentVersion.objects.filter(pk=1, index_version__lt=version).update(
        index_version=version, index_name=name
    )
    served = Served(name, index)
    with _lock:
        _served = served
    _prune(keep=name)
    return served


def _prune(*, keep: str) -> None:
    """Delete old indexes; a worker still mapping one keeps reading it (the files live on
    until it lets go)."""
    directory = _directory()
    old = sorted(
        (p for p in directory.glob("index-*") if p.is_dir() and p.name != keep),
        key=lambda p: p.stat().st_mtime,
    )
    for path in old[: max(0, len(old) - KEEP_INDEXES)]:
        shutil.rmtree(path, ignore_errors=True)


def build_now(progress: Progress | None = None) -> tuple[Index, str]:
    """A full build (refit) for the current content, saved for every worker."""
    served = index_refresh(full=True, progress=progress)
    return served.index, str(_directory() / served.name)


def reset_cache() -> None:
    global _served
    _served = None


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
