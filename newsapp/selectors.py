"""Reads of the news domain for one reader, each in a fixed number of queries."""

from dataclasses import dataclass, field
from functools import cached_property
from weakref import WeakKeyDictionary

from django.conf import settings

from newsapp import experiments, ranking, recommender
from newsapp.history import history_for
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
        """Articles read lately; rows exist only while personalize_history is granted."""
        if self.user_id is None:
            return []
        return history_for(user_id=self.user_id)

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


def preferences_for_user(*, user) -> StatedPreferences:
    if not user.is_authenticated:
        return StatedPreferences()
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
    def topic_shares(self) -> list[tuple[str, int]]:
        return [
            (self.topic_names.get(slug, slug), round(share * 100))
            for slug, share in self.reasons.topics
        ]

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


def feed_recommendations(*, preferences: StatedPreferences, depth: int) -> Ranked:
    """The reader's whole "For you" ranking, ``depth`` deep, with the parameters of their
    experiment arm when they take part in one: ids in order, diversified and explained
    only as far as they are read (a page explains its own cards, not the 200)."""
    tuning = experiments.feed_tuning(user_id=preferences.user_id)
    return ranking.get_index().rank(
        tuning.profile(preferences.profile()),
        k=depth,
        half_life_hours=tuning.half_life_hours,
    )


def feed_items(*, preferences: StatedPreferences, recommendations) -> list[FeedItem]:
    """Cards for one page of recommendations, in one query for the articles."""
    names = {f.topic.slug: f.topic.name for f in preferences.follows}
    # The liked articles named in reasons come in the same query as the cards.
    liked_ids = [i for r in recommendations for i in r.reasons.liked]
    articles = {
        a.pk: a for a in _articles_in_order([r.doc_id for r in recommendations] + liked_ids)
    }
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


def top_stories(*, preferences: StatedPreferences):
    """The same newest-first list for everyone; a signed-in reader's mutes still apply."""
    return (
        Article.objects.published()
        .without_muted(
            topic_ids=[t.pk for t in preferences.muted_topics],
            source_ids=[s.pk for s in preferences.muted_sources],
        )
        .for_cards()
        .distinct()
    )


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
