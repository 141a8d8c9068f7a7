"""Why each pick was made, in terms a reader can check (the "Why this?" of a card).

The explainer reads only the :class:`~newsapp.recommender.scoring.Scoring` the index gave
for the request: its dense query over the vocabulary makes explaining each pick a gather,
not a sparse product.
"""

from __future__ import annotations

import numpy as np

from newsapp.recommender.scoring import Scoring
from newsapp.recommender.types import DocId, Reasons

# Likeness to the reader's liked articles (in standard deviations) that counts as a reason,
# and how many of their latest likes are compared.
LIKED_REASON = 1.0
LIKED_COMPARED = 50


class Explainer:
    """Reasons for one request's picks, in terms the reader can check: the followed
    topics and their shares, the article's own words that matched, the typed keywords it
    contains, and the liked article it resembles when that lifted it."""

    def __init__(self, scoring: Scoring) -> None:
        self.scoring = scoring
        self.liked_rows = scoring.liked_rows[-LIKED_COMPARED:]

    def reasons(self, i: int, freshness: float, exploring: bool) -> Reasons:
        scoring = self.scoring
        if exploring:
            return Reasons(freshness=round(freshness, 3), exploration=True)
        contributions = [
            (topic.slug, float(topic.affinity[i] + topic.shift)) for topic in scoring.followed
        ]
        positive = [(slug, c) for slug, c in contributions if c > 0]
        total = sum(c for _, c in positive)
        topics = tuple(
            sorted(((slug, round(c / total, 3)) for slug, c in positive), key=lambda p: -p[1])
        )
        matrix = scoring.matrix
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        columns = matrix.indices[start:end]
        overlap = matrix.data[start:end] * scoring.query[columns]
        order = np.argsort(-overlap)[:5]
        terms = tuple(str(scoring.terms[columns[j]]) for j in order if overlap[j] > 0)
        present = set(columns.tolist())
        keywords = tuple(k for k, cols in scoring.keyword_columns if cols & present)
        return Reasons(
            topics=topics,
            terms=terms,
            keywords=keywords,
            freshness=round(freshness, 3),
            liked=self._liked_like(i),
            local=bool(scoring.local is not None and scoring.local[i] > 0),
        )

    def _liked_like(self, i: int) -> tuple[DocId, ...]:
        """The liked article this one resembles most, when likeness lifted it."""
        liked_scores = self.scoring.liked_scores
        if liked_scores is None or liked_scores[i] < LIKED_REASON:
            return ()
        matrix = self.scoring.matrix
        row = matrix[i]
        best: DocId | None = None
        best_similarity = 0.0
        for doc_id, position in self.liked_rows:
            similarity = float(row.multiply(matrix[position]).sum())
            if similarity > best_similarity:
                best, best_similarity = doc_id, similarity
        return (best,) if best is not None else ()
