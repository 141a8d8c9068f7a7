"""A seeded synthetic newsroom for the benchmarks: no text from anywhere else.

Words are random letter strings; each topic owns a vocabulary of its own and every
article mixes its topic's words with a large shared vocabulary, both drawn with a Zipf
law as real words are. Articles are short news items (a title and about 120 words).
"""

from datetime import UTC, datetime, timedelta

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from newsapp.recommender import Document

N_TOPICS = 20
SHARED_WORDS = 30_000
TOPIC_WORDS = 400
BODY_WORDS = 120
TITLE_WORDS = 8
TOPIC_SHARE = 0.25
TAGGED_SHARE = 0.3
SOURCES = 50
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def _words(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words: list[str] = []
    while len(words) < count:
        word = "".join(rng.choice(letters, size=int(rng.integers(4, 11))))
        if word not in taken and word not in ENGLISH_STOP_WORDS:
            taken.add(word)
            words.append(word)
    return words


def _zipf(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 1.07
    return weights / weights.sum()


def topic_slugs() -> list[str]:
    return [f"topic-{t:02d}" for t in range(N_TOPICS)]


def generate(n_docs: int, seed: int = 0):
    """``(documents, topic_keywords, topic_words)`` for ``n_docs`` articles."""
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    shared = np.array(_words(rng, SHARED_WORDS, taken))
    own = [np.array(_words(rng, TOPIC_WORDS, taken)) for _ in range(N_TOPICS)]
    slugs = topic_slugs()
    p_shared, p_own = _zipf(SHARED_WORDS), _zipf(TOPIC_WORDS)
    per_doc = BODY_WORDS + TITLE_WORDS
    n_own = int(per_doc * TOPIC_SHARE)
    primary = rng.integers(0, N_TOPICS, size=n_docs)
    shared_draws = rng.choice(SHARED_WORDS, size=(n_docs, per_doc - n_own), p=p_shared)
    own_draws = rng.choice(TOPIC_WORDS, size=(n_docs, n_own), p=p_own)
    tagged = rng.random(n_docs) < TAGGED_SHARE
    second = rng.random(n_docs) < 0.1
    ages = rng.random(n_docs) * 30 * 24
    documents = []
    for i in range(n_docs):
        words = np.concatenate([shared[shared_draws[i]], own[primary[i]][own_draws[i]]])
        rng.shuffle(words)
        topics = {slugs[primary[i]]}
        if second[i]:
            topics.add(slugs[(primary[i] + 1) % N_TOPICS])
        documents.append(
            Document(
                id=i,
                title=" ".join(words[:TITLE_WORDS]),
                text=" ".join(words[TITLE_WORDS:]),
                topics=frozenset(topics) if tagged[i] else frozenset(),
                source=f"source-{i % SOURCES}",
                published_at=NOW - timedelta(hours=float(ages[i])),
            )
        )
    keywords = {slug: list(own[t][:5]) for t, slug in enumerate(slugs)}
    return documents, keywords, own
