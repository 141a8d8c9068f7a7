"""Bad and unusual inputs to the recommender core: no exception, sensible ranking."""

from datetime import timedelta

import numpy as np
import pytest

from newsapp import ranking
from newsapp.recommender import (
    Document,
    Profile,
    build_index,
    load_index,
    save_index,
    surface_forms,
)
from tests.factories import ArticleFactory, TopicFactory
from tests.newsapp.test_recommender import NOW, corpus


@pytest.fixture(scope="module")
def index():
    return build_index(corpus(), topic_keywords={"space": ["telescope", "planet"]})


def test_empty_and_huge_keyword_lists(index):
    assert len(index.recommend(Profile(keywords=()), k=5, now=NOW)) == 5
    huge = (*(f"word{i}" for i in range(5000)), "telescope")
    top = index.recommend(Profile(keywords=huge, explore=False), k=3, now=NOW)
    assert top[0].doc_id.startswith("space") and "telescope" in top[0].reasons.keywords


def test_following_every_topic_ranks_everything_without_error(index):
    profile = Profile(topics=dict.fromkeys(index.topics, 1.0))
    recommendations = index.recommend(profile, k=12, now=NOW)
    assert len({r.doc_id for r in recommendations}) == len(recommendations) >= 10
    assert not any(r.reasons.exploration for r in recommendations)  # nothing is outside


def test_less_wanted_topic_trails_a_more_wanted_one(index):
    relevance = index.relevance(Profile(topics={"food": 3.0, "sport": 1.0}))
    ranked = [index.doc_ids[i] for i in np.argsort(-relevance)]
    assert all(doc_id.startswith("food") for doc_id in ranked[:2])


def test_one_megabyte_body_and_non_english_text():
    docs = [
        *corpus(),
        Document(id="big", title="Marathon", text="marathon runner " * 70_000),
        Document(id="fr", title="Télescope géant", text="Le télescope observe une planète."),
        Document(id="ja", title="天文学", text="望遠鏡で惑星を観測した。"),
    ]
    index = build_index(docs, topic_keywords={"space": ["telescope"]})
    top = index.recommend(Profile(keywords=("télescope",), explore=False), k=2, now=NOW)
    assert "fr" in [r.doc_id for r in top]
    assert index.recommend(Profile(keywords=("惑星",)), k=3, now=NOW)


def test_disliked_article_and_muted_source_leave_and_liked_lifts_its_like(index):
    profile = Profile(topics={"food": 1.0}, disliked=("food-0",), liked=("space-0",))
    recommendations = index.recommend(profile, k=12, now=NOW)
    ids = [r.doc_id for r in recommendations]
    assert "food-0" not in ids
    assert any(r.reasons.liked == ("space-0",) for r in recommendations)


def test_added_article_survives_save_and_load(tmp_path):
    index = build_index(corpus()).with_documents(
        [Document(id="new", title="Planet", text="telescope planet galaxy orbit")]
    )
    save_index(index, tmp_path / "i.npz")
    loaded = load_index(tmp_path / "i.npz")
    profile = Profile(topics={"space": 1.0}, explore=False)
    assert np.allclose(loaded.relevance(profile), index.relevance(profile))
    relevance = loaded.relevance(profile)
    # right after the two space stories editors tagged, above every untagged one
    assert loaded.doc_ids[int(np.argsort(-relevance)[2])] == "new"


@pytest.mark.django_db
def test_django_adapter_builds_from_models_and_ranks_a_new_article_at_once():
    space = TopicFactory(name="Space", keywords="telescope, planet")
    TopicFactory(name="Food", keywords="bread, harvest")
    ArticleFactory(title="Bread at the market", body="<p>bread harvest</p>")
    first = ranking.get_index()
    assert first.topics == ["food", "space"]
    article = ArticleFactory(
        title="A new planet", body="<p>The telescope saw a planet.</p>", topics=[space]
    )
    article.published_at -= timedelta(minutes=1)
    article.save()
    index = ranking.get_index()
    assert index is not first and article.pk in index.doc_ids
    top = index.recommend(Profile(topics={"space": 1.0}, explore=False), k=1)
    assert top[0].doc_id == article.pk


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("tram", "trams"),
        ("trams", "tram"),
        ("policy", "policies"),
        ("boxes", "box"),
        # Beyond singular and plural: Snowball stemming finds every inflection.
        ("elect", "elected"),
        ("running", "runs"),
        ("flooding", "floods"),
        ("heat pumps", "pumping"),
    ],
)
def test_a_keyword_finds_the_inflection_the_article_uses(typed, written):
    docs = [
        *corpus(),
        Document(
            id="it",
            title=f"City news about {written}",
            text=f"The council talked about {written} all evening.",
            source="outlet-9",
            published_at=NOW - timedelta(days=3),
        ),
    ]
    index = build_index(docs, topic_keywords={"space": ["telescope"]})
    assert index.usable_keywords([typed]) == [typed]  # no "unusable keyword" warning
    top = index.recommend(Profile(keywords=(typed,), explore=False), k=1, now=NOW)[0]
    assert top.doc_id == "it"
    assert top.reasons.keywords == (typed,)
    assert written in top.reasons.terms  # the article's own word, as "Why this?" shows it


def test_a_wrong_guess_at_a_plural_matches_nothing(index):
    # "bus" would make "bu": not in the vocabulary, so the keyword stays unusable.
    assert index.keyword_terms("bus") == []
    assert index.usable_keywords(["bus", "telescopes"]) == ["telescopes"]


def test_surface_forms_give_the_articles_own_spelling():
    text = "Le Café de Flore. Un CAFÉ crème, et une crêpe."
    assert surface_forms(["cafe", "creme", "missing"], text) == ["café", "crème", "missing"]
    assert surface_forms(["tram"], "Plain ASCII tram text") == ["tram"]


def test_why_this_names_only_the_words_that_drove_a_keyword_pick():
    """A reader whose only keyword is "tram" is shown the tram words, not every word the
    article shares with some profile."""
    docs = [
        *corpus(),
        Document(
            id="it",
            title="Trams return to the network",
            text="The tram network reopens; space on trams for bikes and free rides all week.",
            published_at=NOW - timedelta(days=1),
        ),
    ]
    index = build_index(docs, topic_keywords={"space": ["telescope", "space"]})
    top = index.recommend(Profile(keywords=("tram",), explore=False), k=1, now=NOW)[0]
    assert top.doc_id == "it"
    assert set(top.reasons.terms) == {"tram", "trams"}


def test_a_liked_article_is_not_put_back_at_the_top_because_of_itself(index):
    before = index.recommend(Profile(topics={"food": 1.0}, explore=False), k=12, now=NOW)
    liked = before[0].doc_id
    profile = Profile(topics={"food": 1.0}, liked=(liked,), explore=False)
    after = index.recommend(profile, k=12, now=NOW)
    own = next(r for r in after if r.doc_id == liked)
    assert liked not in own.reasons.liked  # never "because you liked" itself
    scores = index.score(profile)
    assert scores.liked_scores is not None and scores.liked_scores[index.position[liked]] == 0
    # The like lifts the others: some other article now says it resembles the liked one.
    assert any(r.reasons.liked == (liked,) for r in after if r.doc_id != liked)
