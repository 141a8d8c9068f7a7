"""Feed entries as articles: which article an entry already is, and how it is created or
brought up to date."""

from __future__ import annotations

from datetime import datetime

from django.utils.text import slugify

from newsapp.ingest.parse import Entry
from newsapp.models import Article, Source

SLUG_LENGTH = 80


def unique_article_slug(title: str, content_hash: str) -> str:
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "article"
    for candidate in (base, f"{base}-{content_hash[:8]}", f"{base}-{content_hash[:16]}"):
        if not Article.objects.filter(slug=candidate).exists():
            return candidate
    suffix = 2
    while Article.objects.filter(slug=f"{base}-{content_hash[:8]}-{suffix}").exists():
        suffix += 1
    return f"{base}-{content_hash[:8]}-{suffix}"


class Matcher:
    """Finds the article an entry already is: by GUID, else by link, else by text hash."""

    def __init__(self, source: Source, entries: list[Entry]) -> None:
        own = Article.objects.filter(source=source)
        guids = [e.guid for e in entries if e.guid]
        links = [e.link for e in entries if e.link]
        hashes = [e.content_hash for e in entries]
        self.by_guid = {a.guid: a for a in own.filter(guid__in=guids)} if guids else {}
        self.by_link = {a.original_url: a for a in own.filter(original_url__in=links)}
        self.by_hash = {a.content_hash: a for a in own.filter(content_hash__in=hashes)}
        # The same story already imported from another source is not imported twice.
        self.elsewhere = set(
            Article.objects.filter(content_hash__in=hashes)
            .exclude(source=source)
            .values_list("content_hash", flat=True)
        )

    def find(self, entry: Entry) -> Article | None:
        if entry.guid:
            return self.by_guid.get(entry.guid)
        if entry.link:
            return self.by_link.get(entry.link)
        return self.by_hash.get(entry.content_hash)

    def remember(self, article: Article) -> None:
        if article.guid:
            self.by_guid[article.guid] = article
        if article.original_url:
            self.by_link.setdefault(article.original_url, article)
        self.by_hash.setdefault(article.content_hash, article)


def update_article(article: Article, entry: Entry) -> bool:
    """Bring ``article`` in line with a changed entry; False when nothing changed."""
    if article.content_hash == entry.content_hash and article.title == entry.title:
        return False
    article.title = entry.title
    article.summary = entry.summary
    article.body = entry.body
    article.author = entry.author or article.author
    article.original_url = entry.link or article.original_url
    article.content_hash = entry.content_hash
    article.save(
        update_fields=[
            "title",
            "summary",
            "body",
            "author",
            "original_url",
            "content_hash",
            "updated_at",
        ]
    )
    return True


def create_article(source: Source, entry: Entry, now: datetime) -> Article:
    published_at = min(entry.published_at or now, now)  # a date in the future is a typo
    return Article.objects.create(
        title=entry.title,
        slug=unique_article_slug(entry.title, entry.content_hash),
        summary=entry.summary,
        body=entry.body,
        original_url=entry.link,
        source=source,
        author=entry.author,
        status=Article.Status.PUBLISHED if source.publish_imported else Article.Status.DRAFT,
        published_at=published_at,
        guid=entry.guid,
        content_hash=entry.content_hash,
        imported_at=now,
    )
