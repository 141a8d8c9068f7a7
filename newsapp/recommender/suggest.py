"""Topic suggestions for untagged articles, each with a confidence an editor can read.

A topic's raw score for an article is the article's TF-IDF vector against the topic's
profile in the index. Raw scores are on no fixed scale (they depend on how the profile was
learned), so they are calibrated against a *reference* sample of articles editors already
tagged: for every topic with enough tagged and untagged examples, a one-feature logistic
regression (Platt scaling) turns the score into the probability that an editor would have
tagged the article with that topic. A topic with too few tagged examples falls back to
how far the score stands above the reference articles (in standard deviations, where
``Z_HALF`` deviations reads as 50 %), so keyword-only topics still get suggestions.
The confidence shown is what the article's words add to that probability over an article
with no words at all (so a topic's mere frequency is not suggested to every article).

Uses only the index's public vectors, topic list and topic profiles; no Django.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from newsapp.recommender.index import Index
from newsapp.recommender.terms import document_text
from newsapp.recommender.types import Document

# Standard deviations above the reference mean that read as a 50 % confidence, and how
# quickly confidence grows around it, for topics without enough tagged examples.
Z_HALF = 2.5
Z_SLOPE = 1.5
# Tagged (and untagged) reference articles a topic needs before Platt scaling is trusted.
MIN_EXAMPLES = 5
DEFAULT_LIMIT = 3
DEFAULT_MIN_CONFIDENCE = 0.3


def _text(item: Document | str) -> str:
    return document_text(item) if isinstance(item, Document) else item


def _scores(index: Index, items: Sequence[Document | str]) -> tuple[np.ndarray, np.ndarray]:
    """Raw topic scores (a row per item) and whether each item has any known word."""
    if not items:
        return np.zeros((0, len(index.topics))), np.zeros(0, dtype=bool)
    vectors = index.vectorise([_text(item) for item in items])
    raw = np.asarray((vectors @ index.topic_profiles.T).todense(), dtype=np.float64)
    return raw, np.diff(vectors.indptr) > 0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


class Calibration:
    """Per topic: score -> confidence, learned from reference articles."""

    def __init__(self, index: Index, reference: Sequence[Document]) -> None:
        self.topics = list(index.topics)
        raw, known = _scores(index, list(reference))
        raw = raw[known]
        tags = [doc.topics for doc, ok in zip(reference, known, strict=True) if ok]
        n_topics = len(self.topics)
        self.mean = raw.mean(axis=0) if len(raw) else np.zeros(n_topics)
        std = raw.std(axis=0) if len(raw) else np.zeros(n_topics)
        self.std = np.where(std > 1e-12, std, np.nan)
        self.platt: dict[int, tuple[float, float]] = {}
        for j, slug in enumerate(self.topics):
            labels = np.array([slug in topics for topics in tags], dtype=int)
            positives = int(labels.sum())
            if positives < MIN_EXAMPLES or len(labels) - positives < MIN_EXAMPLES:
                continue
            if not np.isfinite(self.std[j]):
                continue
            z = ((raw[:, j] - self.mean[j]) / self.std[j]).reshape(-1, 1)
            model = LogisticRegression(C=1.0).fit(z, labels)
            self.platt[j] = (float(model.coef_[0, 0]), float(model.intercept_[0]))

    def confidence(self, raw: np.ndarray) -> np.ndarray:
        """Confidences in [0, 1], a row per item; 0 where a topic cannot be judged."""
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (raw - self.mean) / self.std
            z_blank = (0.0 - self.mean) / self.std  # an article with no known word
        out = _sigmoid(Z_SLOPE * (z - Z_HALF))
        blank = _sigmoid(Z_SLOPE * (z_blank - Z_HALF))
        for j, (slope, intercept) in self.platt.items():
            out[:, j] = _sigmoid(slope * z[:, j] + intercept)
            blank[j] = _sigmoid(slope * z_blank[j] + intercept)
        # Only what the words add counts: an article that says nothing about any topic would
        # otherwise inherit the share of the commonest topic among the reference articles.
        lift = (out - blank) / np.maximum(1.0 - blank, 1e-9)
        return np.clip(np.nan_to_num(lift, nan=0.0), 0.0, 1.0)


def suggest_topics(
    index: Index,
    documents: Sequence[Document | str],
    *,
    reference: Sequence[Document] = (),
    limit: int = DEFAULT_LIMIT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[list[tuple[str, float]]]:
    """For each document, up to ``limit`` ``(topic slug, confidence)``, most confident first.

    ``reference`` should be a sample of articles with their editors' topics (a few hundred
    is plenty); without one the documents themselves serve as the reference, which only
    works for a batch of many mixed articles.
    """
    documents = list(documents)
    if not documents or not len(index.topics):
        return [[] for _ in documents]
    calibration = Calibration(index, list(reference) or [_as_document(d) for d in documents])
    raw, known = _scores(index, documents)
    confidence = calibration.confidence(raw)
    results: list[list[tuple[str, float]]] = []
    for row, ok in zip(confidence, known, strict=True):
        if not ok:
            results.append([])
            continue
        order = np.argsort(-row, kind="stable")[:limit]
        results.append(
            [
                (calibration.topics[j], round(float(row[j]), 3))
                for j in order
                if row[j] >= min_confidence
            ]
        )
    return results


def _as_document(item: Document | str) -> Document:
    return item if isinstance(item, Document) else Document(id="", title="", text=item)
