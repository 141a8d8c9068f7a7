"""Feed entries as articles: which article an entry already is, and how it is created or
brought up to date."""

from __future__ import annotations

from datetime import datetime

from django.utils.text import slugify

from newsapp.ingest.parse import Entry
from newsapp.models import Article, Source

SLUG_LENGTH = 80


class ArticleSlugs:
    """The one slug allocator for imported articles: the title's slug, else with the first 8
    and then 16 characters of the text hash, else with a counter. Made for a batch
    (``expect`` loads which candidates are taken in one query per 2,000), so a bulk import
    does not ask once per article, and a slug is never given twice in the batch."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.checked: set[str] = set()  # candidates whose state in the database is known

    def expect(self, pairs: list[tuple[str, str]]) -> ArticleSlugs:
        """Look up at once which candidates of these (title, content hash) pairs are taken."""
        candidates = [c for pair in pairs for c in _candidates(*pair) if c not in self.checked]
        for start in range(0, len(candidates), 2000):
            chunk = candidates[start : start + 2000]
            self.taken.update(Article.objects.filter(slug__in=chunk).values_list("slug", flat=True))
            self.checked.update(chunk)
        return self

    def _free(self, candidate: str) -> bool:
        if candidate not in self.checked:
            self.checked.add(candidate)
            if Article.objects.filter(slug=candidate).exists():
                self.taken.add(candidate)
        return candidate not in self.taken

    def allocate(self, title: str, content_hash: str) -> str:
        candidates = _candidates(title, content_hash)
        slug = next((c for c in candidates if self._free(c)), None)
        suffix = 2
        while slug is None:
            if self._free(f"{candidates[1]}-{suffix}"):
                slug = f"{candidates[1]}-{suffix}"
            suffix += 1
        self.taken.add(slug)
        return slug


def _candidates(title: str, content_hash: str) -> list[str]:
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "article"
    return [base, f"{base}-{content_hash[:8]}", f"{base}-{content_hash[:16]}"]


def unique_article_slug(title: str, content_hash: str) -> str:
    return ArticleSlugs().allocate(title, content_hash)


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
        # The picture itself is fetched after the commit (ingest.tasks.fetch_lead_images).
        image_url=entry.image_url,
        image_alt=entry.image_alt,
        image_credit=entry.image_credit,
    )
