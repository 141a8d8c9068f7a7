"""The value types of the recommender API (see DESIGN.md, "Recommender API")."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

# What identifies a document: the article's primary key on the Django side.
DocId = int | str


@dataclass(frozen=True)
class Document:
    id: DocId
    title: str
    text: str
    topics: frozenset[str] = frozenset()
    source: str | None = None
    published_at: datetime | None = None
    region: str | None = None


@dataclass(frozen=True)
class Profile:
    """What a reader stated. ``topics`` maps a topic slug to how much of it they want."""

    topics: Mapping[str, float] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    muted_topics: frozenset[str] = frozenset()
    muted_sources: frozenset[str] = frozenset()
    liked: tuple[DocId, ...] = ()
    disliked: tuple[DocId, ...] = ()
    history: tuple[DocId, ...] = ()
    region: str | None = None
    explore: bool = True

    @property
    def is_empty(self) -> bool:
        return not (self.topics or self.keywords or self.liked or self.history)


@dataclass(frozen=True)
class Reasons:
    """Why an article was picked, in terms a reader can check.

    ``topics`` pairs each followed topic the article is about with its share of the
    relevance; ``topic_certainty`` pairs the same topics with how sure the index is that
    the article is about them (0-1); ``terms`` are the article's words that added most to
    its score for this reader (they occur in the article); ``freshness`` is 1.0 for
    brand-new, 0.5 after one half-life; ``exploration`` marks the "Outside your topics"
    pick; ``liked`` names the liked article it resembles when that likeness lifted it;
    ``local`` says it is about the reader's chosen region.
    """

    topics: tuple[tuple[str, float], ...] = ()
    terms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    freshness: float = 0.0
    exploration: bool = False
    liked: tuple[DocId, ...] = ()
    local: bool = False  # about the region the reader chose for local news
    topic_certainty: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Recommendation:
    doc_id: DocId
    score: float
    reasons: Reasons
