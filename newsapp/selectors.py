"""Reads of the news domain for one reader, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import cast
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connection
from django.utils import timezone

from consent.changes import reader_key, reader_version, remember_version
from consent.models import ReaderVersion
from consent.pseudonyms import pseudonym_for
from newsapp import coverage, experiments, ranking, recommender
from newsapp.core.pagecache import RecentValues
from newsapp.history import history_for, saved_signal_for
from newsapp.models import (
    Article,
    ArticleFeedback,
    ReaderLocation,
    ReaderPreferences,
    Region,
    Source,
    Topic,
    TopicFollow,
)
from newsapp.recommender import Profile, Ranked, Reasons


@dataclass
class StatedPreferences:
    follows: list[TopicFollow] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    muted_topics: list[Topic] = field(default_factory=list)
    muted_sources: list[Source] = field(default_factory=list)
    explore: bool = True
    paused: bool = False
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    user_id: int | None = None  # for the consent-based signals, read only when ranking

    @cached_property
    def history(self) -> list[int]:
        """Articles read lately (rows exist only while personalize_history is granted) and,
        under the same consent only, the articles saved for later."""
        if self.user_id is None:
            return []
        read = history_for(user_id=self.user_id)
        seen = set(read)
        saved = saved_signal_for(user_id=self.user_id, read=read)
        return read + [i for i in saved if i not in seen]

    @cached_property
    def region(self) -> str | None:
        """The chosen region; a row exists only while location is granted."""
        if self.user_id is None:
            return None
        location = ReaderLocation.objects.filter(user_id=self.user_id).first()
        return location.region if location else None

    @property
    def followed_slugs(self) -> set[str]:
        return {f.topic.slug for f in self.follows}

    def profile(self) -> Profile:
        return ranking.profile_for(
            follows=[(f.topic.slug, f.weight) for f in self.follows],
            keywords=self.keywords,
            muted_topics=[t.slug for t in self.muted_topics],
            muted_sources=[s.slug for s in self.muted_sources],
            liked=self.liked,
            disliked=self.disliked,
            history=self.history,
            region=self.region,
            explore=self.explore,
        )


def versions_for(*, user) -> tuple[int, str]:
    """The content version and the reader's data version (``consent.changes``), in one
    query, and remembered for the rest of the request: the ranking and the preferences
    ask for them again. Written as ``ranking.version_row``'s read, for the same reason."""
    pseudonym = pseudonym_for(user.pk)
    with connection.cursor() as cursor:
        cursor.execute(_VERSIONS_SQL, [pseudonym])
        row = cursor.fetchone()
    if row is None:  # no version row yet (a new database): each read as usual
        return ranking.version_row().version, reader_version(user.pk)
    versions = ranking.version_row_of(row[:5])
    ranking.remember_version_row(versions)
    return versions.version, remember_version(pseudonym=pseudonym, token=row[5])


# What ``versions_for`` reads: the version row and the reader's token beside it.
_VERSIONS_SQL = (  # nosec B608: names of the models, no input; the pseudonym is a parameter
    f"SELECT {ranking.VERSION_COLUMNS}, "  # nosec B608
    f"(SELECT r.token FROM {ReaderVersion._meta.db_table} r WHERE r.pseudonym = %s) "
    f"{ranking.VERSION_FROM}"
)


# The stated preferences of the readers seen lately, per data version (consent.changes):
# every signed-in page needs them, and they change only when the reader changes them.
_recent_preferences = RecentValues(size=2000)


def preferences_for_user(*, user) -> StatedPreferences:
    """What the reader stated (topics, keywords, mutes, feedback) and, worked out when
    first asked for, their history and region: read again only when something of theirs
    has changed (one primary-key read tells), or after a minute or two. The reader's
    joining time is part of the key, so an id used again is never another's."""
    if not user.is_authenticated:
        return StatedPreferences()
    found = _recent_preferences.get(reader_key(user), lambda: _preferences_read(user))
    return cast(StatedPreferences, found)


def _preferences_read(user) -> StatedPreferences:
    follows = list(
        TopicFollow.objects.filter(user=user).select_related("topic").order_by("topic__name")
    )
    preferences = (
        ReaderPreferences.objects.filter(user=user)
        .prefetch_related("muted_topics", "muted_sources")
        .first()
    )
    liked: list[int] = []
    disliked: list[int] = []
    for article_id, kind in ArticleFeedback.objects.filter(user=user).values_list(
        "article_id", "kind"
    ):
        (liked if kind == ArticleFeedback.Kind.MORE else disliked).append(article_id)
    if preferences is None:
        return StatedPreferences(follows=follows, liked=liked, disliked=disliked, user_id=user.pk)
    return StatedPreferences(
        follows=follows,
        liked=liked,
        disliked=disliked,
        user_id=user.pk,
        paused=preferences.personalization_paused,
        keywords=preferences.keyword_list,
        muted_topics=list(preferences.muted_topics.all()),
        muted_sources=list(preferences.muted_sources.all()),
        explore=preferences.explore,
    )


@dataclass
class FeedItem:
    article: Article
    reasons: Reasons
    topic_names: dict[str, str]
    liked: list[Article] = field(default_factory=list)

    @property
    def topic_sentences(self) -> list[str]:
        """Each followed topic the article is about, as a sentence: how much of the pick it
        made ("Mostly", "Partly", "A little") and how surely the article matches it."""
        certainty = dict(self.reasons.topic_certainty)
        sentences = []
        for slug, share in self.reasons.topics:
            name = self.topic_names.get(slug, slug)
            lead = "Mostly" if share >= 0.75 else "Partly" if share >= 0.4 else "A little"
            sure = certainty.get(slug, 0.0)
            how = "strongly" if sure >= 0.9 else "clearly" if sure >= 0.7 else "somewhat"
            sentences.append(f"{lead} {name}: it matches the {name} profile {how}.")
        return sentences

    @property
    def matched_words(self) -> list[str]:
        """The matched terms as the article writes them (the index's are accent-free)."""
        if not self.reasons.terms:
            return []
        article = self.article
        # The body's markup is read as is: stripping tags would cost every card, and tag
        # names are plain ASCII words that only ever map a term to itself.
        text = f"{article.title}\n{article.summary}\n{article.body}"
        return recommender.surface_forms(self.reasons.terms, text)

    @property
    def reason_line(self) -> str:
        """The one short reason a card shows; "Why this?" has all of them."""
        reasons = self.reasons
        if reasons.exploration:
            return "Outside your topics"
        if reasons.topics:
            slug = max(reasons.topics, key=lambda pair: pair[1])[0]
            return f"Because you follow {self.topic_names.get(slug, slug)}"
        if reasons.keywords:
            return f"Matches your keyword “{reasons.keywords[0]}”"
        if self.liked:
            return f"Because you liked “{self.liked[0].title}”"
        if reasons.local:
            return "About your region"
        if reasons.terms:
            return "Shares words with what you follow"
        return "Recent, after your picks"

    @property
    def freshness_label(self) -> str:
        value = self.reasons.freshness
        if value >= 0.75:
            return "very recent"
        if value >= 0.4:
            return "recent"
        return "older, kept for relevance"


def _articles_in_order(ids: list[int]) -> list[Article]:
    """The published articles among ``ids``, in that order: one the index still holds
    after it was unpublished (until the refresh lands) is left out."""
    by_id = Article.objects.published().filter(id__in=ids).for_cards().in_bulk()
    return [by_id[i] for i in ids if i in by_id]


def feed_recommendations(
    *, preferences: StatedPreferences, depth: int, tuning: experiments.FeedTuning | None = None
) -> Ranked:
    """The reader's whole "For you" ranking, ``depth`` deep, with the parameters of their
    experiment arm when they take part in one (``tuning``, when the caller knows it), one
    card per story: another outlet's version of a story already ranked is left out. Ids in
    order, diversified, checked for stories and explained only as far as they are read (a
    page, not the 200)."""
    if tuning is None:
        tuning = experiments.feed_tuning(user_id=preferences.user_id)
    ranked = ranking.get_index().rank(
        tuning.profile(preferences.profile()),
        k=depth,
        half_life_hours=tuning.half_life_hours,
    )
    # Asked a page and more at a time: the first page costs one query for its stories.
    return ranked.filtered(_one_per_story(), batch=2 * settings.FEED_PAGE_SIZE)


def _one_per_story():
    """A filter for ``Ranked.filtered``: the first article of each story, in ranking order,
    and every article in no story."""
    seen: set[int] = set()

    def keep(doc_ids: list) -> list[bool]:
        story_of = dict(
            Article.objects.filter(pk__in=doc_ids, story__isnull=False)
            .values_list("pk", "story_id")
            .order_by()
        )
        kept = []
        for doc_id in doc_ids:
            story = story_of.get(doc_id)
            if story is not None and story in seen:
                kept.append(False)
                continue
            if story is not None:
                seen.add(story)
            kept.append(True)
        return kept

    return keep


def feed_items(*, preferences: StatedPreferences, recommendations) -> list[FeedItem]:
    """Cards for one page of recommendations, in one query for the articles."""
    names = {f.topic.slug: f.topic.name for f in preferences.follows}
    # The liked articles named in reasons come in the same query as the cards.
    liked_ids = [i for r in recommendations for i in r.reasons.liked]
    articles = {
        a.pk: a for a in _articles_in_order([r.doc_id for r in recommendations] + liked_ids)
    }
    with_outlet_counts(articles.values())
    return [
        FeedItem(
            article=articles[r.doc_id],
            reasons=r.reasons,
            topic_names=names,
            liked=[articles[i] for i in r.reasons.liked if i in articles],
        )
        for r in recommendations
        if r.doc_id in articles
    ]


def with_outlet_counts(articles) -> None:
    """Give each article ``outlet_count``: how many outlets tell its story (cards link to
    the full coverage when more than one does). One query for all of them."""
    articles = list(articles)
    counts = coverage.outlet_counts(a.story_id for a in articles)
    for article in articles:
        article.outlet_count = counts.get(article.story_id, 1)


def topics_never_seen(*, preferences: StatedPreferences, topics: list[Topic]) -> list[Topic]:
    """Those of ``topics`` with published articles of which the first page of the reader's
    feed shows none, neither tagged nor matched: what their choices keep out of sight.
    Read from the index (its editors' tags), not from a join over the articles."""
    if not preferences.follows and not preferences.keywords:
        return []
    index = ranking.get_index()
    first = index.rank(
        preferences.profile(),
        k=settings.FEED_PAGE_SIZE,
        half_life_hours=settings.RECOMMENDER_HALF_LIFE_HOURS,
    )
    tags = index.tags
    seen = {slug for r in first for slug, _ in r.reasons.topics}
    for doc_id in first.doc_ids:
        row = index.position[doc_id]
        seen.update(index.topics[t] for t in tags.indices[tags.indptr[row] : tags.indptr[row + 1]])
    columns = index.tag_columns.indptr
    tagged = {slug for t, slug in enumerate(index.topics) if columns[t + 1] > columns[t]}
    muted = {t.slug for t in preferences.muted_topics}
    return [t for t in topics if t.slug in tagged and t.slug not in seen and t.slug not in muted]


# "More like this" is by content alone: without mutes it is the same for every reader, so
# each index keeps the answers it gave (a few ids each), up to this many articles.
SIMILAR_KEPT = 20_000
_similar: WeakKeyDictionary = WeakKeyDictionary()  # index -> {(article id, limit): ids}


def more_like_this(*, article: Article, preferences: StatedPreferences, limit: int = 5):
    """Articles most like ``article`` by their words, under the reader's mutes (the rest of
    the profile plays no part, so none of it is read)."""
    index = ranking.get_index()
    mutes = Profile(
        muted_topics=frozenset(t.slug for t in preferences.muted_topics),
        muted_sources=frozenset(s.slug for s in preferences.muted_sources),
    )
    if mutes.muted_topics or mutes.muted_sources:
        ids = index.similar(article.pk, mutes, k=limit)
    else:
        known = _similar.get(index)
        if known is None:
            known = _similar.setdefault(index, {})
        ids = known.get((article.pk, limit))
        if ids is None:
            ids = index.similar(article.pk, mutes, k=limit)
            if len(known) < SIMILAR_KEPT:
                known[(article.pk, limit)] = ids
    return _articles_in_order([int(i) for i in ids])  # article primary keys


@dataclass(frozen=True)
class ArticlePage:
    """What an article's page shows that is not the reader's own: the article with its
    outlet and topics, "More like this" and the other outlets' versions ("Also covered
    by"), both under the reader's mutes (empty for an article that is not published)."""

    article: Article
    related: list[Article]
    also_covered: list[Article]


# Article pages lately made, per content version and mutes: the same for every reader with
# the same mutes (most have none), until the content changes or a minute or two passes.
_recent_article_pages = RecentValues(size=300)


def article_page(*, slug: str, preferences: StatedPreferences) -> ArticlePage | None:
    """The page of the article at ``slug`` (any status: the caller decides who may see a
    draft), or None when there is none."""
    key = (
        slug,
        ranking.version_row().version,
        frozenset(t.pk for t in preferences.muted_topics),
        frozenset(s.pk for s in preferences.muted_sources),
    )
    found = _recent_article_pages.get(key, lambda: _article_page_read(slug, preferences))
    return cast(ArticlePage | None, found)


def _article_page_read(slug: str, preferences: StatedPreferences) -> ArticlePage | None:
    article = Article.objects.for_page().filter(slug=slug).first()
    if article is None:
        return None
    if not article.is_published:
        return ArticlePage(article=article, related=[], also_covered=[])
    related = more_like_this(article=article, preferences=preferences)
    also_covered = coverage.other_versions(article=article, muted_sources=preferences.muted_sources)
    if also_covered:  # the other versions are listed apart, not as "more like this"
        related = [a for a in related if a.story_id != article.story_id]
    return ArticlePage(article=article, related=related, also_covered=also_covered)


def _unmuted(preferences: StatedPreferences):
    return Article.objects.published().without_muted(
        topic_ids=[t.pk for t in preferences.muted_topics],
        source_ids=[s.pk for s in preferences.muted_sources],
    )


def latest_articles(*, preferences: StatedPreferences):
    """Newest first, the same for everyone; a signed-in reader's mutes still apply."""
    return _unmuted(preferences).for_cards()


# Top stories rank the stories among the newest TOP_CANDIDATES articles: one index range
# scan, however large the archive, and no count of anything but those rows.
TOP_CANDIDATES = 3000
# A story's weight halves every TOP_HALF_LIFE_HOURS after its latest version.
TOP_HALF_LIFE_HOURS = 24.0


@dataclass(frozen=True)
class RankedStory:
    lead: int  # the newest version's article id, shown on the card
    outlets: int
    latest: datetime
    score: float


# The ranking of everyone without mutes, worked out once a minute per content version in
# each process: (content version, minute) -> ranking.
_top_for_everyone: dict[str, tuple[tuple[int, int], list[RankedStory]]] = {}


def reset_cache() -> None:
    _top_for_everyone.clear()


def top_story_ranking(*, preferences: StatedPreferences, now: datetime | None = None):
    """Stories ranked by breadth of coverage (distinct outlets) and recency: the same for
    everyone, under the reader's mutes. An article in no story is a story of its own.

    score = outlets x 0.5 ** (hours since the latest version / TOP_HALF_LIFE_HOURS)

    Without mutes (every anonymous reader) the ranking is shared: it is worked out again
    when an article, a story or a topic changes, and once a minute, as stories age and
    scheduled articles come out.
    """
    if now is not None or preferences.muted_topics or preferences.muted_sources:
        return _top_story_ranking(preferences=preferences, now=now or timezone.now())
    now = timezone.now()
    key = (ranking.version_row().version, int(now.timestamp() // 60))
    cached = _top_for_everyone.get("ranking")
    if cached is not None and cached[0] == key:
        return cached[1]
    ranked = _top_story_ranking(preferences=preferences, now=now)
    _top_for_everyone["ranking"] = (key, ranked)
    return ranked


def _top_story_ranking(*, preferences: StatedPreferences, now: datetime) -> list[RankedStory]:
    rows = (
        _unmuted(preferences)
        .order_by("-published_at", "-id")
        .values_list("id", "story_id", "source_id", "published_at")[:TOP_CANDIDATES]
    )
    stories: dict[int, tuple[int, set, datetime]] = {}
    for pk, story, source, published in rows:  # newest first: the first seen leads
        key = story if story is not None else -pk
        if key not in stories:
            stories[key] = (pk, set(), published)
        stories[key][1].add(source if source is not None else -pk)
    ranked = []
    for lead, outlets, latest in stories.values():
        hours = max(0.0, (now - latest).total_seconds() / 3600.0)
        score = len(outlets) * 0.5 ** (hours / TOP_HALF_LIFE_HOURS)
        ranked.append(RankedStory(lead=lead, outlets=len(outlets), latest=latest, score=score))
    ranked.sort(key=lambda s: (-s.score, -s.latest.timestamp(), -s.lead))
    return ranked


def top_story_cards(*, ranked) -> list[Article]:
    """The lead articles of one page of ``top_story_ranking``, each with ``outlet_count``."""
    by_id = Article.objects.filter(pk__in=[s.lead for s in ranked]).for_cards().in_bulk()
    cards = []
    for story in ranked:
        article = by_id.get(story.lead)
        if article is not None:
            article.outlet_count = story.outlets
            cards.append(article)
    return cards


@dataclass
class FeedPreview:
    entering: list[Article]
    leaving: list[Article]


def feed_preview(
    *, current: StatedPreferences, proposed: StatedPreferences, limit: int = 10
) -> FeedPreview:
    """Which articles a change would bring into the first ``limit`` of the feed, and drop."""
    index = ranking.get_index()
    half_life = settings.RECOMMENDER_HALF_LIFE_HOURS
    before = [  # the index is built from articles: its ids are their primary keys
        int(r.doc_id)
        for r in index.recommend(current.profile(), k=limit, half_life_hours=half_life)
    ]
    after = [
        int(r.doc_id)
        for r in index.recommend(proposed.profile(), k=limit, half_life_hours=half_life)
    ]
    before_set, after_set = set(before), set(after)
    entering = [i for i in after if i not in before_set]
    leaving = [i for i in before if i not in after_set]
    articles = {a.pk: a for a in _articles_in_order(entering + leaving)}
    return FeedPreview(
        entering=[articles[i] for i in entering if i in articles],
        leaving=[articles[i] for i in leaving if i in articles],
    )


def region_for(*, user) -> Region | None:
    """The region the reader chose for local news, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    location = ReaderLocation.objects.filter(user=user).first()
    if location is None:
        return None
    return Region.objects.filter(slug=location.region).first()
