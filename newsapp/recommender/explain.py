"""Why each pick was made, in terms a reader can check (the "Why this?" of a card).

The explainer reads only the :class:`~newsapp.recommender.scoring.Scoring` the index gave
for the request. The words it shows are faithful: each term of the article is credited
with what it added to this article's relevance for this reader (its TF-IDF in the article
times its weight in the profile that made the relevance: the followed topics, each by its
share, or the typed keywords, plus the liked articles), and the largest are shown. The
relevance is linear in the article's TF-IDF for a fixed mix of topics, so these are the
words whose removal lowers the score most (tested on a real corpus).
"""

from __future__ import annotations

import math

import numpy as np

from newsapp.recommender.scoring import Scoring
from newsapp.recommender.types import DocId, Reasons

# Likeness to the reader's liked articles (in standard deviations) that counts as a reason,
# and how many of their latest likes are compared.
LIKED_REASON = 1.0
LIKED_COMPARED = 50
# Words shown under "Why this?": the ones that added most to this article's score.
SHOWN_TERMS = 5
# Log-odds past which a topic counts as certain (keeps exp() finite).
LOGIT_CAP = 30.0


class Explainer:
    """Reasons for one request's picks, in terms the reader can check: the followed
    topics and their shares, the article's own words that matched, the typed keywords it
    contains, and the liked article it resembles when that lifted it."""

    def __init__(self, scoring: Scoring) -> None:
        self.scoring = scoring
        self.liked_rows = scoring.liked_rows[-LIKED_COMPARED:]
        self.slugs = [topic.slug for topic in scoring.followed]
        self.rows = scoring.topic_rows
        self.shifts = scoring.topic_shifts

    def reasons(self, i: int, freshness: float, exploring: bool) -> Reasons:
        scoring = self.scoring
        if exploring:
            return Reasons(freshness=round(freshness, 3), exploration=True)
        # Each followed topic's log-odds for this article at the reader's weight, and its
        # share of the summed odds the relevance is made of.
        affinity = scoring.topic_affinity[self.rows, i] if len(self.rows) else np.zeros(0)
        weighted = affinity + self.shifts
        odds = np.exp(np.minimum(weighted, LOGIT_CAP))
        # A topic counts when the article is about it at the reader's weight.
        about = np.flatnonzero(weighted > 0)
        about = about[np.argsort(-weighted[about], kind="stable")]
        total = float(odds[about].sum())
        topics = tuple((self.slugs[t], round(float(odds[t]) / total, 3)) for t in about)
        certainty = tuple(
            (self.slugs[t], round(1.0 / (1.0 + math.exp(-float(affinity[t]))), 3)) for t in about
        )
        matrix = scoring.matrix
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        columns = matrix.indices[start:end]
        contribution = matrix.data[start:end] * self._term_weights(i, columns, odds)
        order = np.argsort(-contribution, kind="stable")[:SHOWN_TERMS]
        terms = tuple(str(scoring.terms[columns[j]]) for j in order if contribution[j] > 0)
        present = set(columns.tolist())
        keywords = tuple(k for k, cols in scoring.keyword_columns if cols & present)
        return Reasons(
            topics=topics,
            terms=terms,
            keywords=keywords,
            freshness=round(freshness, 3),
            liked=self._liked_like(i),
            local=bool(scoring.local is not None and scoring.local[i] > 0),
            topic_certainty=certainty,
        )

    def _term_weights(self, i: int, columns: np.ndarray, odds: np.ndarray) -> np.ndarray:
        """What one unit of TF-IDF of each of these terms adds to document ``i``'s relevance
        for this reader: through the followed topics (each by its share of the summed odds,
        which is d log(sum of odds) / d affinity) or the typed keywords, whichever made the
        relevance, plus the liked articles."""
        scoring = self.scoring
        weights = np.zeros(len(columns), dtype=np.float32)
        topic, keyword = scoring.topic_relevance, scoring.keyword_relevance
        if topic is not None and (keyword is None or topic[i] >= keyword[i]):
            shares = (odds / odds.sum()).astype(np.float32)
            weights += scoring.topic_term_weights[columns][:, self.rows] @ shares
        elif keyword is not None and scoring.keyword_query is not None:
            weights += scoring.keyword_query[columns]
        liked = scoring.liked_scores
        if scoring.liked_query is not None and liked is not None and liked[i] != 0.0:
            weights += scoring.liked_query[columns]  # (zero for a liked article itself)
        return weights

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
