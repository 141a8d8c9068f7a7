"""The exposure audit's arithmetic: who the recommender shows, against what is published.

Plain Python over the recommender's public API (``Index.recommend`` and the reasons of its
picks), with no Django, so the benchmark runs it alone on a synthetic index. For every
audited reader's first feed page it tallies the slots each source and topic fills, which
slot was the "Outside your topics" pick, and whether the page stays inside one topic.
The tally is what gets released with noise (``newsapp.exposure``); ``report`` then sets the
noisy exposure against the newsroom's supply, flags what is exposed more than twice or
less than half its share, and measures how unequal exposure is (Gini).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newsapp.recommender import Profile, Recommendation

if TYPE_CHECKING:  # the index loads with the first ranking, not at start-up
    from newsapp.recommender import Index

UNTAGGED = ""  # the topic of articles no editor tagged
FACTOR = 2.0  # flag a share of exposure above twice, or below half, the share of supply
# A topic reached "only" through the exploration slot: at least this share of its exposure
# (the figures are noisy, so exactly all cannot be told from nearly all).
EXPLORATION_ONLY = 0.9

_SOURCE, _TOPIC, _EXPLORED = "source:", "topic:", "explored:"
_READERS, _ONE_TOPIC = "readers:audited", "readers:one-topic"


@dataclass(frozen=True)
class ArticleFacts:
    """What the audit needs of one article: its source and (at most a few) topics."""

    source: str | None
    topics: tuple[str, ...] = ()

    @property
    def about(self) -> tuple[str, ...]:
        return self.topics or (UNTAGGED,)


def reader_weight(*, page_size: int) -> int:
    """How many times the two reader counts enter the release. One reader moves them by
    one but moves the slot counts by a page's worth; under one noise scale the reader
    counts would drown. Released multiplied by this weight (and divided back when read)
    their noise is a page's worth smaller, for the price of one more page in the scale."""
    return page_size


def sensitivity(*, page_size: int, topics_per_article: int) -> int:
    """How far one reader moves the released figures (L1): each slot of their page counts
    once for its source and once per topic, the exploration pick once more per topic, and
    the reader once in each of the two (weighted) reader counts."""
    weight = reader_weight(page_size=page_size)
    return page_size * (1 + topics_per_article) + topics_per_article + 2 * weight


@dataclass
class Tally:
    readers: int = 0
    one_topic: int = 0
    sources: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)
    explored: Counter = field(default_factory=Counter)

    def add_page(self, page: Sequence[Recommendation], facts: Mapping[Any, ArticleFacts]) -> None:
        self.readers += 1
        seen: set[str] = set()
        for pick in page:
            article = facts.get(pick.doc_id)
            if article is None:  # ranked but unpublished since: not part of the newsroom
                continue
            if article.source:
                self.sources[article.source] += 1
            for topic in article.about:
                self.topics[topic] += 1
                if pick.reasons.exploration:
                    self.explored[topic] += 1
            seen.update(article.about)
        if len(seen) == 1 and UNTAGGED not in seen:
            self.one_topic += 1

    def counts(
        self, *, sources: Iterable[str], topics: Iterable[str], reader_weight: int
    ) -> dict[str, int]:
        """The figures to release, one per source and topic of the newsroom whether exposed
        or not (so that which labels appear tells nothing); reader counts weighted."""
        values = {
            _READERS: self.readers * reader_weight,
            _ONE_TOPIC: self.one_topic * reader_weight,
        }
        for source in sources:
            values[_SOURCE + source] = self.sources[source]
        for topic in topics:
            values[_TOPIC + topic] = self.topics[topic]
            values[_EXPLORED + topic] = self.explored[topic]
        return values

    @classmethod
    def from_counts(cls, values: Mapping[str, int], *, reader_weight: int) -> Tally:
        """A tally read back from released (noisy) figures."""
        tally = cls(
            readers=round(values.get(_READERS, 0) / reader_weight),
            one_topic=round(values.get(_ONE_TOPIC, 0) / reader_weight),
        )
        for label, value in values.items():
            for prefix, counter in (
                (_SOURCE, tally.sources),
                (_TOPIC, tally.topics),
                (_EXPLORED, tally.explored),
            ):
                if label.startswith(prefix):
                    counter[label[len(prefix) :]] = value
        return tally


def first_pages(
    index: Index,
    profiles: Iterable[Profile],
    *,
    page_size: int,
    now: datetime | None = None,
    half_life_hours: float = 72.0,
) -> Iterator[list[Recommendation]]:
    """Each reader's first feed page, as the recommender ranks it. Readers who chose only
    topics (no keywords, feedback or history) often chose the same ones: their page is
    ranked once for all of them."""
    pages: dict[tuple, list[Recommendation]] = {}
    for profile in profiles:
        key = _topics_only_key(profile)
        page = pages.get(key) if key is not None else None
        if page is None:
            page = index.recommend(profile, k=page_size, now=now, half_life_hours=half_life_hours)
            if key is not None:
                pages[key] = page
        yield page


def _topics_only_key(profile: Profile) -> tuple | None:
    if profile.keywords or profile.liked or profile.disliked or profile.history:
        return None
    return (
        tuple(sorted(profile.topics.items())),
        tuple(sorted(profile.muted_topics)),
        tuple(sorted(profile.muted_sources)),
        profile.region,
        profile.explore,
    )


@dataclass(frozen=True)
class Supply:
    """Published articles in the window, per source and per topic (public figures)."""

    sources: Mapping[str, int]
    topics: Mapping[str, int]
    source_names: Mapping[str, str]
    topic_names: Mapping[str, str]
    articles: int = 0  # published in the window (an article may count for two topics)

    def as_json(self) -> dict:
        return {
            "sources": {s: [self.source_names.get(s, s), n] for s, n in self.sources.items()},
            "topics": {t: [self.topic_names.get(t, t), n] for t, n in self.topics.items()},
            "articles": self.articles,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Supply:
        return cls(
            sources={s: n for s, (_, n) in data["sources"].items()},
            topics={t: n for t, (_, n) in data["topics"].items()},
            source_names={s: name for s, (name, _) in data["sources"].items()},
            topic_names={t: name for t, (name, _) in data["topics"].items()},
            articles=data.get("articles", 0),
        )


@dataclass(frozen=True)
class Share:
    code: str
    name: str
    articles: int  # published in the window
    supply_share: float
    slots: int | None  # first-page slots, noisy; None when below the threshold
    exposure_share: float
    explored_share: float | None = None  # topics: the part through the exploration slot
    judged: bool = True  # False when too few readers were audited to say anything

    @property
    def ratio(self) -> float | None:
        return self.exposure_share / self.supply_share if self.supply_share else None

    @property
    def flag(self) -> str:
        """ "over" or "under" when exposure is off its supply by more than ``FACTOR``."""
        ratio = self.ratio
        if ratio is None or not self.judged:
            return ""
        if ratio > FACTOR:
            return "over"
        return "under" if ratio < 1 / FACTOR else ""


@dataclass(frozen=True)
class Report:
    sources: list[Share]
    topics: list[Share]
    readers: int | None  # audited; None when below the threshold
    one_topic_share: float | None  # of audited readers, when there are enough
    gini_exposure: float
    gini_supply: float
    threshold: int

    @property
    def enough(self) -> bool:
        """Whether enough readers were audited for the exposure figures to mean anything."""
        return self.readers is not None

    @property
    def flagged(self) -> list[Share]:
        return [s for s in self.sources + self.topics if s.flag]

    @property
    def exploration_only(self) -> list[Share]:
        """Topics readers meet almost only through the "Outside your topics" pick."""
        return [
            t
            for t in self.topics
            if t.explored_share is not None and t.explored_share >= EXPLORATION_ONLY
        ]

    @property
    def exposed_topics(self) -> list[Share]:
        return [t for t in self.topics if t.slots]


def gini(values: Sequence[float]) -> float:
    """0 when every value is equal, towards 1 when one holds everything."""
    ordered = sorted(max(0.0, float(v)) for v in values)
    total = sum(ordered)
    n = len(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(ordered))
    return max(0.0, (2 * weighted) / (n * total) - (n + 1) / n)  # not -0.0 from rounding


def _shown(value: int, threshold: int) -> int | None:
    return value if value >= threshold else None


def _shares(
    codes: list[str],
    supply: Mapping[str, int],
    exposure: Mapping[str, int],
    names: Mapping[str, str],
    threshold: int,
    *,
    judged: bool,
    explored: Mapping[str, int] | None = None,
) -> list[Share]:
    # Figures below the threshold are not shown and count as nothing in the shares; with
    # too few readers audited, none is.
    shown = {
        code: _shown(int(exposure.get(code, 0)), threshold) if judged else None for code in codes
    }
    total_slots = sum(v for v in shown.values() if v) or 0
    total_supply = sum(supply.get(code, 0) for code in codes) or 0
    rows = []
    for code in codes:
        slots = shown[code]
        explored_share = None
        if explored is not None and slots:
            explored_share = min(1.0, max(0.0, explored.get(code, 0) / slots))
        rows.append(
            Share(
                code=code,
                name=names.get(code, code),
                articles=supply.get(code, 0),
                supply_share=supply.get(code, 0) / total_supply if total_supply else 0.0,
                slots=slots,
                exposure_share=(slots or 0) / total_slots if total_slots else 0.0,
                explored_share=explored_share,
                judged=judged,
            )
        )
    return sorted(rows, key=lambda r: (-r.supply_share, -r.exposure_share, r.name))


def report(tally: Tally, supply: Supply, *, threshold: int) -> Report:
    """Exposure against supply from a (released) tally."""
    readers = _shown(tally.readers, threshold)
    judged = readers is not None
    source_codes = sorted(set(supply.sources) | set(tally.sources))
    topic_codes = sorted(set(supply.topics) | set(tally.topics))
    sources = _shares(
        source_codes,
        supply.sources,
        tally.sources,
        supply.source_names,
        threshold,
        judged=judged,
    )
    topics = _shares(
        topic_codes,
        supply.topics,
        tally.topics,
        supply.topic_names,
        threshold,
        judged=judged,
        explored=tally.explored,
    )
    one_topic = _shown(tally.one_topic, threshold) or 0
    counted = [s for s in sources if s.articles or s.slots]
    return Report(
        sources=sources,
        topics=topics,
        readers=readers,
        one_topic_share=min(1.0, one_topic / readers) if readers else None,
        gini_exposure=gini([s.exposure_share for s in counted]) if judged else 0.0,
        gini_supply=gini([s.supply_share for s in counted]),
        threshold=threshold,
    )
