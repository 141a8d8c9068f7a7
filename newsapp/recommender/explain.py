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
        # Everything that depends on the request only is worked out here once: a pick then
        # costs a handful of small array operations (a page explains twenty of them).
        self.scoring = scoring
        self.liked_rows = scoring.liked_rows[-LIKED_COMPARED:]
        self.slugs = [topic.slug for topic in scoring.followed]
        self.rows = scoring.topic_rows
        self.shifts = scoring.topic_shifts
        self._matrix = scoring.matrix
        self._indptr = scoring.matrix.indptr
        self._terms = scoring.terms
        self._keyword_columns = [(k, cols) for k, cols in scoring.keyword_columns if cols]

    def reasons(self, i: int, freshness: float, exploring: bool) -> Reasons:
        scoring = self.scoring
        if exploring:
            return Reasons(freshness=round(freshness, 3), exploration=True)
        # Each followed topic's log-odds for this article at the reader's weight, and its
        # share of the summed odds the relevance is made of.
        if len(self.rows):
            affinity = scoring.topic_affinity[:, i].take(self.rows)
            weighted = affinity + self.shifts
            levels = weighted.tolist()
            odds = np.exp(np.minimum(weighted, LOGIT_CAP) if max(levels) > LOGIT_CAP else weighted)
            # A topic counts when the article is about it at the reader's weight.
            about = sorted((t for t, w in enumerate(levels) if w > 0), key=lambda t: -levels[t])
        else:
            affinity = odds = np.zeros(0)
            about = []
        if about:
            # (Summed as numpy sums them, in this order: the shares are the ones tested.)
            total = float(odds[about[0]]) if len(about) == 1 else float(odds[about].sum())
            odds_list, affinity_list = odds.tolist(), affinity.tolist()
            slugs = self.slugs
            topics = tuple((slugs[t], round(odds_list[t] / total, 3)) for t in about)
            certainty = tuple(
                (slugs[t], round(1.0 / (1.0 + math.exp(-affinity_list[t])), 3)) for t in about
            )
        else:
            topics = certainty = ()
        start, end = int(self._indptr[i]), int(self._indptr[i + 1])
        columns = self._matrix.indices[start:end]
        contribution = self._matrix.data[start:end] * self._term_weights(i, columns, odds)
        order = np.argsort(-contribution, kind="stable")[:SHOWN_TERMS]
        order = order[contribution[order] > 0]
        terms = tuple(self._terms[columns[order]].tolist())
        keywords: tuple[str, ...] = ()
        if self._keyword_columns:
            present = set(columns.tolist())
            keywords = tuple(k for k, cols in self._keyword_columns if not cols.isdisjoint(present))
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
        weights: np.ndarray | None = None
        topic, keyword = scoring.topic_relevance, scoring.keyword_relevance
        if topic is not None and (keyword is None or topic[i] >= keyword[i]):
            shares = (odds / odds.sum()).astype(np.float32)
            gathered = scoring.topic_term_weights.take(columns, axis=0).take(self.rows, axis=1)
            weights = gathered @ shares
        elif keyword is not None and scoring.keyword_query is not None:
            weights = scoring.keyword_query[columns]
        liked = scoring.liked_scores
        if scoring.liked_query is not None and liked is not None and liked[i] != 0.0:
            # (zero for a liked article itself)
            gathered = scoring.liked_query[columns]
            weights = gathered if weights is None else weights + gathered
        if weights is None:
            return np.zeros(len(columns), dtype=np.float32)
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
