"""Bulk-load articles from JSON Lines: one object a line with ``id``, ``title``, ``body`` and
optionally ``topic`` (a name or slug, or a list of them), ``source`` (a name) and ``date``.

Records are written in batches, one transaction each, with bulk inserts. A record's ``id``
becomes the article's GUID within its source, so running the same file again updates what
changed and adds nothing twice. A record with the same text as an article already loaded
(one story filed under two topics, or the same story from two sources) adds its topic to
that article instead of becoming a second copy.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from newsapp.ingest.articles import ArticleSlugs
from newsapp.ingest.parse import (
    GUID_LENGTH,
    SUMMARY_LENGTH,
    TITLE_LENGTH,
    body_html,
    content_hash,
    plain_text,
    shorten,
)
from newsapp.ingest.sources import unique_source_slug
from newsapp.models import Article, Source, Topic

BATCH_SIZE = 1000
MAX_ERRORS_LISTED = 20


class JsonlError(Exception):
    """The file cannot be read at all."""


@dataclass
class JsonlReport:
    read: int = 0
    new: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    failed: int = 0
    topics_created: list[str] = field(default_factory=list)
    sources_created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N: reason"
    new_untagged_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, line: int, reason: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append(f"line {line}: {reason}")


@dataclass
class _Record:
    line: int
    guid: str
    title: str
    body: str
    summary: str
    topics: list[str]
    source: str
    published_at: datetime | None
    content_hash: str


def open_lines(path: Path) -> Iterator[bytes]:
    """The lines of a plain or gzip-compressed file (recognised by its first bytes)."""
    try:
        with path.open("rb") as probe:
            compressed = probe.read(2) == b"\x1f\x8b"
        opener = gzip.open if compressed else open
        with opener(path, "rb") as handle:
            yield from handle
    except (OSError, EOFError) as error:
        raise JsonlError(f"Cannot read {path}: {error}") from error


def count_lines(path: Path) -> int:
    return sum(1 for _ in open_lines(path))


def _date(value) -> datetime | None:
    if not value:
        return None
    if not isinstance(value, str):
        raise ValueError("date must be text such as 2024-05-01")
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(f"date {value[:40]!r} is not an ISO date")
        parsed = datetime.combine(day, dt_time(12, 0))
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _record(line_no: int, raw: bytes) -> _Record | None:
    """One line as a record; None for a blank line; ValueError saying what is wrong."""
    if not raw.strip():
        return None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    guid = data.get("id")
    if isinstance(guid, int | float) and not isinstance(guid, bool):
        guid = str(guid)
    if not isinstance(guid, str) or not guid.strip():
        raise ValueError('missing "id"')
    title, body = data.get("title"), data.get("body")
    if not isinstance(title, str) or not plain_text(title):
        raise ValueError('missing "title"')
    if not isinstance(body, str):
        raise ValueError('missing "body"')
    topics = data.get("topic") or []
    if isinstance(topics, str):
        topics = [topics]
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ValueError('"topic" must be a name or a list of names')
    source = data.get("source") or ""
    if not isinstance(source, str):
        raise ValueError('"source" must be text')
    html = body_html(body)
    text = plain_text(html)
    title = shorten(plain_text(title), TITLE_LENGTH)
    return _Record(
        line=line_no,
        guid=guid.strip()[:GUID_LENGTH],
        title=title,
        body=html,
        summary=shorten(text, SUMMARY_LENGTH),
        topics=[t.strip() for t in topics if t.strip()],
        source=source.strip()[:120],
        published_at=_date(data.get("date")),
        content_hash=content_hash(title, text),
    )


class _Loader:
    def __init__(self, report: JsonlReport, *, publish: bool, now: datetime) -> None:
        self.report = report
        self.publish = publish
        self.now = now
        self.topics = {t.slug: t for t in Topic.objects.all()}
        self.topic_names = {t.name.casefold(): t for t in self.topics.values()}
        self.sources: dict[str, Source | None] = {"": None}

    def topic(self, value: str) -> Topic:
        slug = slugify(value.replace("_", "-"))[:80]
        found = self.topics.get(slug) or self.topic_names.get(value.casefold())
        if found is None:
            name = value.replace("_", " ").replace("-", " ").strip().capitalize()[:80]
            found, _ = Topic.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "description": f"{name}: articles filed under this topic by their source.",
                },
            )
            self.report.topics_created.append(found.name)
            self.topics[slug] = found
            self.topic_names[found.name.casefold()] = found
        return found

    def source(self, name: str) -> Source | None:
        if name not in self.sources:
            source = Source.objects.filter(name=name).first()
            if source is None:
                source = Source.objects.create(name=name, slug=unique_source_slug(name))
                self.report.sources_created.append(name)
            self.sources[name] = source
        return self.sources[name]

    def status(self, source: Source | None) -> str:
        published = self.publish or (source is not None and source.publish_imported)
        return Article.Status.PUBLISHED if published else Article.Status.DRAFT

    @transaction.atomic
    def load(self, records: list[_Record]) -> None:
        report = self.report
        keyed = [(self.source(r.source), r) for r in records]
        existing = {
            (a.source_id, a.guid): a
            for a in Article.objects.filter(guid__in={r.guid for r in records}).only(
                "id", "guid", "source_id", "content_hash", "title"
            )
        }
        # The same text from any source is the same story (filed twice, or syndicated).
        by_text: dict[str, Article | int] = dict(
            Article.objects.filter(content_hash__in={r.content_hash for r in records})
            .order_by("pk")
            .values_list("content_hash", "pk")
        )
        slugs = ArticleSlugs().expect([(r.title, r.content_hash) for _, r in keyed])

        to_create: list[tuple[Article, _Record]] = []
        to_update: list[Article] = []
        # (article or its id, topic id): new articles get their id only when inserted.
        tags: list[tuple[Article | int, int]] = []
        for source, r in keyed:
            source_id = source.pk if source else None
            topic_ids = [self.topic(t).pk for t in r.topics]
            article = existing.get((source_id, r.guid))
            if article is not None:
                if article.content_hash != r.content_hash or article.title != r.title:
                    article.title, article.body, article.summary = r.title, r.body, r.summary
                    article.content_hash = r.content_hash
                    if r.published_at:
                        article.published_at = r.published_at
                    to_update.append(article)
                    report.updated += 1
                else:
                    report.skipped += 1
                tags += [(article.pk, t) for t in topic_ids]
                continue
            twin = by_text.get(r.content_hash)
            if twin is not None:
                report.merged += 1
                tags += [(twin, t) for t in topic_ids]
                continue
            slug = slugs.allocate(r.title, r.content_hash)
            status = self.status(source)
            article = Article(
                title=r.title,
                slug=slug,
                summary=r.summary,
                body=r.body,
                source=source,
                status=status,
                published_at=r.published_at or self.now,
                guid=r.guid,
                content_hash=r.content_hash,
                imported_at=self.now,
            )
            to_create.append((article, r))
            by_text.setdefault(r.content_hash, article)
            existing[(source_id, r.guid)] = article
            tags += [(article, t) for t in topic_ids]
            report.new += 1

        Article.objects.bulk_create([a for a, _ in to_create], batch_size=500)
        if any(a.pk is None for a, _ in to_create):  # backends that return no ids
            ids = dict(
                Article.objects.filter(slug__in=[a.slug for a, _ in to_create]).values_list(
                    "slug", "pk"
                )
            )
            for article, _ in to_create:
                article.pk = ids[article.slug]
        Article.objects.bulk_update(
            to_update, ["title", "body", "summary", "content_hash", "published_at"], 500
        )
        if to_update:
            Article.objects.filter(pk__in=[a.pk for a in to_update]).update(updated_at=self.now)
        through = Article.topics.through
        rows = {(a.pk if isinstance(a, Article) else a, t) for a, t in tags}
        through.objects.bulk_create(
            [through(article_id=a, topic_id=t) for a, t in rows],
            batch_size=1000,
            ignore_conflicts=True,
        )
        tagged = {a for a, _ in rows}
        report.new_untagged_ids += [a.pk for a, _ in to_create if a.pk not in tagged]


def jsonl_import(
    *,
    path: Path,
    publish: bool = False,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> JsonlReport:
    """Load ``path`` (plain or .gz); JsonlError when the file cannot be read at all."""
    started = time.perf_counter()
    report = JsonlReport()
    now = timezone.now()
    # Each batch commits on its own; a dry run wraps them all in one transaction undone at the end.
    with transaction.atomic() if dry_run else nullcontext():
        loader = _Loader(report, publish=publish, now=now)
        batch: list[_Record] = []
        for line_no, raw in enumerate(open_lines(Path(path)), start=1):
            try:
                record = _record(line_no, raw)
            except ValueError as error:
                report.read += 1
                report.fail(line_no, str(error))
                record = None
            else:
                if record is not None:
                    report.read += 1
                    batch.append(record)
            if len(batch) >= batch_size:
                loader.load(batch)
                batch = []
            if progress:
                progress(1)
        if batch:
            loader.load(batch)
        if dry_run:
            transaction.set_rollback(True)
            report.new_untagged_ids = []
    report.seconds = time.perf_counter() - started
    return report
