"""A grown index is a new index: readers of the old one, in other threads, see it unchanged.

Growing used to copy the index shallowly and then write into dictionaries and lists the
old copy still shared, so a reader in the middle of a request saw a source appear under
it. These tests take a snapshot of everything a reader can observe, grow the index, and
compare.
"""

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from newsapp import ranking
from newsapp.recommender import Document, Index, Profile, build_index
from tests.factories import ArticleFactory, TopicFactory
from tests.newsapp.test_recommender import NOW, corpus

PROFILES = (
    Profile(topics={"space": 2.0, "food": 1.0}, keywords=("bread",)),
    Profile(topics={"sport": 1.0}, liked=("food-1",), muted_sources=frozenset({"outlet-new"})),
    Profile(keywords=("telescope",), region="corran-bay"),
)


def observed(index: Index, now: datetime = NOW) -> dict:
    """Everything a reader of ``index`` can see, as plain values."""
    return {
        "len": len(index),
        "doc_ids": list(index.doc_ids),
        "topics": list(index.topics),
        "source_names": list(index.source_names),
        "sources": index.sources.tolist(),
        "regions": list(index.regions),
        "position": dict(index.position),
        "source_position": dict(index.source_position),
        "published": index.published.tolist(),
        "affinity": index.affinity.tolist(),
        "matrix_shape": index.matrix.shape,
        "relevance": [index.relevance(p).tolist() for p in PROFILES],
        "recommend": [index.recommend(p, k=6, now=now) for p in PROFILES],
    }


def test_growing_returns_a_new_index_and_leaves_the_old_one_as_it_was():
    old = build_index(corpus(), topic_keywords={"space": ["telescope", "planet"]})
    before = observed(old)
    new_story = Document(
        id="new",
        title="Comet over the observatory",
        text="A comet passed the planet as the telescope watched the galaxy.",
        topics=frozenset({"space"}),
        source="outlet-new",
        published_at=NOW,
        region="corran-bay",
    )

    grown = old.with_documents([new_story])

    assert grown is not old
    assert observed(old) == before
    assert "new" not in old.position and "outlet-new" not in old.source_position
    # The new index holds the story, its new source and region, and ranks it first.
    assert grown.doc_ids == [*before["doc_ids"], "new"]
    assert grown.source_names == [*before["source_names"], "outlet-new"]
    assert grown.regions[-1] == "corran-bay"
    top = grown.recommend(Profile(topics={"space": 1.0}, explore=False), k=3, now=NOW)
    # (Level with the corpus's surest brand-new space story: an exact tie, and ties go by
    # position, so the new story comes second.)
    ranked = {r.doc_id: r.score for r in top}
    assert ranked.get("new") == top[0].score
    # Grown, not refit: what did not change is shared, not copied.
    assert grown.vectorizer is old.vectorizer and grown.topic_profiles is old.topic_profiles


def test_growing_with_nothing_new_changes_nothing():
    index = build_index(corpus())
    again = index.with_documents([Document(id="food-0", title="Again", text="bread")])
    assert again is index and observed(index) == observed(again)


def test_the_arrays_an_index_holds_refuse_writes():
    index = build_index(corpus())
    grown = index.with_documents([Document(id="x", title="Bread", text="bread market")])
    for each in (index, grown):
        for array in (
            each.affinity,
            each.sources,
            each.published,
            each.matrix.data,
            each.matrix.indices,
            each.columns.data,
            each.predicted,
            each.about,
            each.terms,
        ):
            with pytest.raises(ValueError, match="read-only"):
                array[0] = array[0]
        with pytest.raises(TypeError):
            each.position["intruder"] = 0  # type: ignore[index]
        with pytest.raises(TypeError):
            each.source_position["intruder"] = 0  # type: ignore[index]
    # What a caller is handed to work with is its own, and writeable.
    relevance = index.relevance(Profile(topics={"food": 1.0}))
    relevance[0] = 0.0


def test_scoring_is_the_relevance_and_explains_without_the_index():
    index = build_index(corpus(), topic_keywords={"space": ["telescope"]})
    profile = Profile(topics={"space": 1.0, "food": 0.5}, keywords=("bread",), liked=("food-2",))
    scoring = index.score(profile)
    assert np.array_equal(scoring.relevance, index.relevance(profile))
    assert [topic.slug for topic in scoring.followed] == ["space", "food"]
    assert scoring.keyword_columns[0][0] == "bread" and scoring.liked_rows[0][0] == "food-2"
    with pytest.raises(ValueError, match="read-only"):
        scoring.liked_query[0] = 1.0  # type: ignore[index]


@pytest.mark.django_db
def test_publishing_an_article_grows_a_new_index_and_the_previous_one_is_untouched():
    space = TopicFactory(name="Space", keywords="telescope, planet")
    food = TopicFactory(name="Food", keywords="bread, harvest")
    ArticleFactory(title="Bread at the market", body="<p>bread harvest</p>", topics=[food])
    ArticleFactory(title="A telescope", body="<p>The telescope saw a star.</p>", topics=[space])
    previous = ranking.get_index()
    now = timezone.now()
    before = observed(previous, now=now)

    # A new outlet, so growth also brings a source the previous index has never seen.
    article = ArticleFactory(
        title="A new planet", body="<p>The telescope saw a planet.</p>", topics=[space]
    )
    article.published_at += timedelta(minutes=1)
    article.save()
    current = ranking.get_index()

    assert current is not previous and current.vectorizer is previous.vectorizer  # grown
    assert article.pk in current.position and article.pk not in previous.position
    assert article.source.slug in current.source_names
    assert article.source.slug not in previous.source_position
    assert observed(previous, now=now) == before
    top = current.recommend(Profile(topics={"space": 1.0}, explore=False), k=1)
    assert top[0].doc_id == article.pk
