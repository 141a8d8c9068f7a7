"""How the index learns what each topic is about.

Two ways, chosen per topic by the evidence available:

* **A linear model over the tagged articles** when editors tagged articles with the topic
  and with something else (so there are examples of what the topic is *not*). One ridge
  regression (targets +1 / -1, one column per topic) is fitted on the tagged articles,
  with each topic's keywords added as one more labelled pseudo-article so the editors'
  description keeps counting. Ridge is the least-squares cousin of a linear SVM: on TF-IDF
  it ranks as well, fits every topic in one solve, and its output is on the same scale
  for every topic (0 is the boundary), so followed topics compare fairly.
* **A prototype** (Rocchio) otherwise: the centroid of whatever was tagged blended with
  the keywords, refined once by pseudo-relevance feedback (the centroid of the articles
  it already ranks highest), so a topic with keywords only, or the only topic of a
  corpus, still finds its untagged articles by content.

Either way a topic ends as a sparse weight vector over the vocabulary and an offset:
``affinity = (profile · article - offset) / scale`` is > 0 for an article the index takes
to be about the topic, and comparable across topics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import Ridge
from sklearn.preprocessing import normalize

# Keyword evidence stands in for this many tagged articles.
KEYWORD_PRIOR = 5.0
# Ridge penalty: the scikit-learn default, a fixed choice, not tuned per corpus.
RIDGE_ALPHA = 1.0
# Most terms kept per prototype profile. A ridge profile keeps every weight it learned:
# cutting it costs ranking quality and a topic row is small beside the article matrix.
PROFILE_TERMS = 5000
# Pseudo-relevance feedback for prototype topics: how many top articles, and their weight.
FEEDBACK_DOCS = 10
FEEDBACK_WEIGHT = 0.5
# A prototype topic takes an article to be about it above this many standard deviations.
PROTOTYPE_THRESHOLD = 2.5


def top_terms(vector: sp.csr_matrix, limit: int) -> sp.csr_matrix:
    """Keep only the ``limit`` terms of largest absolute weight of a one-row vector."""
    vector = sp.csr_matrix(vector)
    if vector.nnz <= limit:
        return vector
    keep = np.argpartition(np.abs(vector.data), -limit)[-limit:]
    return sp.csr_matrix(
        (vector.data[keep], (np.zeros(limit, dtype=np.int32), vector.indices[keep])),
        shape=vector.shape,
    )


def _centroid(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    if not len(rows):
        return sp.csr_matrix((1, matrix.shape[1]), dtype=np.float32)
    return normalize(sp.csr_matrix(matrix[rows].mean(axis=0)))


def _prototype(
    matrix: sp.csr_matrix, tagged_rows: np.ndarray, keyword_vector: sp.csr_matrix | None
) -> sp.csr_matrix:
    n = len(tagged_rows)
    profile = _centroid(matrix, tagged_rows)
    if keyword_vector is not None:
        profile = profile * (n / (n + KEYWORD_PRIOR)) + keyword_vector * (
            KEYWORD_PRIOR / (n + KEYWORD_PRIOR)
        )
    profile = normalize(sp.csr_matrix(profile))
    if profile.nnz and matrix.shape[0] > FEEDBACK_DOCS:
        # Feedback only from articles already clearly about the topic, so a small corpus
        # does not pull the profile towards everything it holds.
        scores = np.asarray((matrix @ profile.T).todense()).ravel()
        best = np.argpartition(-scores, FEEDBACK_DOCS)[:FEEDBACK_DOCS]
        floor = scores.mean() + PROTOTYPE_THRESHOLD * scores.std()
        best = best[scores[best] >= floor]
        if len(best):
            profile = normalize(profile + FEEDBACK_WEIGHT * _centroid(matrix, best))
    return sp.csr_matrix(profile)


def learn_topics(
    matrix: sp.csr_matrix,
    tags: sp.csr_matrix,
    topics: Sequence[str],
    keyword_vectors: Mapping[str, sp.csr_matrix],
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Profiles (topics x terms), offsets, scales, and the raw scores of every article.

    ``tags`` is (articles x topics) from editors; ``keyword_vectors`` maps a slug to the
    normalised TF-IDF of its keywords (absent when it has none).
    """
    n_docs, n_terms = matrix.shape
    n_topics = len(topics)
    if not n_topics:
        empty = np.zeros(0, dtype=np.float32)
        return (
            sp.csr_matrix((0, n_terms), dtype=np.float32),
            empty,
            empty,
            np.zeros((0, n_docs), dtype=np.float32),
        )
    tags = sp.csr_matrix(tags, dtype=np.float32)
    labelled = np.flatnonzero(np.asarray(tags.sum(axis=1)).ravel() > 0)
    counts = np.asarray(tags[labelled].sum(axis=0)).ravel()
    learnable = (counts > 0) & (counts < len(labelled))
    profiles: list[sp.csr_matrix | None] = [None] * n_topics  # every one is set below
    offsets = np.zeros(n_topics, dtype=np.float32)
    prototype_topics = [t for t in range(n_topics) if not learnable[t]]
    if learnable.any():
        # Keywords join the training data as pseudo-articles labelled with their topic.
        pseudo = [(t, keyword_vectors[s]) for t, s in enumerate(topics) if s in keyword_vectors]
        rows = [matrix[labelled]] + [vector for _, vector in pseudo]
        x = sp.vstack(rows).tocsr().astype(np.float64)
        y = np.vstack(
            [tags[labelled].toarray()]
            + [np.eye(1, n_topics, t, dtype=np.float32) for t, _ in pseudo]
        )
        weights = np.concatenate([np.ones(len(labelled)), np.full(len(pseudo), KEYWORD_PRIOR)])
        columns = np.flatnonzero(learnable)
        model = Ridge(alpha=RIDGE_ALPHA, solver="sparse_cg")
        model.fit(x, 2.0 * y[:, columns] - 1.0, sample_weight=weights)
        coef = np.atleast_2d(model.coef_)
        intercept = np.atleast_1d(model.intercept_)
        for j, column in enumerate(columns.tolist()):
            profiles[column] = sp.csr_matrix(coef[j].astype(np.float32))
            offsets[column] = -float(intercept[j])  # the decision boundary sits at 0
    for t in prototype_topics:
        slug = topics[t]
        tagged_rows = tags.getcol(t).nonzero()[0]
        profiles[t] = top_terms(
            _prototype(matrix, tagged_rows, keyword_vectors.get(slug)), PROFILE_TERMS
        )
    topic_profiles = sp.vstack(profiles).tocsr().astype(np.float32)
    raw = (topic_profiles @ matrix.T).toarray().astype(np.float32)
    scales = raw.std(axis=1) if n_docs else np.ones(n_topics, dtype=np.float32)
    scales = np.where(scales > 1e-9, scales, 1.0).astype(np.float32)
    if prototype_topics and n_docs:
        means = raw.mean(axis=1)
        offsets[prototype_topics] = means[prototype_topics] + (
            PROTOTYPE_THRESHOLD * scales[prototype_topics]
        )
    return topic_profiles, offsets, scales, raw
