"""Speed and size of the recommender at scale, against the naive approach.

The naive approach is what one would write first: per request, score the reader's topic
profiles and keywords against the whole TF-IDF matrix with scikit-learn's
``cosine_similarity`` and sort everything. It computes the same relevance as the index
(so the top 20 must agree) but does all the work per request that the index does once.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from newsapp.recommender import Index, Profile, load_index, save_index
from newsapp.recommender.index import FRESHNESS_WEIGHT, RELEVANCE_CAP, WEIGHT_SHIFT
from newsapp.recommender.learning import LOGIT_LIMIT, PROTOTYPE_THRESHOLD
from newsapp.recommender.rows import TAG_FLOOR
from tests.benchmarks.conftest import BUILD_SECONDS, FIGURES
from tests.benchmarks.corpus import NOW, topic_slugs

pytestmark = pytest.mark.benchmark_suite

READER_SIZES = (1, 5, 20)
REQUESTS = 300
NAIVE_REQUESTS = 10
TARGET_P50_MS = 5.0
TARGET_SPEEDUP = 20.0
TARGET_LOAD_S = 2.0
TARGET_MEMORY_MB = 250.0
TARGET_BUILD_S = 60.0


def readers(n_topics: int, topic_words, count: int, seed: int = 1) -> list[Profile]:
    """Readers following ``n_topics`` random topics (mixed weights) and typing 3 keywords."""
    rng = np.random.default_rng(seed + n_topics)
    slugs = topic_slugs()
    profiles = []
    for _ in range(count):
        chosen = rng.choice(len(slugs), size=n_topics, replace=False)
        keywords = tuple(
            str(topic_words[int(rng.integers(len(slugs)))][int(rng.integers(50, 300))])
            for _ in range(3)
        )
        profiles.append(
            Profile(
                topics={slugs[int(t)]: float(rng.choice([1, 2, 3])) for t in chosen},
                keywords=keywords,
                explore=False,
            )
        )
    return profiles


def naive_top(index: Index, profile: Profile, k: int = 20) -> list:
    """The same ranking, computed per request over the whole matrix."""
    rows = [index.topic_position[s] for s in profile.topics]
    weights = np.array([profile.topics[s] for s in profile.topics], dtype=np.float64)
    shifts = WEIGHT_SHIFT * np.log2(weights / weights.max())
    # Each keyword with the other inflections (same stem) the vocabulary holds, as in the index.
    terms = [term for keyword in profile.keywords for term in index.keyword_terms(keyword)]
    keyword = index.vectorise([" ".join(terms)])
    norms = np.sqrt(
        np.asarray(index.topic_profiles[rows].multiply(index.topic_profiles[rows]).sum(axis=1))
    ).ravel()
    cosines = cosine_similarity(index.matrix, index.topic_profiles[rows])
    raw = cosines * norms
    affinity = (raw - index.affinity_mean[rows]) / index.affinity_std[rows]
    tagged = index.tags[:, rows].toarray()
    affinity = np.where(tagged, np.maximum(affinity, TAG_FLOOR), affinity)
    # Followed topics add up as odds (affinities are log-odds), as in the index.
    relevance = np.log(np.exp(np.clip(affinity, -LOGIT_LIMIT, LOGIT_LIMIT) + shifts).sum(axis=1))
    keyword_scores = cosine_similarity(index.matrix, keyword).ravel()
    keyword_scores = (keyword_scores - keyword_scores.mean()) / keyword_scores.std()
    relevance = np.maximum(relevance, keyword_scores - PROTOTYPE_THRESHOLD)
    score = np.minimum(relevance, RELEVANCE_CAP) + FRESHNESS_WEIGHT * index.freshness(NOW)
    return [index.doc_ids[i] for i in np.argsort(-score, kind="stable")[:k]]


def timings_ms(function, arguments) -> np.ndarray:
    function(arguments[0])  # warm caches once, as a long-running worker has
    values = []
    for argument in arguments:
        started = time.perf_counter()
        function(argument)
        values.append((time.perf_counter() - started) * 1000)
    return np.array(values)


def test_build_size_and_save_time(benchmark, built, tmp_path):
    """Build time and size come from the session fixture; this times a save."""
    index = load_index(built)
    benchmark.pedantic(save_index, args=(index, tmp_path / "copy.npz"), rounds=1, iterations=1)
    assert (tmp_path / "copy.npz").stat().st_size == built.stat().st_size
    FIGURES["save time"] = f"{benchmark.stats.stats.median:.2f} s"
    assert BUILD_SECONDS[0] <= TARGET_BUILD_S


def test_load_time(benchmark, built):
    loaded = benchmark.pedantic(load_index, args=(built,), rounds=3, iterations=1)
    assert len(loaded.doc_ids) > 0
    FIGURES["load time (median of 3)"] = f"{benchmark.stats.stats.median:.2f} s"
    assert benchmark.stats.stats.median <= TARGET_LOAD_S


def test_memory_of_a_loaded_index(benchmark, built):
    """Resident memory a worker adds by loading the index, measured in a fresh process."""
    script = (
        "import json, sys\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "from newsapp.recommender import load_index\n"
        "before = rss()\n"
        "index = load_index(sys.argv[1])\n"
        "print(json.dumps({'before': before, 'after': rss()}))\n"
    )
    root = Path(__file__).resolve().parents[2]

    def measure() -> dict:
        command = [sys.executable, "-c", script, str(built)]
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=root)
        return json.loads(done.stdout)

    rss = benchmark.pedantic(measure, rounds=1, iterations=1)
    added = rss["after"] - rss["before"]
    FIGURES["memory of a loaded index"] = (
        f"{added:.0f} MB (worker total {rss['after']:.0f} MB with Python, numpy, scikit-learn)"
    )
    assert added <= TARGET_MEMORY_MB


@pytest.mark.parametrize("n_topics", READER_SIZES)
def test_recommend_latency_against_naive(benchmark, index, corpus, n_topics):
    profiles = readers(n_topics, corpus[2], REQUESTS)
    ours = timings_ms(lambda p: index.recommend(p, k=20, now=NOW), profiles)
    naive = timings_ms(lambda p: naive_top(index, p), profiles[:NAIVE_REQUESTS])
    agreement = np.mean(
        [
            len({r.doc_id for r in index.recommend(p, k=20, now=NOW)} & set(naive_top(index, p)))
            / 20
            for p in profiles[:NAIVE_REQUESTS]
        ]
    )
    rotation = iter(profiles * 1000)
    benchmark(lambda: index.recommend(next(rotation), k=20, now=NOW))
    p50, p99 = np.percentile(ours, 50), np.percentile(ours, 99)
    naive_p50 = np.percentile(naive, 50)
    FIGURES[f"recommend, {n_topics:>2} topics + 3 keywords"] = (
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms; naive p50 {naive_p50:.0f} ms "
        f"({naive_p50 / p50:.0f}x); top-20 agreement {agreement:.0%}"
    )
    assert agreement >= 0.95
    assert p50 <= TARGET_P50_MS
    assert naive_p50 / p50 >= TARGET_SPEEDUP
