"""Writes of feed ingestion: import a feed into articles, record how it went, back off.

A feed is fetched outside any transaction (a slow server must not hold a database lock);
its entries are then stored in one transaction together with the source's feed state.
Whatever goes wrong ends as a plain sentence in ``Source.last_error``: one broken feed never
stops the others, and no exception escapes to the caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from newsapp import ranking
from newsapp.coverage import stories_queue
from newsapp.ingest.articles import Matcher, create_article, update_article
from newsapp.ingest.bounds import MAX_TOKENS
from newsapp.ingest.fetch import FeedGone, FetchError, FetchResult, fetch
from newsapp.ingest.parse import ParsedFeed, ParseError, is_shortened, parse
from newsapp.ingest.sources import provisional_name, source_for_url, unique_source_name
from newsapp.ingest.tasks import fetch_lead_images, suggest_topics_for_articles
from newsapp.models import Source

logger = logging.getLogger(__name__)

MAX_ENTRIES = 200  # per fetch; a feed with more is read newest first, the rest left out
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=24)


@dataclass
class FetchReport:
    """What one fetch did, for the command's output and the admin's messages."""

    source: Source
    url: str
    status: str = Source.FetchStatus.OK
    new: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    error: str = ""
    notes: list[str] = field(default_factory=list)
    new_article_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.status != Source.FetchStatus.FAILED

    def line(self) -> str:
        prefix = "[dry run] " if self.dry_run else ""
        name = f"{self.source.name} <{self.url}>"
        if self.status == Source.FetchStatus.FAILED:
            retry = self.source.next_fetch_after if self.source.active else None
            when = f" Next attempt after {retry:%Y-%m-%d %H:%M} UTC." if retry else ""
            return f"{prefix}FAILED {name}: {self.error}{when}"
        if self.status == Source.FetchStatus.NOT_MODIFIED:
            return f"{prefix}unchanged {name}: not modified since the last fetch"
        counts = (
            f"{self.new} new, {self.updated} updated, {self.skipped} skipped, {self.failed} failed"
        )
        notes = f" ({' '.join(self.notes)})" if self.notes else ""
        return f"{prefix}ok {name}: {counts}{notes}"


def backoff_delay(failures: int) -> timedelta:
    """15 minutes after the first failure, doubling each time, at most a day."""
    return min(BACKOFF_BASE * (2 ** max(0, failures - 1)), BACKOFF_MAX)


def sources_due(*, now: datetime | None = None):
    """Active sources with a feed whose backoff, if any, has run out."""
    now = now or timezone.now()
    return (
        Source.objects.filter(active=True)
        .exclude(feed_url="")
        .filter(Q(next_fetch_after__isnull=True) | Q(next_fetch_after__lte=now))
    )


def _store_entries(report: FetchReport, parsed: ParsedFeed, now: datetime) -> None:
    source = report.source
    matcher = Matcher(source, parsed.entries)
    seen: set[str] = set()
    for entry in parsed.entries:
        # A feed listing one entry twice: the first (newest) copy counts, the other is skipped.
        key = entry.guid or entry.link or entry.content_hash
        if key in seen:
            report.skipped += 1
            continue
        seen.add(key)
        try:
            with transaction.atomic():
                article = matcher.find(entry)
                if article is not None:
                    if update_article(article, entry):
                        report.updated += 1
                    else:
                        report.skipped += 1
                    continue
                if entry.content_hash in matcher.elsewhere:
                    report.skipped += 1
                    continue
                article = create_article(source, entry, now)
                matcher.remember(article)
                report.new += 1
                report.new_article_ids.append(article.pk)
        except DatabaseError as error:
            logger.warning("Entry %r of %s not stored: %s", entry.guid, source, error)
            report.failed += 1
            report.notes.append(f"An entry could not be stored ({error}).")
    report.failed += len(parsed.failures)
    report.skipped += parsed.dropped
    if parsed.failures:
        reasons = sorted(set(parsed.failures))
        report.notes.append(
            f"{len(parsed.failures)} entr{'y' if len(parsed.failures) == 1 else 'ies'} "
            f"could not be used: {'; '.join(reasons)}."
        )
    if parsed.dropped:
        report.notes.append(
            f"Only the first {MAX_ENTRIES} entries are imported per fetch; "
            f"{parsed.dropped} were left out."
        )
    shortened = sum(is_shortened(entry.body) for entry in parsed.entries)
    if shortened:
        report.notes.append(
            f"{shortened} entr{'y was' if shortened == 1 else 'ies were'} longer than "
            f"{settings.ARTICLE_BODY_MAX_LENGTH:,} characters and cut short, with a note "
            "saying so at the end."
        )
    if parsed.cut_fields:
        report.notes.append(
            f"{parsed.cut_fields} field{'' if parsed.cut_fields == 1 else 's'} of the feed "
            f"{'was' if parsed.cut_fields == 1 else 'were'} longer than the importer reads "
            "and cut short."
        )
    if parsed.stopped:
        report.notes.append(
            f"The feed holds more than {MAX_TOKENS:,} tags; the importer read only that far."
        )
    if parsed.warning:
        report.notes.append(parsed.warning)
    if not parsed.entries and not parsed.failures:
        report.notes.append("The feed is valid but holds no entries.")


def _record(report: FetchReport, now: datetime, result: FetchResult | None) -> None:
    source = report.source
    source.last_fetched_at = now
    source.last_status = report.status
    source.last_new, source.last_updated = report.new, report.updated
    source.last_skipped, source.last_failed = report.skipped, report.failed
    if report.status == Source.FetchStatus.FAILED:
        source.consecutive_failures += 1
        source.next_fetch_after = now + backoff_delay(source.consecutive_failures)
        source.last_error = report.error
    else:
        source.consecutive_failures = 0
        source.next_fetch_after = None
        source.last_error = " ".join(report.notes)
        if result is not None and result.status == 200:
            source.etag = result.headers.get("etag", "")[:300]
            source.last_modified = result.headers.get("last-modified", "")[:100]
    source.save(
        update_fields=[
            "active",
            "feed_url",
            "last_fetched_at",
            "last_status",
            "last_new",
            "last_updated",
            "last_skipped",
            "last_failed",
            "consecutive_failures",
            "next_fetch_after",
            "last_error",
            "etag",
            "last_modified",
        ]
    )


def feed_import(
    *, source: Source | None = None, url: str = "", dry_run: bool = False
) -> FetchReport:
    """Fetch one feed and store its entries; ``url`` without ``source`` makes a source for it.

    Never raises: every failure ends in the report and on the source, with a backoff.
    With ``dry_run`` nothing is kept, not even the source made for a new ``url``.
    """
    url = (url or (source.feed_url if source else "")).strip()
    now = timezone.now()
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error = ""
    conditional = source is not None and not dry_run
    gone = False
    try:
        result = fetch(
            url,
            etag=source.etag if conditional and source else "",
            last_modified=source.last_modified if conditional and source else "",
        )
        if not result.not_modified:
            parsed = parse(
                result.content,
                content_type=result.headers.get("content-type", ""),
                max_entries=MAX_ENTRIES,
            )
    except (FetchError, ParseError) as exc:
        error = str(exc)
        gone = isinstance(exc, FeedGone)
    except Exception as exc:  # a bug or a library surprise must not stop the other feeds
        logger.exception("Importing %s failed unexpectedly", url)
        error = f"An unexpected problem stopped the import ({type(exc).__name__}: {exc})."

    with transaction.atomic():
        moved_to = result.moved_to if result is not None else ""
        if source is None:
            source = source_for_url(url, moved_to=moved_to)
        report = FetchReport(source=source, url=url, dry_run=dry_run)
        if result is not None and result.redirects and result.url != moved_to:
            report.notes.append(f"Redirected to {result.url}.")
        if parsed is not None and not error:
            try:
                with transaction.atomic():
                    _store_entries(report, parsed, now)
                    _adopt_feed_details(source, parsed)
            except DatabaseError as exc:
                logger.exception("Storing entries of %s failed", url)
                error = f"The entries could not be stored ({exc})."
                report.new_article_ids = []
        if moved_to and not error:
            _follow_move(report, moved_to)
        if error:
            report.status = Source.FetchStatus.FAILED
            report.error = error
            report.new = report.updated = report.skipped = report.failed = 0
            if gone and source.active:
                # Fetching again would only fail again; an editor can switch it back on.
                source.active = False
                report.error += (
                    " The source is switched off; switch it back on in the admin if the feed "
                    "returns."
                )
        elif result is not None and result.not_modified:
            report.status = Source.FetchStatus.NOT_MODIFIED
        _record(report, now, result)
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        report.new_article_ids = []
    return report


def _follow_move(report: FetchReport, moved_to: str) -> None:
    """A feed that moved for good (301 or 308 all the way) is fetched from its new address
    from now on, unless another source already fetches it."""
    source = report.source
    if source.feed_url == moved_to:
        return
    other = Source.objects.filter(feed_url=moved_to).exclude(pk=source.pk).first()
    if other is not None:
        report.notes.append(
            f"The feed has moved for good to {moved_to}, which the source “{other.name}” "
            "already fetches; this source keeps its address until an editor merges the two."
        )
        return
    report.notes.append(
        f"The feed has moved for good to {moved_to}; this source now fetches it from there "
        f"instead of {source.feed_url}."
    )
    source.feed_url = moved_to


def _adopt_feed_details(source: Source, parsed: ParsedFeed) -> None:
    """A source made from a bare URL takes the feed's own title and site address."""
    changed = []
    if parsed.title and source.name == provisional_name(source.feed_url):
        source.name = unique_source_name(parsed.title, exclude_pk=source.pk)
        changed.append("name")
    if parsed.link and not source.site_url:
        source.site_url = parsed.link[:200]
        changed.append("site_url")
    if changed:
        source.save(update_fields=changed)


def feeds_import(*, sources, dry_run: bool = False) -> list[FetchReport]:
    """Import several sources one after another; topic suggestions and the entries'
    pictures follow the commit."""
    reports = [feed_import(source=source, dry_run=dry_run) for source in sources]
    new_ids = [pk for report in reports for pk in report.new_article_ids]
    topic_suggestions_queue(new_ids)
    lead_images_queue(new_ids)
    if not dry_run and any(report.new or report.updated for report in reports):
        ranking.index_refresh_queue()
    if new_ids:
        stories_queue()
    return reports


def lead_images_queue(article_ids: list[int]) -> None:
    """Fetch the new articles' pictures in a task after the commit, never in a page view
    and never inside the transaction that stores the entries."""
    if not article_ids:
        return
    transaction.on_commit(lambda: fetch_lead_images.enqueue(article_ids=article_ids))


def topic_suggestions_queue(article_ids: list[int]) -> None:
    if not article_ids:
        return
    transaction.on_commit(lambda: suggest_topics_for_articles.enqueue(article_ids=article_ids))
