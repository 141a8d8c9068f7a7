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
from collections.abc import Sequence

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
    contains, and the liked article it resembles when that lifted it.

    A page of picks is explained in one go (:meth:`explain`): the array work is done for
    all of them together, element by element as for one pick (the same float32 operations
    on the same values, so the same reasons as :meth:`reasons` gives each alone)."""

    def __init__(self, scoring: Scoring) -> None:
        self.scoring = scoring
        self.liked_rows = scoring.liked_rows[-LIKED_COMPARED:]
        self.slugs = [topic.slug for topic in scoring.followed]
        self.rows = scoring.topic_rows
        self.shifts = scoring.topic_shifts
        # The typed keywords each vocabulary column stands for (few columns: a mask finds
        # them among a page's terms, a look-up names their keywords).
        self._keyword_columns = [(k, cols) for k, cols in scoring.keyword_columns if cols]
        self._column_keywords: dict[int, set[int]] = {}
        for n, (_, cols) in enumerate(self._keyword_columns):
            for column in cols:
                self._column_keywords.setdefault(column, set()).add(n)
        self._is_keyword = np.zeros(len(scoring.terms), dtype=bool)
        self._is_keyword[list(self._column_keywords)] = True

    def reasons(self, i: int, freshness: float, exploring: bool) -> Reasons:
        return self.explain([i], [freshness], [exploring])[0]

    def explain(
        self, positions: Sequence[int], freshness: Sequence[float], exploring: Sequence[bool]
    ) -> list[Reasons]:
        """The reasons of each document at ``positions`` (with its freshness, and whether
        it is the exploration pick), in order."""
        picks = [i for i, e in zip(positions, exploring, strict=True) if not e]
        explained = iter(
            self._explained(
                np.asarray(picks, dtype=np.intp),
                [f for f, e in zip(freshness, exploring, strict=True) if not e],
            )
            if picks
            else ()
        )
        return [
            Reasons(freshness=round(f, 3), exploration=True) if e else next(explained)
            for f, e in zip(freshness, exploring, strict=True)
        ]

    def _explained(self, picks: np.ndarray, freshness: list[float]) -> list[Reasons]:
        scoring = self.scoring
        matrix = scoring.matrix
        # Each followed topic's log-odds for each article at the reader's weight (a row per
        # pick), and its share of the summed odds the relevance is made of.
        if len(self.rows):
            affinity = np.ascontiguousarray(
                scoring.topic_affinity.take(picks, axis=1).take(self.rows, axis=0).T
            )
            weighted = affinity + self.shifts
            odds = np.exp(
                np.minimum(weighted, LOGIT_CAP) if weighted.max() > LOGIT_CAP else weighted
            )
        else:
            affinity = weighted = odds = np.zeros((len(picks), 0), dtype=np.float32)
        # The picks' terms, one run per pick: columns, TF-IDF, what a unit of each adds.
        starts = matrix.indptr.take(picks).astype(np.intp)
        lengths = matrix.indptr.take(picks + 1).astype(np.intp) - starts
        run_starts = np.cumsum(lengths) - lengths
        entries = np.arange(int(lengths.sum())) + np.repeat(starts - run_starts, lengths)
        columns = matrix.indices.take(entries)
        contribution = matrix.data.take(entries) * self._term_weights(
            picks, columns, lengths, run_starts, odds
        )
        # Per pick, its largest positive contributions first (ties in the row's order): one
        # stable sort of a key that orders by pick, then by contribution (a positive
        # float32 orders as its bits do).
        pick_of = np.repeat(np.arange(len(picks), dtype=np.int64), lengths)
        positive = np.flatnonzero(contribution > 0)
        bits = contribution.take(positive).astype(np.float32, copy=False).view(np.int32)
        bits = bits.astype(np.int64)
        key = (pick_of.take(positive) << 31) | (np.int64(0x7FFFFFFF) - bits)
        shown = positive.take(np.argsort(key, kind="stable"))
        # The first SHOWN_TERMS of each pick's run in that order.
        sorted_picks = pick_of.take(shown)
        first = np.searchsorted(sorted_picks, sorted_picks)  # where each pick's run starts
        shown = shown[np.arange(len(shown)) - first < SHOWN_TERMS]
        words = scoring.terms.take(columns.take(shown)).tolist()
        shown_counts = np.bincount(pick_of.take(shown), minlength=len(picks)).tolist()
        local = (
            (scoring.local.take(picks) > 0).tolist()
            if scoring.local is not None
            else [False] * len(picks)
        )
        keywords_of = self._keywords_of(columns, pick_of, len(picks))
        levels, odds_rows, affinity_rows = weighted.tolist(), odds.tolist(), affinity.tolist()
        slugs = self.slugs
        found: list[Reasons] = []
        taken = 0
        for p, i in enumerate(picks.tolist()):
            # A topic counts when the article is about it at the reader's weight.
            level = levels[p]
            about = sorted((t for t, w in enumerate(level) if w > 0), key=lambda t: -level[t])
            topics: tuple[tuple[str, float], ...] = ()
            certainty: tuple[tuple[str, float], ...] = ()
            if about:
                # (Summed as numpy sums them, in this order: the shares are the ones tested.)
                total = odds_rows[p][about[0]] if len(about) == 1 else float(odds[p][about].sum())
                topics = tuple((slugs[t], round(odds_rows[p][t] / total, 3)) for t in about)
                certainty = tuple(
                    (slugs[t], round(1.0 / (1.0 + math.exp(-affinity_rows[p][t])), 3))
                    for t in about
                )
            found.append(
                Reasons(
                    topics=topics,
                    terms=tuple(words[taken : taken + shown_counts[p]]),
                    keywords=keywords_of[p],
                    freshness=round(freshness[p], 3),
                    liked=self._liked_like(i),
                    local=local[p],
                    topic_certainty=certainty,
                )
            )
            taken += shown_counts[p]
        return found

    def _keywords_of(
        self, columns: np.ndarray, pick_of: np.ndarray, n: int
    ) -> list[tuple[str, ...]]:
        """For each of ``n`` picks, the typed keywords whose columns its terms hold."""
        if not self._keyword_columns:
            return [()] * n
        found: list[set[int]] = [set() for _ in range(n)]
        hits = np.flatnonzero(self._is_keyword.take(columns))
        for p, column in zip(pick_of.take(hits).tolist(), columns.take(hits).tolist(), strict=True):
            found[p] |= self._column_keywords[column]
        keywords = [k for k, _ in self._keyword_columns]
        return [tuple(keywords[j] for j in sorted(which)) for which in found]

    def _term_weights(
        self,
        picks: np.ndarray,
        columns: np.ndarray,
        lengths: np.ndarray,
        run_starts: np.ndarray,
        odds: np.ndarray,
    ) -> np.ndarray:
        """What one unit of TF-IDF of each of these terms adds to its pick's relevance for
        this reader: through the followed topics (each by its share of the summed odds,
        which is d log(sum of odds) / d affinity) or the typed keywords, whichever made the
        relevance, plus the liked articles. ``columns`` holds each pick's terms in turn."""
        scoring = self.scoring
        weights = np.zeros(len(columns), dtype=np.float32)
        topic, keyword = scoring.topic_relevance, scoring.keyword_relevance
        by_topics = np.zeros(len(picks), dtype=bool)
        if topic is not None:
            by_topics = (
                topic.take(picks) >= keyword.take(picks)
                if keyword is not None
                else np.ones(len(picks), dtype=bool)
            )
        if by_topics.any():
            shares = (odds / odds.sum(axis=1, keepdims=True)).astype(np.float32)
            gathered = scoring.topic_term_weights.take(columns, axis=0).take(self.rows, axis=1)
            for p in np.flatnonzero(by_topics).tolist():
                run = slice(int(run_starts[p]), int(run_starts[p] + lengths[p]))
                # One product per pick, as for a pick alone (same summation order).
                np.matmul(gathered[run], shares[p], out=weights[run])
        if keyword is not None and scoring.keyword_query is not None and not by_topics.all():
            by_keywords = np.repeat(~by_topics, lengths)
            weights[by_keywords] = scoring.keyword_query.take(columns[by_keywords])
        liked = scoring.liked_scores
        if scoring.liked_query is not None and liked is not None:
            lifted = np.repeat(liked.take(picks) != 0.0, lengths)  # (not a liked article)
            if lifted.any():
                weights[lifted] += scoring.liked_query.take(columns[lifted])
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
