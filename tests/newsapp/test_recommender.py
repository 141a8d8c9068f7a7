"""The recommender core alone: no Django settings, no database."""

from datetime import UTC, datetime, timedelta

import numpy as np

from newsapp.recommender import Document, Profile, build_index, load_index, save_index
from tests.newsapp.corpus import FOOD, SPACE, SPORT

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def corpus(tag_every: int = 2) -> list[Document]:
    docs = []
    for subject, texts in (("sport", SPORT), ("food", FOOD), ("space", SPACE)):
        for i, text in enumerate(texts):
            docs.append(
                Document(
                    id=f"{subject}-{i}",
                    title=text.split(" the ")[0],
                    text=text,
                    topics=frozenset({subject}) if i % tag_every == 0 else frozenset(),
                    source=f"outlet-{i % 3}",
                    published_at=NOW - timedelta(hours=6 * i),
                )
            )
    return docs


def test_untagged_articles_rank_by_content_for_the_followed_topic():
    index = build_index(corpus())
    relevance = index.relevance(Profile(topics={"food": 1.0}))
    ranked = [index.doc_ids[i] for i in np.argsort(-relevance)]
    assert all(doc_id.startswith("food") for doc_id in ranked[:4])


def test_topic_with_no_tagged_article_works_from_its_keywords():
    docs = [
        Document(
            id=d.id,
            title=d.title,
            text=d.text,
            topics=d.topics - {"space"},
            source=d.source,
            published_at=d.published_at,
        )
        for d in corpus()
    ]
    keywords = ["telescope", "planet", "galaxy", "orbit", "moon"]
    index = build_index(docs, topic_keywords={"space": keywords})
    recommendations = index.recommend(Profile(topics={"space": 1.0}, explore=False), k=3, now=NOW)
    assert [r.doc_id.split("-")[0] for r in recommendations] == ["space"] * 3


def test_muted_topic_and_source_never_appear():
    index = build_index(corpus(tag_every=1))
    profile = Profile(
        topics={"sport": 1.0, "food": 1.0},
        muted_topics=frozenset({"food"}),
        muted_sources=frozenset({"outlet-0"}),
    )
    recommendations = index.recommend(profile, k=12, now=NOW)
    ids = [r.doc_id for r in recommendations]
    assert ids and not any(i.startswith("food") for i in ids)
    assert not any(i.endswith("-0") or i.endswith("-3") for i in ids)


def test_explanation_terms_occur_in_the_article():
    docs = {d.id: d for d in corpus()}
    index = build_index(docs.values())
    profile = Profile(topics={"sport": 1.0}, keywords=("harvest",))
    recommendations = index.recommend(profile, k=6, now=NOW)
    explained = [r for r in recommendations if r.reasons.terms]
    assert explained
    for rec in explained:
        text = f"{docs[rec.doc_id].title} {docs[rec.doc_id].text}".lower()
        for term in rec.reasons.terms:
            assert term in text


def test_exploration_pick_is_labelled_and_can_be_turned_off():
    index = build_index(corpus(tag_every=1))
    on = index.recommend(Profile(topics={"sport": 1.0}), k=6, now=NOW)
    explorations = [r for r in on if r.reasons.exploration]
    assert len(explorations) == 1 and not explorations[0].doc_id.startswith("sport")
    off = index.recommend(Profile(topics={"sport": 1.0}, explore=False), k=6, now=NOW)
    assert not any(r.reasons.exploration for r in off)


def test_save_load_round_trip_ranks_identically(tmp_path):
    index = build_index(corpus())
    path = tmp_path / "index.npz"
    save_index(index, path)
    loaded = load_index(path)
    profile = Profile(topics={"space": 2.0, "food": 1.0}, keywords=("bread",))
    assert [r.doc_id for r in loaded.recommend(profile, now=NOW)] == [
        r.doc_id for r in index.recommend(profile, now=NOW)
    ]


def test_added_article_is_ranked_without_refit():
    text = "A comet passed the planet as the observatory telescope watched the galaxy."
    index = build_index(corpus()).with_documents(
        [Document(id="new", title="Comet seen", text=text, published_at=NOW)]
    )
    top = index.recommend(Profile(topics={"space": 1.0}, explore=False), k=3, now=NOW)
    assert "new" in [r.doc_id for r in top]


def test_bad_inputs_do_not_break_ranking():
    empty = build_index([])
    assert empty.recommend(Profile(topics={"x": 1.0}), now=NOW) == []
    docs = [
        *corpus(),
        Document(id="blank", title="", text=""),
        Document(id="big", title="x", text="word " * 200_000),
    ]
    index = build_index(docs)
    stop_words_only = Profile(keywords=("the", "and", "of"))
    assert len(index.recommend(stop_words_only, k=5, now=NOW)) == 5
    assert index.usable_keywords(["the", "telescope", "zzzqqq"]) == ["telescope"]


def test_the_only_topic_of_a_corpus_still_ranks_its_untagged_articles_first():
    docs = [
        Document(
            id=d.id,
            title=d.title,
            text=d.text,
            topics=d.topics if d.id.startswith("space") else frozenset(),
            published_at=d.published_at,
        )
        for d in corpus()
    ]
    index = build_index(docs, topic_keywords={"space": ["Space", "rocket", "planet", "moon"]})
    assert index.topics == ["space"]
    relevance = index.relevance(Profile(topics={"space": 1.0}))
    ranked = [index.doc_ids[i] for i in np.argsort(-relevance)]
    assert all(doc_id.startswith("space") for doc_id in ranked[:4])


def test_keyword_only_topic_beside_learned_topics_ranks_its_untagged_articles():
    docs = [
        Document(id=d.id, title=d.title, text=d.text, topics=d.topics - {"space"})
        for d in corpus(tag_every=1)
    ]
    index = build_index(docs, topic_keywords={"space": ["telescope", "planet", "orbit"]})
    relevance = index.relevance(Profile(topics={"space": 1.0}))
    ranked = [index.doc_ids[i] for i in np.argsort(-relevance)]
    # the two space stories that share a word with the keywords lead
    assert set(ranked[:2]) == {"space-0", "space-1"}


def test_articles_about_the_chosen_region_rise_and_say_so(tmp_path):
    target = [d.id for d in corpus() if d.id.startswith("food-")][-1]  # the oldest food story
    docs = [
        Document(
            id=d.id,
            title=d.title,
            text=d.text,
            topics=d.topics,
            source=d.source,
            published_at=d.published_at,
            region="harbourside" if d.id == target else None,
        )
        for d in corpus()
    ]
    index = build_index(docs)
    plain = [r.doc_id for r in index.recommend(Profile(topics={"food": 2.0}), k=6, now=NOW)]
    local = index.recommend(Profile(topics={"food": 2.0}, region="harbourside"), k=6, now=NOW)
    ids = [r.doc_id for r in local]
    assert ids.index(target) <= (plain.index(target) if target in plain else 99)
    every = len(docs)
    before = {
        r.doc_id: r.score for r in index.recommend(Profile(topics={"food": 2.0}), k=every, now=NOW)
    }
    after = {
        r.doc_id: r.score
        for r in index.recommend(
            Profile(topics={"food": 2.0}, region="harbourside"), k=every, now=NOW
        )
    }
    assert after[target] > before[target] + 0.4
    assert next(r for r in local if r.doc_id == target).reasons.local
    assert not any(r.reasons.local for r in local if r.doc_id != target)
    # The region survives a save and load; an unknown region changes nothing.
    save_index(index, tmp_path / "index.npz")
    loaded = load_index(tmp_path / "index.npz")
    again = loaded.recommend(Profile(topics={"food": 2.0}, region="harbourside"), k=6, now=NOW)
    assert [r.doc_id for r in again] == ids
    unknown = index.recommend(Profile(topics={"food": 2.0}, region="nowhere"), k=6, now=NOW)
    assert [r.doc_id for r in unknown] == plain


def test_reading_history_lifts_similar_articles():
    index = build_index(corpus())
    base = index.relevance(Profile(topics={"sport": 2.0}))
    with_history = index.relevance(Profile(topics={"sport": 2.0}, history=("space-0",)))
    space_rows = [i for i, doc_id in enumerate(index.doc_ids) if doc_id.startswith("space-")]
    assert with_history[space_rows].mean() > base[space_rows].mean() + 0.1
