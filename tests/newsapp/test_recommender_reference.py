"""The recommender's fast paths give what the straightforward computation gives.

The top-k selection, the diversity pass and the page-at-once explanations each take a
short cut (a sampled threshold, one sparse product per block, one batch of array work for
a page); these tests compare each with the plain computation it stands for: a stable sort
of every score, a greedy pass over the full similarity matrix, and each card's reasons
worked out alone with the formula of ``explain.py``.
"""

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsapp.recommender import Profile, build_index
from newsapp.recommender.explain import LOGIT_CAP, SHOWN_TERMS, Explainer
from newsapp.recommender.index import (
    FRESHNESS_WEIGHT,
    NEAR_DUPLICATE,
    RELEVANCE_CAP,
    WEIGHT_SHIFT,
    _top,
)
from tests.benchmarks.corpus import generate, topic_slugs

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.sampled_from([1, 7, 100, 4095, 4096, 20_000]),
    k=st.sampled_from([1, 5, 40, 80, 400]),
    shape=st.sampled_from(["random", "few values", "sorted", "periodic", "mostly -inf"]),
)
def test_top_k_is_a_stable_sort_of_every_score(seed, n, k, shape):
    rng = np.random.default_rng(seed)
    if shape == "random":
        score = rng.normal(size=n).astype(np.float32)
    elif shape == "few values":  # ties everywhere, the k-th among them
        score = rng.integers(0, 4, size=n).astype(np.float32)
    elif shape == "sorted":  # a sample of every 16th misjudges nothing here, but check
        score = np.sort(rng.normal(size=n)).astype(np.float32)
    elif shape == "periodic":  # the sampled positions are the low ones
        score = np.where(np.arange(n) % 16 == 0, -1.0, rng.random(n)).astype(np.float32)
    else:
        score = np.full(n, -np.inf, dtype=np.float32)
        score[rng.integers(0, n, size=max(1, n // 500))] = rng.random(max(1, n // 500))
    score[rng.integers(0, n, size=n // 50)] = -np.inf
    expected = np.argsort(-score, kind="stable")[:k]
    assert _top(score, k).tolist() == expected.tolist()


@pytest.fixture(scope="module")
def bench_index():
    documents, keywords, topic_words = generate(800, seed=3)
    return build_index(documents, topic_keywords=keywords), topic_words


def reader_profiles(index, topic_words, count=12):
    rng = np.random.default_rng(5)
    slugs = topic_slugs()
    profiles = []
    for j in range(count):
        # (Past half of all topics, their odds are summed by one matrix-vector product.)
        chosen = rng.choice(len(slugs), size=[1, 3, 8, 14, 20][j % 5], replace=False)
        profiles.append(
            Profile(
                topics={slugs[int(t)]: float(rng.choice([1, 2, 3])) for t in chosen}
                if j % 4
                else {},
                keywords=tuple(
                    str(topic_words[int(rng.integers(len(slugs)))][int(rng.integers(50, 300))])
                    for _ in range(j % 3)
                ),
                liked=tuple(index.doc_ids[int(i)] for i in rng.integers(0, len(index), j % 2)),
                muted_topics=frozenset({slugs[int(rng.integers(len(slugs)))]}) if j % 5 else (),
                explore=False,
            )
        )
    return profiles


def reference_ranking(index, profile, k):
    """Stable sort of every score, then the greedy diversity pass over all similarities."""
    score = np.minimum(index.relevance(profile), RELEVANCE_CAP) + FRESHNESS_WEIGHT * (
        index.freshness(NOW)
    )
    score = np.where(index.allowed(profile), score, -np.inf)
    candidates = np.argsort(-score, kind="stable")[: max(k * 4, 40)]
    candidates = candidates[np.isfinite(score[candidates])]
    rows = index.matrix[candidates]
    similarity = (rows @ rows.T).toarray()  # row: the candidate, column: the other
    picks, deferred, per_source = [], [], {}
    for j, candidate in enumerate(candidates.tolist()):
        if len(picks) >= k:
            break
        if any(similarity[j, p] > NEAR_DUPLICATE for p, _ in picks):
            continue
        source = int(index.sources[candidate])
        run = len(picks) >= 2 and all(s == source for _, s in picks[-2:])
        if source >= 0 and (run or per_source.get(source, 0) >= max(2, math.ceil(k / 2))):
            deferred.append(candidate)
            continue
        picks.append((j, source))
        per_source[source] = per_source.get(source, 0) + 1
    ranked = [int(candidates[j]) for j, _ in picks]
    return [index.doc_ids[i] for i in ranked + deferred[: max(0, k - len(ranked))]]


def reference_reasons(scoring, i):
    """Topics, shown words and keywords of one pick, by the formula of ``explain.py``."""
    rows = scoring.topic_rows
    affinity = scoring.topic_affinity[rows, i]
    weighted = affinity + scoring.topic_shifts
    odds = np.exp(np.minimum(weighted, LOGIT_CAP))
    about = np.flatnonzero(weighted > 0)
    about = about[np.argsort(-weighted[about], kind="stable")]
    total = float(odds[about].sum())
    slugs = [t.slug for t in scoring.followed]
    topics = tuple((slugs[t], round(float(odds[t]) / total, 3)) for t in about)
    start, end = scoring.matrix.indptr[i], scoring.matrix.indptr[i + 1]
    columns = scoring.matrix.indices[start:end]
    weights = np.zeros(len(columns), dtype=np.float32)
    topic, keyword = scoring.topic_relevance, scoring.keyword_relevance
    if topic is not None and (keyword is None or topic[i] >= keyword[i]):
        shares = (odds / odds.sum()).astype(np.float32)
        weights += scoring.topic_term_weights[columns][:, rows] @ shares
    elif keyword is not None:
        weights += scoring.keyword_query[columns]
    if scoring.liked_query is not None and scoring.liked_scores[i] != 0.0:
        weights += scoring.liked_query[columns]
    contribution = scoring.matrix.data[start:end] * weights
    order = np.argsort(-contribution, kind="stable")[:SHOWN_TERMS]
    terms = tuple(str(scoring.terms[columns[j]]) for j in order if contribution[j] > 0)
    keywords = tuple(k for k, cols in scoring.keyword_columns if cols & set(columns.tolist()))
    return topics, terms, keywords


def test_followed_topics_add_up_as_odds_however_many_are_followed(bench_index):
    """Relevance is the log of the followed topics' summed odds, each times e^shift for the
    reader's weight: the same whether the index adds the rows one by one (a few topics) or
    in one product (most of them), as float64 arithmetic gives it."""
    index, _ = bench_index
    slugs = topic_slugs()
    rng = np.random.default_rng(11)
    for size in (1, 2, 5, 10, 11, 15, 20):
        chosen = rng.choice(len(slugs), size=size, replace=False)
        weights = {slugs[int(t)]: float(rng.choice([1, 2, 3])) for t in chosen}
        got = index.relevance(Profile(topics=weights, explore=False))
        rows = [index.topic_position[s] for s in weights]
        wanted = np.array(list(weights.values()))
        shifts = WEIGHT_SHIFT * np.log2(wanted / wanted.max())
        odds = np.exp(index.affinity[rows].astype(np.float64) + shifts[:, None])
        expected = np.log(odds.sum(axis=0))
        assert np.allclose(got, expected, atol=1e-4, rtol=1e-5), size


@pytest.mark.parametrize("k", [5, 20, 60])
def test_recommendations_are_the_reference_ranking_with_the_reference_reasons(bench_index, k):
    index, topic_words = bench_index
    for profile in reader_profiles(index, topic_words):
        got = index.recommend(profile, k=k, now=NOW)
        assert [r.doc_id for r in got] == reference_ranking(index, profile, k)
        scoring = index.score(profile)
        for r in got:
            reasons = r.reasons
            expected = reference_reasons(scoring, index.position[r.doc_id])
            assert (reasons.topics, reasons.terms, reasons.keywords) == expected


def test_a_page_explained_at_once_is_each_card_explained_alone(bench_index):
    index, topic_words = bench_index
    for profile in reader_profiles(index, topic_words):
        scoring = index.score(profile)
        fresh = index.freshness(NOW)
        rows = [*np.argsort(-scoring.relevance, kind="stable")[:30].tolist(), 0, 1, 2]
        freshness = [float(fresh[i]) for i in rows]
        exploring = [j == 3 for j in range(len(rows))]
        page = Explainer(scoring).explain(rows, freshness, exploring)
        alone = [
            Explainer(scoring).reasons(i, f, e)
            for i, f, e in zip(rows, freshness, exploring, strict=True)
        ]
        assert page == alone
        assert page[3].exploration and not page[0].exploration
