"""The exposure audit on the newsroom's own data, and each reader's side of it.

Editors get ``exposure_audit_run``: the first feed page of every reader who allowed
statistics (a seeded sample when there are many), tallied by ``newsapp.audit`` and released
once through ``consent.dp`` with noise and a charge on the day's budget; only the noisy
figures are kept, beside the newsroom's supply, which is public. Readers get
``reader_comparison``: their own first page against the same supply, computed from their
own profile when they open their privacy page and shown to them only (its counts kept a
few minutes, while nothing it was ranked from changes).

The audit ranks with the newsroom's default settings (no experiment arm): it audits the
recommender, not an experiment.
"""

import dataclasses
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from consent import dp
from consent.pseudonyms import keyed_digest
from consent.selectors import users_consenting_to
from newsapp import audit, ranking, selectors
from newsapp.charts import Chart, Pair, paired_bars, percent
from newsapp.experiments import FeedTuning
from newsapp.models import Article, ExposureAudit, ReaderPreferences, Source, Topic, TopicFollow
from newsapp.purposes import ANALYTICS
from newsapp.recommender import Profile

STATISTIC_CODE = "exposure_audit"
SUPPLY_CACHE_SECONDS = 300
UNTAGGED_NAME = "No topic (untagged)"


def _topics_per_article() -> int:
    return settings.DP_MAX_TOPICS_PER_ARTICLE


def article_facts(
    *, published_after: datetime | None = None, ids: Iterable[int] | None = None
) -> dict[int, audit.ArticleFacts]:
    """Source and topics (at most ``DP_MAX_TOPICS_PER_ARTICLE``, by slug) of every
    published article, of those published after a moment, or of ``ids``; two queries."""
    articles = Article.objects.published()
    if published_after is not None:
        articles = articles.filter(published_at__gt=published_after)
    if ids is not None:
        articles = articles.filter(pk__in=list(ids))
    sources = dict(articles.values_list("id", "source__slug"))
    topics: dict[int, list[str]] = defaultdict(list)
    tags = Article.topics.through.objects.filter(article__in=articles.values("id"))
    for article_id, slug in tags.values_list("article_id", "topic__slug").order_by(
        "article_id", "topic__slug"
    ):
        topics[article_id].append(slug)
    cap = _topics_per_article()
    return {
        pk: audit.ArticleFacts(source=source, topics=tuple(topics.get(pk, ())[:cap]))
        for pk, source in sources.items()
    }


def supply_in_window(*, now: datetime | None = None, window_days: int | None = None):
    """Articles published in the window, per source and topic: public, so shown as is."""
    now = now or timezone.now()
    window_days = window_days or settings.AUDIT_WINDOW_DAYS
    facts = article_facts(published_after=now - timedelta(days=window_days))
    by_source: dict[str, int] = dict.fromkeys(Source.objects.values_list("slug", flat=True), 0)
    by_topic: dict[str, int] = dict.fromkeys(Topic.objects.values_list("slug", flat=True), 0)
    by_topic[audit.UNTAGGED] = 0
    for article in facts.values():
        if article.source:
            by_source[article.source] = by_source.get(article.source, 0) + 1
        for topic in article.about:
            by_topic[topic] = by_topic.get(topic, 0) + 1
    topic_names = dict(Topic.objects.values_list("slug", "name"))
    topic_names[audit.UNTAGGED] = UNTAGGED_NAME
    return audit.Supply(
        sources=by_source,
        topics=by_topic,
        source_names=dict(Source.objects.values_list("slug", "name")),
        topic_names=topic_names,
        articles=len(facts),
    )


def _supply_key(window_days: int) -> str:
    return f"exposure-supply:{window_days}"


def _supply_from(data: dict | None, window_days: int) -> audit.Supply:
    """The supply kept in the cache as ``data``; worked out and kept when it is not."""
    if data is None:
        data = supply_in_window(window_days=window_days).as_json()
        cache.set(_supply_key(window_days), data, timeout=SUPPLY_CACHE_SECONDS)
    return audit.Supply.from_json(data)


def supply_cached(*, window_days: int | None = None) -> audit.Supply:
    """The current supply, shared for a few minutes (every privacy page shows it)."""
    window_days = window_days or settings.AUDIT_WINDOW_DAYS
    return _supply_from(cache.get(_supply_key(window_days)), window_days)


# -- the audit ----------------------------------------------------------------------------
def audited_reader_ids(*, limit: int, seed: int) -> list[int]:
    """Readers who allowed statistics, stated something to rank by and have not paused
    personalization; a seeded sample of ``limit`` when there are more."""
    allowed = users_consenting_to(ANALYTICS)
    paused = set(
        ReaderPreferences.objects.filter(personalization_paused=True).values_list(
            "user_id", flat=True
        )
    )
    stated = set(TopicFollow.objects.values_list("user_id", flat=True).distinct())
    stated |= set(ReaderPreferences.objects.exclude(keywords="").values_list("user_id", flat=True))
    candidates = sorted((allowed & stated) - paused)
    if len(candidates) <= limit:
        return candidates
    return sorted(random.Random(seed).sample(candidates, limit))  # nosec B311: a sample, not a secret


def reader_profiles(user_ids: Iterable[int], *, chunk: int = 500) -> Iterator[Profile]:
    """Each reader's profile as their feed builds it (``selectors.preferences_for_user``)."""
    ids = list(user_ids)
    User = get_user_model()
    for start in range(0, len(ids), chunk):
        for user in User.objects.filter(pk__in=ids[start : start + chunk]).order_by("pk"):
            preferences = selectors.preferences_for_user(user=user)
            if preferences.paused or not (preferences.follows or preferences.keywords):
                continue
            yield preferences.profile()


def exposure_statistic(counts: dict[str, int], page_size: int) -> dp.Statistic:
    return dp.Statistic(
        code=STATISTIC_CODE,
        title="Exposure audit of the recommender",
        unit="first-page slots",
        per_day=False,
        sensitivity=lambda: audit.sensitivity(
            page_size=page_size, topics_per_article=_topics_per_article()
        ),
        compute=lambda day: counts,
        label_heading="Figure",
        explanation="First-page slots per source and topic over the audited readers (readers "
        "who allowed statistics), with the readers audited and those whose page stays in one "
        "topic.",
    )


def exposure_audit_run(
    *,
    staff_label: str,
    sample: int | None = None,
    seed: int | None = None,
    window_days: int | None = None,
    now: datetime | None = None,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> ExposureAudit:
    """Audit the first pages, release the tally with noise (``dp.BudgetExhausted`` when the
    day's budget cannot pay for it), and keep the release beside the supply."""
    if dp.budget_left() + 1e-9 < settings.DP_EPSILON_PER_RELEASE:
        # Refuse before the long part; the release checks again under its lock.
        raise dp.BudgetExhausted(
            f"Today's privacy budget (ε = {settings.DP_DAILY_EPSILON_BUDGET:g}) cannot pay for "
            f"an audit (ε = {settings.DP_EPSILON_PER_RELEASE:g}). Run it again tomorrow."
        )
    now = now or timezone.now()
    sample = sample or settings.AUDIT_SAMPLE_READERS
    seed = seed if seed is not None else int(timezone.localdate().strftime("%Y%m%d"))
    window_days = window_days or settings.AUDIT_WINDOW_DAYS
    page_size = settings.FEED_PAGE_SIZE

    readers = audited_reader_ids(limit=sample, seed=seed)
    index = ranking.get_index()
    facts = article_facts()
    tally = audit.Tally()
    pages = audit.first_pages(
        index,
        reader_profiles(readers),
        page_size=page_size,
        now=now,
        half_life_hours=settings.RECOMMENDER_HALF_LIFE_HOURS,
    )
    for page in (progress or iter)(pages):
        tally.add_page(page, facts)
    supply = supply_in_window(now=now, window_days=window_days)
    counts = tally.counts(
        sources=supply.sources,
        topics=supply.topics,
        reader_weight=audit.reader_weight(page_size=page_size),
    )
    with transaction.atomic():
        release = dp.counts_release(
            statistic=exposure_statistic(counts, page_size), counts=counts, staff_label=staff_label
        )
        return ExposureAudit.objects.create(
            created_at=now,
            window_days=window_days,
            page_size=page_size,
            sample_limit=sample,
            seed=seed,
            supply=supply.as_json(),
            release=release,
        )


def audit_report(exposure_audit: ExposureAudit) -> audit.Report:
    """What an audit found, from its noisy release."""
    return audit.report(
        audit.Tally.from_counts(
            exposure_audit.release.values,
            reader_weight=audit.reader_weight(page_size=exposure_audit.page_size),
        ),
        audit.Supply.from_json(exposure_audit.supply),
        threshold=settings.DP_MIN_SHOWN,
    )


def _fewer_than() -> str:
    return f"fewer than {settings.DP_MIN_SHOWN}"


def exposure_charts(found: audit.Report) -> list[Chart]:
    """Bars of supply against exposure, for sources and for topics."""
    charts = []
    for title, rows in (("Sources", found.sources), ("Topics", found.topics)):
        pairs = [
            Pair(
                label=row.name,
                first=row.supply_share,
                second=row.exposure_share,
                first_text=f"{percent(row.supply_share)} ({row.articles})",
                second_text=percent(row.exposure_share) if row.slots else _fewer_than(),
                flag=row.flag,
            )
            for row in rows
            if row.articles or row.slots
        ]
        charts.append(
            paired_bars(
                pairs,
                title=f"{title}: share of articles published against share of first-page slots",
                first_name="Share of articles published",
                second_name="Share of first-page slots",
            )
        )
    return charts


# -- the reader's own side ----------------------------------------------------------------
# A reader's first page, counted per topic and outlet, is kept this long at most; it is
# ranked again as soon as anything it was ranked from changes (``_ranked_from``).
FIRST_PAGE_CACHE_SECONDS = 300


def _first_page_key(user_id: int) -> str:
    # Keyed by the pseudonym key: the cache names neither the account nor the pseudonym.
    return "feed-vs-everyone:" + keyed_digest(f"feed-vs-everyone:{user_id}")[:32]


def first_page_forget(user) -> None:
    """Erasure: the counts of the reader's first page go with the account."""
    cache.delete(_first_page_key(user.pk))


def _ranked_from(profile: Profile, tuning: FeedTuning, version: ranking.VersionRow) -> str:
    """A keyed digest of everything the first page is ranked from: the reader's profile as
    the feed builds it (topics, keywords, mutes, feedback, and the history and region they
    allowed), their experiment arm's parameters, and the content and index versions. It
    names nothing in clear and cannot be searched for keywords without the key."""
    facts = {
        "profile": dataclasses.asdict(profile),
        "half_life_hours": tuning.half_life_hours,
        "depth": settings.FEED_PAGE_SIZE,
        "content": version.version,
        "index": version.index_name,
    }
    return keyed_digest(json.dumps(facts, sort_keys=True, default=sorted))


def _first_page(
    preferences: selectors.StatedPreferences, tuning: FeedTuning, key: str, kept: dict | None
) -> dict:
    """How many of the reader's first-page picks come from each topic and outlet: what
    ``kept`` holds when it was ranked from what the reader's profile is now, else ranked
    again (and kept under ``key`` for ``FIRST_PAGE_CACHE_SECONDS``)."""
    profile = tuning.profile(preferences.profile())
    digest = _ranked_from(profile, tuning, ranking.version_row())
    if kept is not None and kept.get("digest") == digest:
        return kept
    page = selectors.feed_recommendations(
        preferences=preferences, depth=settings.FEED_PAGE_SIZE, tuning=tuning
    )
    facts = article_facts(ids=[int(r.doc_id) for r in page]) if page else {}
    mine = audit.Tally()
    mine.add_page(page, facts)
    counted = {
        # Read again: ranking may have refreshed the index (at once in development).
        "digest": _ranked_from(profile, tuning, ranking.version_row()),
        "topics": dict(mine.topics),
        "sources": dict(mine.sources),
        "shown": len(page),
    }
    cache.set(key, counted, timeout=FIRST_PAGE_CACHE_SECONDS)
    return counted


def reader_comparison(*, preferences: selectors.StatedPreferences, tuning: FeedTuning) -> dict:
    """The reader's first page against the newsroom's supply (the dashboard section), from
    their stated preferences and their experiment arm's ``tuning``. Both sides come from
    the shared cache in one read while nothing they are worked out from has changed."""
    if preferences.paused:
        return {"paused": True}
    if not (preferences.follows or preferences.keywords) or preferences.user_id is None:
        return {"empty": True}
    window_days = settings.AUDIT_WINDOW_DAYS
    key, supply_key = _first_page_key(preferences.user_id), _supply_key(window_days)
    found = cache.get_many([key, supply_key])
    mine = _first_page(preferences, tuning, key, found.get(key))
    supply = _supply_from(found.get(supply_key), window_days)
    shown = mine["shown"]
    charts = []
    for title, supplied, mine_counts, names, total in (
        ("Topics", supply.topics, mine["topics"], supply.topic_names, supply.articles),
        ("Sources", supply.sources, mine["sources"], supply.source_names, supply.articles),
    ):
        # Shares of articles: one about two topics counts for both.
        published = total or sum(supplied.values()) or 1
        codes = sorted(
            {c for c, n in supplied.items() if n} | set(mine_counts),
            key=lambda c: (-supplied.get(c, 0), names.get(c, c)),
        )
        pairs = [
            Pair(
                label=names.get(code, code),
                first=supplied.get(code, 0) / published,
                second=mine_counts.get(code, 0) / (shown or 1),
                first_text=percent(supplied.get(code, 0) / published),
                second_text=f"{mine_counts.get(code, 0)} of your {shown}",
            )
            for code in codes
        ]
        charts.append(
            paired_bars(
                pairs,
                title=f"{title}: everything published against your first page",
                first_name="Everything published",
                second_name="Your first page",
            )
        )
    return {
        "charts": charts,
        "window_days": window_days,
        "kept_minutes": FIRST_PAGE_CACHE_SECONDS // 60,
        "topics_seen": len([t for t in mine["topics"] if t != audit.UNTAGGED]),
        "topics_published": len([t for t, n in supply.topics.items() if n and t]),
        "sources_seen": len(mine["sources"]),
        "sources_published": len([s for s, n in supply.sources.items() if n]),
    }
