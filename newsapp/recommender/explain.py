"""Why each pick was made, in terms a reader can check (the "Why this?" of a card).

One ``Explainer`` per request: it builds one dense query vector over the vocabulary, so
explaining each pick costs a gather, not a sparse product.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from newsapp.recommender.types import Profile, Reasons

if TYPE_CHECKING:
    from newsapp.recommender.index import Index

# Likeness to the reader's liked articles (in standard deviations) that counts as a reason,
# and how many of their latest likes are compared.
LIKED_REASON = 1.0
LIKED_COMPARED = 50


class Explainer:
    """Reasons for one request's picks, in terms the reader can check: the followed
    topics and their shares, the article's own words that matched, the typed keywords it
    contains, and the liked article it resembles when that lifted it."""

    def __init__(
        self,
        index: Index,
        profile: Profile,
        liked_scores: np.ndarray | None,
        local: np.ndarray | None = None,
    ) -> None:
        self.index = index
        self.liked_scores = liked_scores
        self.local = local
        self.rows, self.shifts = index._topic_shifts(profile)
        # One dense query over the vocabulary, so each pick costs a gather, not a sparse op.
        query = np.zeros(index.matrix.shape[1], dtype=np.float32)
        if len(self.rows):
            weights = index._topic_weights(profile)[1].astype(np.float32)
            query += np.asarray(index.topic_profiles[self.rows].T @ weights).ravel()
        if profile.keywords:
            keyword = index._keyword_vector(profile.keywords)
            query[keyword.indices] += keyword.data
        liked = index._feedback_vector(profile.liked)
        if liked is not None:
            query[liked.indices] += liked.data
        self.query = query
        self.keyword_terms = [
            (keyword, {index._vocabulary[t] for t in index.keyword_terms(keyword)})
            for keyword in profile.keywords
        ]
        self.liked_rows = [
            (doc_id, index.position[doc_id]) for doc_id in profile.liked if doc_id in index.position
        ][-LIKED_COMPARED:]

    def reasons(self, i: int, freshness: float, exploring: bool) -> Reasons:
        index = self.index
        if exploring:
            return Reasons(freshness=round(freshness, 3), exploration=True)
        contributions = [
            (index.topics[int(r)], float(index.affinity[int(r), i] + shift))
            for r, shift in zip(self.rows, self.shifts, strict=True)
        ]
        positive = [(slug, c) for slug, c in contributions if c > 0]
        total = sum(c for _, c in positive)
        topics = tuple(
            sorted(((slug, round(c / total, 3)) for slug, c in positive), key=lambda p: -p[1])
        )
        start, end = index.matrix.indptr[i], index.matrix.indptr[i + 1]
        columns = index.matrix.indices[start:end]
        overlap = index.matrix.data[start:end] * self.query[columns]
        order = np.argsort(-overlap)[:5]
        terms = tuple(str(index.terms[columns[j]]) for j in order if overlap[j] > 0)
        present = set(columns.tolist())
        keywords = tuple(k for k, cols in self.keyword_terms if cols & present)
        return Reasons(
            topics=topics,
            terms=terms,
            keywords=keywords,
            freshness=round(freshness, 3),
            liked=self._liked_like(i),
            local=bool(self.local is not None and self.local[i] > 0),
        )

    def _liked_like(self, i: int) -> tuple:
        """The liked article this one resembles most, when likeness lifted it."""
        if self.liked_scores is None or self.liked_scores[i] < LIKED_REASON:
            return ()
        row = self.index.matrix[i]
        best, best_similarity = None, 0.0
        for doc_id, position in self.liked_rows:
            similarity = float(row.multiply(self.index.matrix[position]).sum())
            if similarity > best_similarity:
                best, best_similarity = doc_id, similarity
        return (best,) if best is not None else ()
