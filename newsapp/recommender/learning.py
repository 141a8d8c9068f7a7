"""How the index learns what each topic is about.

Two ways, chosen per topic by the evidence available:

* **A linear model over the tagged articles** when editors tagged articles with the topic
  and with something else (so there are examples of what the topic is *not*). One linear
  SVM per topic (scikit-learn's ``LinearSVC``, one topic against the rest) is fitted on the
  tagged articles, with each topic's keywords added as one more labelled pseudo-article so
  the editors' description keeps counting.

  The untagged articles teach it too (the model is *transductive*): a truncated SVD of the
  whole corpus (latent semantic analysis, ``LATENT_DIMENSIONS`` directions) learns which
  words occur together in this newsroom, tagged or not, and the SVM sees those
  latent coordinates beside the words. A headline that shares no word with any tagged
  article but uses words that co-occur with them is still found. Because the latent
  coordinates are a linear map of the TF-IDF vector, the learned model folds back into one
  weight per term: a profile stays a vector over the vocabulary, a new article is scored
  by one dot product, and "Why this?" can name the terms that really drove a score.

  Each topic's score is then calibrated (Platt scaling on the tagged articles) into the
  log-odds that an editor would file the article under it, so a rare topic and a common
  one speak the same language: a reader following both gets the union, not whichever
  topic has the louder model.
* **A prototype** (Rocchio) otherwise: the centroid of whatever was tagged blended with
  the keywords, refined once by pseudo-relevance feedback (the centroid of the articles
  it already ranks highest), so a topic with keywords only, or the only topic of a
  corpus, still finds its untagged articles by content.

Either way a topic ends as a sparse weight vector over the vocabulary and an offset:
``affinity = (profile · article - offset) / scale`` is > 0 for an article the index takes
to be about the topic, and comparable across topics.

scikit-learn is imported where it is used, not with the module: a process that only reads
a saved index (a web worker) uses this module's constants alone, and scikit-learn's import
costs about 70 MB of its memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

# Keyword evidence stands in for this many tagged articles.
KEYWORD_PRIOR = 5.0
# Margin penalty of the linear SVMs: the scikit-learn default, not tuned per corpus.
SVM_C = 1.0
# Most terms kept per prototype profile. An SVM profile keeps every weight it learned:
# cutting it costs ranking quality and a topic row is small beside the article matrix.
PROFILE_TERMS = 5000
# Pseudo-relevance feedback for prototype topics: how many top articles, and their weight.
FEEDBACK_DOCS = 10
FEEDBACK_WEIGHT = 0.5
# A prototype topic takes an article to be about it above this many standard deviations.
PROTOTYPE_THRESHOLD = 2.5
# Latent directions learned from the whole corpus, how strongly they count beside the
# words, and how many articles (a seeded sample) the SVD reads, so the build stays linear
# in the corpus. One setting for every corpus, fixed in advance, not tuned to one.
LATENT_DIMENSIONS = 100
LATENT_WEIGHT = 2.0
LATENT_SAMPLE = 10_000
LATENT_ITERATIONS = 2
LATENT_SEED = 0
# Most articles one topic's SVM is fitted on: every positive (up to half of them) and a
# seeded sample of the rest, so a build at 100k articles stays within a minute. Smaller
# newsrooms (and every evaluation corpus) train on all their tagged articles.
SVM_SAMPLE = 12_000
# Calibrated log-odds are kept within this range (odds of about 1 in 10^13 either way).
LOGIT_LIMIT = 30.0


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
    from sklearn.preprocessing import normalize  # scikit-learn: see the module's note

    if not len(rows):
        return sp.csr_matrix((1, matrix.shape[1]), dtype=np.float32)
    return normalize(sp.csr_matrix(matrix[rows].mean(axis=0)))


def _prototype(
    matrix: sp.csr_matrix, tagged_rows: np.ndarray, keyword_vector: sp.csr_matrix | None
) -> sp.csr_matrix:
    from sklearn.preprocessing import normalize

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


def latent_basis(matrix: sp.csr_matrix) -> np.ndarray | None:
    """The corpus's main directions of co-occurring words (rows: directions, columns:
    terms), from a truncated SVD of at most ``LATENT_SAMPLE`` articles; None for a corpus
    too small to have any."""
    from sklearn.utils.extmath import randomized_svd

    n_docs, n_terms = matrix.shape
    dimensions = min(LATENT_DIMENSIONS, n_docs - 1, n_terms - 1)
    if dimensions < 2:
        return None
    sample = matrix
    if n_docs > LATENT_SAMPLE:
        rows = np.random.default_rng(LATENT_SEED).choice(n_docs, LATENT_SAMPLE, replace=False)
        sample = matrix[np.sort(rows)]
    _, _, components = randomized_svd(
        sample, dimensions, n_iter=LATENT_ITERATIONS, random_state=LATENT_SEED
    )
    return np.asarray(components, dtype=np.float32)


def _with_latent(rows: sp.csr_matrix, basis: np.ndarray | None) -> sp.csr_matrix:
    if basis is None:
        return rows
    latent = np.asarray(rows @ basis.T) * LATENT_WEIGHT
    return sp.hstack([rows, sp.csr_matrix(latent)]).tocsr()


def _platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Slope and intercept turning a topic's score into calibrated log-odds, fitted on the
    tagged articles; the slope is kept positive so calibration never reverses a ranking."""
    spread = float(scores.std())
    if spread <= 1e-12:
        return 1.0, 0.0
    # A one-feature logistic regression (L2 penalty 1/2 on the slope, as scikit-learn's
    # with C=1), solved by Newton's method: a few vector passes, no solver set-up per topic.
    x = scores.astype(np.float64) / spread
    y = labels.astype(np.float64)
    slope, bias = 0.0, 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(slope * x + bias, -LOGIT_LIMIT, LOGIT_LIMIT)))
        r = p - y
        w = p * (1.0 - p)
        gradient = np.array([x @ r + slope, r.sum()])
        hessian = np.array([[x @ (w * x) + 1.0, x @ w], [x @ w, w.sum() + 1e-9]])
        step = np.linalg.solve(hessian, gradient)
        slope, bias = slope - step[0], bias - step[1]
        if abs(step).max() < 1e-8:
            break
    return max(slope, 1e-3) / spread, bias


def _svm_rows(positive: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The training rows of one topic's SVM: all of them up to ``SVM_SAMPLE``, else every
    positive (at most half the sample) and a seeded sample of the negatives."""
    if len(positive) <= SVM_SAMPLE:
        return np.arange(len(positive))
    pos, neg = np.flatnonzero(positive), np.flatnonzero(~positive)
    if len(pos) > SVM_SAMPLE // 2:
        pos = np.sort(rng.choice(pos, SVM_SAMPLE // 2, replace=False))
    neg = np.sort(rng.choice(neg, min(len(neg), SVM_SAMPLE - len(pos)), replace=False))
    return np.sort(np.concatenate([pos, neg]))


def learn_topics(
    matrix: sp.csr_matrix,
    tags: sp.csr_matrix,
    topics: Sequence[str],
    keyword_vectors: Mapping[str, sp.csr_matrix],
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Profiles (topics x terms), offsets, scales, and the raw scores of every article.

    ``tags`` is (articles x topics) from editors; ``keyword_vectors`` maps a slug to the
    normalised TF-IDF of its keywords (absent when it has none). A learned topic's
    ``(raw - offset) / scale`` is its calibrated log-odds; a prototype topic's is a
    z-score anchored ``PROTOTYPE_THRESHOLD`` deviations above the mean.
    """
    from sklearn.svm import LinearSVC

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
    calibrated: dict[int, tuple[float, float]] = {}
    prototype_topics = [t for t in range(n_topics) if not learnable[t]]
    if learnable.any():
        # Keywords join the training data as pseudo-articles labelled with their topic.
        pseudo = [(t, keyword_vectors[s]) for t, s in enumerate(topics) if s in keyword_vectors]
        rows = [matrix[labelled]] + [vector for _, vector in pseudo]
        basis = latent_basis(matrix)
        x = _with_latent(sp.vstack(rows).tocsr(), basis).astype(np.float64)
        y = np.vstack(
            [tags[labelled].toarray()]
            + [np.eye(1, n_topics, t, dtype=np.float32) for t, _ in pseudo]
        )
        weights = np.concatenate([np.ones(len(labelled)), np.full(len(pseudo), KEYWORD_PRIOR)])
        columns = np.flatnonzero(learnable)
        coef = np.zeros((len(columns), x.shape[1]), dtype=np.float64)
        intercept = np.zeros(len(columns), dtype=np.float64)
        rng = np.random.default_rng(LATENT_SEED)
        for j, t in enumerate(columns.tolist()):
            rows_t = _svm_rows(y[:, t] > 0, rng)
            model = LinearSVC(C=SVM_C).fit(
                x[rows_t], y[rows_t, t] > 0, sample_weight=weights[rows_t]
            )
            coef[j], intercept[j] = model.coef_.ravel(), float(model.intercept_[0])
        # Fold the latent weights back onto the terms: one weight per term and topic.
        term_coef = coef[:, :n_terms]
        if basis is not None:
            term_coef = term_coef + LATENT_WEIGHT * (coef[:, n_terms:] @ basis)
        term_coef = term_coef.astype(np.float32)
        labelled_raw = np.asarray(matrix[labelled] @ term_coef.T)
        for j, t in enumerate(columns.tolist()):
            profiles[t] = sp.csr_matrix(term_coef[j])
            slope, bias = _platt(
                labelled_raw[:, j] + intercept[j], tags[labelled].getcol(t).toarray().ravel()
            )
            # log-odds = slope * (raw + intercept) + bias = (raw - offset) / scale
            calibrated[t] = (-(intercept[j] + bias / slope), 1.0 / slope)
    for t in prototype_topics:
        slug = topics[t]
        tagged_rows = tags.getcol(t).nonzero()[0]
        profiles[t] = top_terms(
            _prototype(matrix, tagged_rows, keyword_vectors.get(slug)), PROFILE_TERMS
        )
    topic_profiles = sp.vstack(profiles).tocsr().astype(np.float32)
    # A learned profile weighs every term: a dense product is the cheap one.
    raw = np.ascontiguousarray(np.asarray(matrix @ topic_profiles.T.toarray()).T, np.float32)
    scales = raw.std(axis=1) if n_docs else np.ones(n_topics, dtype=np.float32)
    scales = np.where(scales > 1e-9, scales, 1.0).astype(np.float32)
    if prototype_topics and n_docs:
        means = raw.mean(axis=1)
        offsets[prototype_topics] = means[prototype_topics] + (
            PROTOTYPE_THRESHOLD * scales[prototype_topics]
        )
    for t, (offset, scale) in calibrated.items():
        offsets[t], scales[t] = offset, scale
    return topic_profiles, offsets, scales, raw
