"""The TF-IDF index: built once, shared by every request, queried in milliseconds.

Build time does the heavy work: it fits the vocabulary, learns one profile per topic
(see ``learning.py``: a linear SVM over the words and the corpus's latent directions,
calibrated to log-odds, or a keyword prototype for a topic nobody tagged), and precomputes
every article's affinity to every topic. A request then only combines a few precomputed
rows (followed topics add up as odds), scores typed keywords through the columns of the
few terms they contain, and reranks a short candidate list for freshness and diversity.

An index never changes once built: growing it (``with_documents``) returns a new index that
shares what did not change, so threads still reading the old one are unaffected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from newsapp.recommender.explain import Explainer
from newsapp.recommender.learning import LOGIT_LIMIT, PROTOTYPE_THRESHOLD
from newsapp.recommender.ranked import Ranked
from newsapp.recommender.rows import (
    apply_tag_floor,
    source_codes,
    tag_matrix,
    timestamps,
    utc_timestamp,
)
from newsapp.recommender.scoring import FollowedTopic, Scoring
from newsapp.recommender.stemming import stem, stems
from newsapp.recommender.terms import Vectorizer, document_text, l2_rows
from newsapp.recommender.types import DocId, Document, Profile, Recommendation

# Most terms kept per ad-hoc query vector (typed keywords, feedback).
QUERY_TERMS = 300
# Up to this many terms, a query is scored a posting list at a time (no sparse product).
FEW_TERMS = 24
# Affinities are anchored so that above 0 an article is taken to be about a topic (used for
# mutes and for what an exploration pick is about).
PREDICT_THRESHOLD = 0.0
# The freshness rule. An article's score is min(relevance, RELEVANCE_CAP) + FRESHNESS_WEIGHT
# x freshness, where freshness halves every half-life (72 hours by default). Relevance is in
# log-odds: once the index is RELEVANCE_CAP sure (2: about 88 %) that an article is about
# what the reader asked for, more certainty counts no more and the fresher story ranks first,
# so page one is mostly from the last few days whenever recent relevant stories exist; an
# older story leads only when little recent is relevant.
RELEVANCE_CAP = 2.0
FRESHNESS_WEIGHT = 1.0
DISLIKE_WEIGHT = 0.75
HISTORY_WEIGHT = 0.5
# How much a "less" or "normal" topic trails a "more" one: this many units of log-odds per
# halving of its weight.
WEIGHT_SHIFT = 1.0
NEAR_DUPLICATE = 0.6
# Past this share of all topics followed, their odds are summed by one matrix-vector product
# over the whole odds matrix: it reads each row once, where a pass per row also rereads and
# rewrites the sum (20 of 20 topics at 100,000 articles: 0.6 ms against 1.3 ms). Below it,
# the passes read only the followed rows.
GEMV_SHARE = 0.5
EXPLORATION_POSITION = 3
# Top-k selection: a threshold is read off every TOP_STRIDE-th score when there are at
# least TOP_SAMPLE_MIN documents.
TOP_STRIDE = 16
TOP_SAMPLE_MIN = 4096
# Candidates in the diversity pass's first block (later blocks double): a page of 20 is
# usually found in the first (the cost of a sparse product grows with its square).
DIVERSITY_BLOCK = 32
# Articles about the reader's chosen region (location consent) rise by this much: about
# a halving of a topic's weight, enough to lead among equals, not to beat relevance.
REGION_BOOST = 0.5


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _read_only_sparse(matrix: sp.csr_matrix) -> sp.csr_matrix:
    # Not sorted first: the order of a row's terms breaks ties in "Why this?". An operation
    # that would sort it in place (``count_nonzero``, ``tolil``) raises instead of racing.
    for array in (matrix.data, matrix.indices, matrix.indptr):
        array.flags.writeable = False
    return matrix


def _top(score: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first, ties in position order: what
    ``np.argsort(-score, kind="stable")[:k]`` gives, without sorting every document.

    A threshold read off a strided sample passes a few times ``k`` documents, usually; the
    ones that pass are then all that is sorted. When too few or too many pass (a skewed
    or tied score), an exact partition decides instead."""
    n = len(score)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    if n >= TOP_SAMPLE_MIN and k * TOP_STRIDE * 4 <= n:
        sample = score[::TOP_STRIDE]
        # The sample's q-th best: about q x stride documents score at least as much.
        q = min(len(sample), 2 * math.ceil(k / TOP_STRIDE) + 8)
        threshold = np.partition(sample, len(sample) - q)[len(sample) - q]
        if np.isfinite(threshold):
            passed = np.flatnonzero(score >= threshold)
            if k <= len(passed) <= 16 * k + 64:
                return passed[np.argsort(-score[passed], kind="stable")][:k]
    negative = -score
    kth = np.partition(negative, k - 1)[k - 1]
    if np.isnan(kth):
        return np.argsort(negative, kind="stable")[:k]
    # Everything better than the k-th, then as many of those tied with it as fit, first
    # positions first.
    better = np.flatnonzero(negative < kth)
    tied = np.flatnonzero(negative == kth)[: k - len(better)]
    chosen = np.sort(np.concatenate([better, tied]))
    return chosen[np.argsort(negative[chosen], kind="stable")]


def _optional_read_only(array: np.ndarray | None) -> np.ndarray | None:
    return None if array is None else _read_only(array)


class _Query(NamedTuple):
    """An ad-hoc query vector (typed keywords, feedback): its vocabulary columns in order and
    their weights, at most ``QUERY_TERMS`` of them. Plain arrays: a scipy matrix of one row
    costs more to make and check than the arithmetic done with it."""

    columns: np.ndarray
    weights: np.ndarray


def _query(columns: np.ndarray, weights: np.ndarray) -> _Query:
    """The query of these (ordered) columns: the ``QUERY_TERMS`` of largest magnitude."""
    if len(columns) > QUERY_TERMS:
        keep = np.sort(np.argpartition(np.abs(weights), -QUERY_TERMS)[-QUERY_TERMS:])
        columns, weights = columns[keep], weights[keep]
    return _Query(columns, weights.astype(np.float32, copy=False))


def _dense_query(query: _Query | None, std: float, width: int) -> np.ndarray | None:
    """What one unit of each term's TF-IDF adds to a standardised cosine with ``query``."""
    if query is None:
        return None
    dense = np.zeros(width, dtype=np.float32)
    dense[query.columns] = query.weights / std
    return _read_only(dense)


class _Parts(NamedTuple):
    """What relevance is made of, kept for the explanation."""

    relevance: np.ndarray
    topic_relevance: np.ndarray | None
    keyword_relevance: np.ndarray | None
    keyword_std: float
    liked_std: float
    topic_rows: np.ndarray
    topic_weights: np.ndarray
    topic_shifts: np.ndarray
    keyword_terms: list[tuple[str, list[str]]]
    keyword_vector: _Query | None
    liked_vector: _Query | None
    liked_scores: np.ndarray | None


class Index:
    """Precomputed TF-IDF state for one corpus. Built by :func:`build_index`, grown by
    :meth:`with_documents`, never changed: the index takes the arrays it is given and makes
    them read-only, so an index shared by many threads cannot be written by accident.
    (The one thing that moves is the per-minute freshness cache, replaced whole.)"""

    def __init__(
        self,
        *,
        vectorizer: Vectorizer,
        matrix: sp.csr_matrix,
        doc_ids: list[DocId],
        topics: list[str],
        topic_profiles: sp.csr_matrix,
        affinity: np.ndarray,
        affinity_mean: np.ndarray,
        affinity_std: np.ndarray,
        tags: sp.csr_matrix,
        sources: np.ndarray,
        source_names: list[str],
        published: np.ndarray,
        regions: list[str | None],
        term_stems: Sequence[str] | None = None,
        columns: sp.csc_matrix | None = None,
    ) -> None:
        self.vectorizer = vectorizer  # fitted; only ever used to transform
        self.matrix = _read_only_sparse(matrix)
        self.doc_ids = doc_ids
        self.topics = topics
        self.topic_profiles = _read_only_sparse(topic_profiles)
        self.affinity = _read_only(affinity)  # (topics, docs) log-odds (z-scores: prototypes)
        self.affinity_mean = _read_only(affinity_mean)
        self.affinity_std = _read_only(affinity_std)
        self.tags = _read_only_sparse(tags)  # (docs, topics) booleans from editors
        self.sources = _read_only(sources)  # source code per doc, -1 when none
        self.source_names = source_names
        self.published = _read_only(published)  # UTC epoch seconds, NaN when unknown
        self.regions = regions
        self._freshness_cache: tuple[tuple[float, float], np.ndarray] | None = None
        # The column copy of ``matrix`` (keyword and feedback scoring read it); a saved index
        # hands over its stored copy, memory-mapped, instead of transposing again.
        self.columns = _read_only_sparse(columns if columns is not None else matrix.tocsc())
        self._derive(term_stems)

    # -- derived state, computed once ------------------------------------------------------
    def _derive(self, term_stems: Sequence[str] | None) -> None:
        self.terms = _read_only(self.vectorizer.get_feature_names_out())
        # The Snowball stem of every vocabulary word (stemmed once at build, then stored), and
        # the words of each stem, so a typed keyword finds every inflection at once.
        self.term_stems: list[str] = (
            list(term_stems) if term_stems is not None else stems(self.terms.tolist())
        )
        by_stem: dict[str, list[str]] = {}
        for word, root in zip(self.terms.tolist(), self.term_stems, strict=True):
            by_stem.setdefault(root, []).append(word)
        self._words_of_stem: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {root: tuple(words) for root, words in by_stem.items()}
        )
        self.position: Mapping[DocId, int] = MappingProxyType(
            {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        )
        self.topic_position: Mapping[str, int] = MappingProxyType(
            {slug: i for i, slug in enumerate(self.topics)}
        )
        self.source_position: Mapping[str, int] = MappingProxyType(
            {name: i for i, name in enumerate(self.source_names)}
        )
        self.tag_columns = _read_only_sparse(self.tags.tocsc())
        self._analyzer: Callable[[str], list[str]] = self.vectorizer.build_analyzer()
        self.region_names = sorted({r for r in self.regions if r})
        region_position = {name: i for i, name in enumerate(self.region_names)}
        self.region_codes = _read_only(
            np.array(
                [region_position.get(r, -1) if r else -1 for r in self.regions], dtype=np.int32
            )
        )
        self._vocabulary: Mapping[str, int] = self.vectorizer.vocabulary_

        self._idf = _read_only(np.asarray(self.vectorizer.idf_, dtype=np.float32))
        self._dated = _read_only(~np.isnan(self.published))
        predicted: np.ndarray
        if self.affinity.shape[0] and self.affinity.shape[1]:
            best = self.affinity.argmax(axis=0)
            confident = self.affinity.max(axis=0) >= PREDICT_THRESHOLD
            predicted = np.where(confident, best, -1).astype(np.int32)
        else:
            predicted = np.full(len(self.doc_ids), -1, dtype=np.int32)
        untagged = np.asarray(self.tags.sum(axis=1)).ravel() == 0
        predicted[~untagged] = -1
        self.predicted = _read_only(predicted)
        # Odds of every affinity (a learned topic's is calibrated log-odds): followed topics
        # add up as odds, so a reader of two topics gets their union.
        self.odds = _read_only(
            np.exp(np.clip(self.affinity, -LOGIT_LIMIT, LOGIT_LIMIT)).astype(np.float32)
        )
        # What one unit of TF-IDF of a term adds to each topic's affinity: the profile weight
        # over the topic's scale. "Why this?" reads its terms from these.
        scales = np.where(self.affinity_std > 0, self.affinity_std, 1.0).astype(np.float32)
        # (vocabulary x topics, so the terms of one article are contiguous rows to gather.)
        self.term_weights = _read_only(
            np.ascontiguousarray(
                (np.asarray(self.topic_profiles.todense(), dtype=np.float32) / scales[:, None]).T
            )
        )
        # What each document is about: its first editor tag, else its confident prediction.
        tagged_topic = np.asarray(self.tags.argmax(axis=1)).ravel() if self.topics else None
        self.about = _read_only(
            np.where(untagged, self.predicted, tagged_topic).astype(np.int32)
            if tagged_topic is not None
            else self.predicted.copy()
        )

    def __len__(self) -> int:
        return len(self.doc_ids)

    # -- vectors -----------------------------------------------------------------------
    def vectorise(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Normalised TF-IDF rows of ``texts`` over this index's vocabulary (no refit)."""
        return l2_rows(self.vectorizer.transform(texts)).astype(np.float32).tocsr()

    def keyword_terms(self, keyword: str) -> list[str]:
        """The index terms a typed keyword stands for: its own, and every other inflection
        of each of its words that the vocabulary holds, by Snowball stemming ("tram" also
        finds "trams", "policies" finds "policy", "elect" finds "elected" and "electing"), so
        a reader need not guess which form the articles use."""
        terms: list[str] = []
        for term in self._analyzer(keyword):
            for form in self._same_stem(term):
                if form not in terms:
                    terms.append(form)
        return terms

    def _same_stem(self, term: str) -> tuple[str, ...]:
        """``term`` (when the vocabulary holds it) and the vocabulary's other words with its
        Snowball stem."""
        column = self._vocabulary.get(term)
        # (A vocabulary word's stem was worked out at build: no stemmer call per request.)
        root = self.term_stems[column] if column is not None else stem(term)
        own = (term,) if column is not None else ()
        return own + tuple(w for w in self._words_of_stem.get(root, ()) if w != term)

    def _terms_vector(self, terms: Iterable[str]) -> _Query:
        """What ``vectorise`` gives for one short text, without scikit-learn's per-call
        validation (which costs more than the arithmetic for a few keywords)."""
        counts: dict[int, int] = {}
        for term in terms:
            column = self._vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return _query(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        columns = np.fromiter(counts, dtype=np.int32, count=len(counts))
        order = np.argsort(columns)
        columns = columns[order]
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))[order]
        data = (1.0 + np.log(tf)) * self._idf[columns]
        data /= np.linalg.norm(data)
        return _query(columns, data)

    def _scores_for(self, query: _Query) -> np.ndarray:
        """Cosine of every document with a query, through the query's columns only."""
        if not len(query.columns) or not len(self.doc_ids):
            return np.zeros(len(self.doc_ids), dtype=np.float32)
        if len(query.columns) > FEW_TERMS:
            return np.asarray(self.columns[:, query.columns] @ query.weights).ravel()
        # (A few typed keywords:) each query term's posting list (its column) in turn, added
        # into one buffer: what scipy's column slice times the vector computes, in the same
        # order, without its per-call checks.
        scores = np.zeros(len(self.doc_ids), dtype=np.float32)
        columns = self.columns
        for column, weight in zip(query.columns.tolist(), query.weights, strict=True):
            start, end = columns.indptr[column], columns.indptr[column + 1]
            rows = columns.indices[start:end]
            scores[rows] += columns.data[start:end] * weight
        return scores

    def _standardised_scores(
        self, vector: _Query, leave_out: Sequence[int] = ()
    ) -> tuple[np.ndarray, float]:
        """Cosines with ``vector`` in standard deviations from their mean, and that
        deviation (so an explanation can tell what each term added). Documents in
        ``leave_out`` (the liked ones a feedback vector is made of) neither count in the
        mean and deviation nor score: likeness to oneself is no signal."""
        raw = self._scores_for(vector)
        if not raw.any():
            return raw, 1.0
        if len(leave_out):
            keep = np.ones(len(raw), dtype=bool)
            keep[list(leave_out)] = False
            others = raw[keep] if keep.any() else raw
            std = float(others.std())
            std = std if std > 1e-9 else 1.0
            scores = (raw - others.mean()) / std
            scores[list(leave_out)] = 0.0
            return scores, std
        # ``(raw - raw.mean()) / raw.std()`` in three passes fewer: the deviations numpy's
        # standard deviation is made of are the scores' numerators (the same float32
        # operations in the same order, so the same values).
        deviations = raw - np.float32(np.add.reduce(raw) / np.float32(len(raw)))
        squares = np.multiply(deviations, deviations)
        std = float(np.sqrt(np.float32(np.add.reduce(squares) / np.float32(len(raw)))))
        std = std if std > 1e-9 else 1.0
        return np.divide(deviations, std, out=deviations), std

    def _feedback_vector(self, ids: Iterable[DocId]) -> _Query | None:
        rows = [self.position[i] for i in ids if i in self.position]
        if not rows:
            return None
        mean = l2_rows(sp.csr_matrix(self.matrix[rows].mean(axis=0)))
        return _query(mean.indices, mean.data)

    def usable_keywords(self, keywords: Iterable[str]) -> list[str]:
        """The typed keywords that mean something to the index (known, not stop words)."""
        return [keyword for keyword in keywords if self.keyword_terms(keyword)]

    # -- ranking -----------------------------------------------------------------------
    def _topic_weights(self, profile: Profile) -> tuple[np.ndarray, np.ndarray]:
        """Followed topic rows and their weights, the most wanted 1."""
        pairs = [
            (self.topic_position[slug], float(weight))
            for slug, weight in profile.topics.items()
            if slug in self.topic_position and weight > 0
        ]
        if not pairs:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        rows, weights = zip(*pairs, strict=True)
        weights_arr = np.asarray(weights, dtype=np.float32)
        return np.asarray(rows, dtype=np.int32), weights_arr / weights_arr.max()

    def _topic_relevance(self, rows: np.ndarray, shifts: np.ndarray) -> np.ndarray:
        """The log of the followed topics' summed odds, each topic's times e^shift.

        One pass per row and weight level over views of the rows (no copy of the matrix),
        into one buffer: the sum of a level's rows, times its factor, added to the levels
        before it, from the least wanted level to the most, as float32 throughout; or, for
        a reader of most topics, one product of the factors with the whole matrix (see
        ``storage.load_index`` for why that product runs on one thread)."""
        odds: np.ndarray | None = None
        if len(rows) > GEMV_SHARE * len(self.topics):
            factors = np.zeros(len(self.topics), dtype=np.float32)
            np.add.at(factors, rows, np.exp(shifts.astype(np.float32)))
            odds = factors @ self.odds
        for shift in np.unique(shifts).tolist() if odds is None else ():
            level_rows = rows[shifts == shift].tolist()
            factor = np.float32(math.exp(shift))
            level, owned = self.odds[level_rows[0]], False  # a view: the index's own row
            if len(level_rows) > 1:
                level, owned = np.add(level, self.odds[level_rows[1]]), True
                for row in level_rows[2:]:
                    np.add(level, self.odds[row], out=level)
                if factor != 1:
                    np.multiply(level, factor, out=level)
            elif factor != 1:
                level, owned = np.multiply(level, factor), True
            if odds is None:
                odds = level if owned else level.copy()
            else:
                np.add(odds, level, out=odds)
        assert odds is not None
        np.maximum(odds, np.float32(1e-30), out=odds)
        return np.log(odds, out=odds)

    def relevance(self, profile: Profile) -> np.ndarray:
        """Stated-preference relevance of every document, in the order of ``doc_ids``.

        Followed topics add up as odds (the log of the summed odds, each topic's scaled by
        the reader's weight): an article about any followed topic is relevant, as sure as
        the surest of them. Followed topics and typed keywords are alternatives, so their
        anchored scores combine by maximum; feedback then nudges.
        """
        return self._relevance_parts(profile).relevance

    def _relevance_parts(self, profile: Profile) -> _Parts:
        n = len(self.doc_ids)
        relevance: np.ndarray | None = None
        rows, weights = self._topic_weights(profile)
        # What a weight adds to an affinity: 0 for the most wanted, one unit of log-odds
        # less per halving (its odds times e^-1).
        shifts = (WEIGHT_SHIFT * np.log2(weights)).astype(np.float32)
        topic_relevance = None
        if len(rows):
            topic_relevance = self._topic_relevance(rows, shifts)
            relevance = topic_relevance
        keyword_terms = [(keyword, self.keyword_terms(keyword)) for keyword in profile.keywords]
        keyword_vector = None
        keyword_relevance = None
        keyword_std = 1.0
        if profile.keywords:
            keyword_vector = self._terms_vector(t for _, terms in keyword_terms for t in terms)
            keyword_scores, keyword_std = self._standardised_scores(keyword_vector)
            if keyword_scores[0] != 0 or keyword_scores.any():
                # On the scale of topic affinities: "about it" from the same z-score a
                # keyword-only topic uses.
                keyword_relevance = np.subtract(
                    keyword_scores, PROTOTYPE_THRESHOLD, out=keyword_scores
                )
                relevance = (
                    keyword_relevance
                    if relevance is None
                    else np.maximum(relevance, keyword_relevance)
                )
        if relevance is None:
            relevance = np.zeros(n, dtype=np.float32)
        liked_vector = self._feedback_vector(profile.liked)
        liked_scores = None
        liked_std = 1.0
        if liked_vector is not None:
            # A liked article is not lifted by its own likeness: the signal is for the others.
            liked_scores, liked_std = self._standardised_scores(
                liked_vector, [self.position[i] for i in profile.liked if i in self.position]
            )
            relevance = relevance + liked_scores
        for ids, weight in ((profile.history, HISTORY_WEIGHT), (profile.disliked, -DISLIKE_WEIGHT)):
            vector = self._feedback_vector(ids)
            if vector is not None:
                relevance = relevance + weight * self._standardised_scores(vector)[0]
        return _Parts(
            relevance=relevance.astype(np.float32, copy=False),
            topic_relevance=topic_relevance,
            keyword_relevance=keyword_relevance,
            keyword_std=keyword_std,
            liked_std=liked_std,
            topic_rows=rows,
            topic_weights=weights,
            topic_shifts=shifts,
            keyword_terms=keyword_terms,
            keyword_vector=keyword_vector,
            liked_vector=liked_vector,
            liked_scores=liked_scores,
        )

    def score(self, profile: Profile) -> Scoring:
        """The relevance of every document for ``profile`` and what it was made of, as the
        explainer reads it (see :class:`~newsapp.recommender.scoring.Scoring`)."""
        parts = self._relevance_parts(profile)
        width = self.matrix.shape[1]
        return Scoring(
            relevance=_read_only(parts.relevance),
            followed=tuple(
                FollowedTopic(
                    self.topics[row], float(shift), self.affinity[row], self.term_weights[:, row]
                )
                for row, shift in zip(
                    parts.topic_rows.tolist(), parts.topic_shifts.tolist(), strict=True
                )
            ),
            topic_rows=_read_only(parts.topic_rows),
            topic_shifts=_read_only(parts.topic_shifts),
            topic_affinity=self.affinity,
            topic_term_weights=self.term_weights,
            topic_relevance=_optional_read_only(parts.topic_relevance),
            keyword_relevance=_optional_read_only(parts.keyword_relevance),
            keyword_query=_dense_query(parts.keyword_vector, parts.keyword_std, width)
            if parts.keyword_relevance is not None
            else None,
            liked_query=_dense_query(parts.liked_vector, parts.liked_std, width),
            matrix=self.matrix,
            terms=self.terms,
            keyword_columns=tuple(
                (keyword, frozenset(self._vocabulary[t] for t in terms))
                for keyword, terms in parts.keyword_terms
            ),
            liked_rows=tuple(
                (doc_id, self.position[doc_id])
                for doc_id in profile.liked
                if doc_id in self.position
            ),
            liked_scores=None if parts.liked_scores is None else _read_only(parts.liked_scores),
            local=self._in_region(profile.region),
        )

    def freshness(self, now: datetime | None = None, half_life_hours: float = 72.0) -> np.ndarray:
        now_ts = utc_timestamp(now or datetime.now(UTC))
        # Freshness moves slowly: one computation per minute serves every request in it.
        key = (now_ts // 60.0, half_life_hours)
        cached = self._freshness_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        now_ts = key[0] * 60.0
        half_lives = np.clip(now_ts - self.published, 0.0, None) / (
            3600.0 * max(half_life_hours, 1e-6)
        )
        fresh = np.exp2(-half_lives.astype(np.float32))
        fresh = np.where(self._dated, fresh, np.float32(0.0))
        fresh.flags.writeable = False
        self._freshness_cache = (key, fresh)
        return fresh

    def _tagged_with(self, topic_rows: Sequence[int]) -> np.ndarray:
        """Positions of the documents editors tagged with any of these topics."""
        columns = self.tag_columns
        parts = [columns.indices[columns.indptr[t] : columns.indptr[t + 1]] for t in topic_rows]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def allowed(self, profile: Profile, exclude: Iterable[DocId] = ()) -> np.ndarray:
        """Hard filters: muted topics (tagged, or confidently about them) and muted sources."""
        allowed = np.ones(len(self.doc_ids), dtype=bool)
        muted = [self.topic_position[s] for s in profile.muted_topics if s in self.topic_position]
        if muted:
            allowed[self._tagged_with(muted)] = False
            allowed &= ~np.isin(self.predicted, muted)
        muted_sources = [
            self.source_position[s] for s in profile.muted_sources if s in self.source_position
        ]
        if muted_sources:
            allowed &= ~np.isin(self.sources, muted_sources)
        for doc_id in exclude:
            position = self.position.get(doc_id)
            if position is not None:
                allowed[position] = False
        for doc_id in profile.disliked:
            position = self.position.get(doc_id)
            if position is not None:
                allowed[position] = False
        return allowed

    def recommend(
        self,
        profile: Profile,
        k: int = 20,
        now: datetime | None = None,
        exclude: Iterable[DocId] = (),
        half_life_hours: float = 72.0,
    ) -> list[Recommendation]:
        """The top ``k`` documents for ``profile``: relevance blended with freshness, mutes
        applied, no wall of one source or one story, and one labelled exploration pick."""
        return self.rank(profile, k, now, exclude, half_life_hours)[:k]

    def rank(
        self,
        profile: Profile,
        k: int = 20,
        now: datetime | None = None,
        exclude: Iterable[DocId] = (),
        half_life_hours: float = 72.0,
    ) -> Ranked:
        """What :meth:`recommend` gives, as a sequence worked out as it is read: the
        diversity pass goes only as deep as the documents asked for, and a document is
        explained only when read. A feed ranked 200 deep, shown 20 at a time, diversifies a
        little more than 20 and explains 20; every prefix is exactly that of the full list."""
        if k <= 0 or not len(self.doc_ids):
            return Ranked(order=iter(()), doc_ids=self.doc_ids, explain=self._unranked)
        scoring = self.score(profile)
        fresh = self.freshness(now, half_life_hours)
        allowed = self.allowed(profile, exclude)
        # One buffer, written in place: min(relevance, cap) + weight x freshness (+ the
        # region's boost), -inf where a hard filter says no.
        score = np.minimum(scoring.relevance, np.float32(RELEVANCE_CAP))
        np.add(score, fresh if FRESHNESS_WEIGHT == 1.0 else FRESHNESS_WEIGHT * fresh, out=score)
        if scoring.local is not None:
            np.add(score, REGION_BOOST * scoring.local, out=score)
        if not allowed.all():
            np.copyto(score, np.float32(-np.inf), where=~allowed)
        candidates = _top(score, max(k * 4, 40))
        candidates = candidates[np.isfinite(score[candidates])]
        picks = self._diversified(candidates, k)
        exploring = profile.explore and bool(profile.topics) and k >= EXPLORATION_POSITION + 1
        explainer = Explainer(scoring)
        chosen: list[int | None] = [None]  # the exploration pick, once the order has it

        def order() -> Iterator[int]:
            if not exploring:
                yield from picks
                return
            head = list(islice(picks, EXPLORATION_POSITION))
            exploration = self._exploration_pick(profile, allowed, fresh, head)
            if exploration is None:
                yield from head
                yield from picks
                return
            chosen[0] = exploration
            rest = islice((p for p in chain(head, picks) if p != exploration), k - 1)
            yield from islice(rest, EXPLORATION_POSITION)
            yield exploration
            yield from rest

        def recommendations(rows: Sequence[int]) -> list[Recommendation]:
            exploration = [i == chosen[0] for i in rows]
            freshness = fresh.take(rows).tolist()
            reasons = explainer.explain(rows, freshness, exploration)
            return [
                Recommendation(
                    doc_id=self.doc_ids[i],
                    score=f if e else s,
                    reasons=r,
                )
                for i, f, s, e, r in zip(
                    rows, freshness, score.take(rows).tolist(), exploration, reasons, strict=True
                )
            ]

        return Ranked(order=order(), doc_ids=self.doc_ids, explain=recommendations)

    def _unranked(self, rows: Sequence[int]) -> list[Recommendation]:
        raise IndexError(rows)  # an empty ranking explains nothing

    def _in_region(self, region: str | None) -> np.ndarray | None:
        """1.0 for documents about ``region``, else 0.0; None when nothing matches."""
        if not region or region not in self.region_names:
            return None
        return (self.region_codes == self.region_names.index(region)).astype(np.float32)

    def _diversify(self, candidates: np.ndarray, k: int) -> list[int]:
        """Greedy pass: skip near-duplicates of a pick, defer a third story in a row from
        one source and any source past half the list."""
        return list(self._diversified(candidates, k))

    def _diversified(self, candidates: np.ndarray, k: int) -> Iterator[int]:
        """The picks of :meth:`_diversify`, in order, each worked out when it is read.

        Similarities are computed a block of candidates at a time (blocks doubling in
        size), against the picks made so far
        and within the block, in one sparse product per block: a reader of the first page
        pays for the first block only, and no pass pays for pairs it never compares."""
        picks: list[int] = []
        pick_sources: list[int] = []
        deferred: list[int] = []
        per_source: dict[int, int] = {}
        source_cap = max(2, math.ceil(k / 2))
        start, size = 0, DIVERSITY_BLOCK
        while start < len(candidates) and len(picks) < k:
            block = candidates[start : start + size]
            width = len(block)
            # The block's rows against themselves and the picks so far.
            compared = np.concatenate([block, np.asarray(picks, dtype=block.dtype)])
            duplicate: np.ndarray = self._similarities(compared, width) > NEAR_DUPLICATE
            # Candidates too like a pick: an earlier one, then each pick of this block.
            blocked = np.any(duplicate[:, width:], axis=1)
            sources = self.sources[block].tolist()
            for j, candidate in enumerate(block.tolist()):
                if len(picks) >= k:
                    break
                if blocked[j]:
                    continue
                source = sources[j]
                run = len(pick_sources) >= 2 and pick_sources[-1] == pick_sources[-2] == source
                if source >= 0 and (run or per_source.get(source, 0) >= source_cap):
                    deferred.append(candidate)
                    continue
                picks.append(candidate)
                pick_sources.append(source)
                blocked |= duplicate[:, j]
                per_source[source] = per_source.get(source, 0) + 1
                yield candidate
            start += width
            size *= 2
        yield from deferred[: max(0, k - len(picks))]

    def _similarities(self, positions: np.ndarray, first: int) -> np.ndarray:
        """Cosines of the ``first`` documents at ``positions`` with all of them (dense).

        The rows are laid out densely over the few columns they use (a few thousand for a
        block of candidates) and multiplied there: a small dense product costs less than
        scipy's sparse slicing and product, whose fixed costs dominate at this size."""
        matrix = self.matrix
        starts = matrix.indptr.take(positions).astype(np.intp)
        lengths = matrix.indptr.take(positions + 1).astype(np.intp) - starts
        run_starts = np.cumsum(lengths) - lengths
        entries = np.arange(int(lengths.sum())) + np.repeat(starts - run_starts, lengths)
        columns = matrix.indices.take(entries)
        # The columns used, numbered in order (a mark per vocabulary column: cheaper than a
        # sort of the few thousand entries).
        used = np.zeros(matrix.shape[1], dtype=bool)
        used[columns] = True
        number = np.cumsum(used, dtype=np.int32)
        dense = np.zeros((len(positions), int(number[-1])), dtype=np.float32)
        dense[np.repeat(np.arange(len(positions)), lengths), number.take(columns) - 1] = (
            matrix.data.take(entries)
        )
        return dense[:first] @ dense.T

    def _exploration_pick(
        self, profile: Profile, allowed: np.ndarray, fresh: np.ndarray, picks: list[int]
    ) -> int | None:
        """The freshest article clearly about a topic the reader does not follow."""
        if not self.topics or not len(self.doc_ids):
            return None
        followed = {self.topic_position[s] for s in profile.topics if s in self.topic_position}
        # A look-up per topic (the last slot stands for "about nothing", -1): a gather over
        # the documents instead of np.isin's sort.
        elsewhere = np.ones(len(self.topics) + 1, dtype=bool)
        elsewhere[list(followed)] = False
        elsewhere[-1] = False
        outside = allowed & elsewhere[self.about]
        if followed:
            outside[self._tagged_with(sorted(followed))] = False
        outside[picks[:EXPLORATION_POSITION]] = False
        if not outside.any():
            return None
        return int(np.argmax(np.where(outside, fresh, -1.0)))

    def similar(self, doc_id: DocId, profile: Profile, k: int = 5) -> list[DocId]:
        """Documents most like ``doc_id`` by content alone, under the profile's mutes."""
        if doc_id not in self.position:
            return []
        liked = Profile(
            liked=(doc_id,), muted_topics=profile.muted_topics, muted_sources=profile.muted_sources
        )
        score = np.where(self.allowed(liked, exclude=(doc_id,)), self.relevance(liked), -np.inf)
        order = _top(score, k)
        return [self.doc_ids[i] for i in order if np.isfinite(score[i])]

    # -- growth ------------------------------------------------------------------------
    def with_documents(self, documents: Iterable[Document]) -> Index:
        """A new index: this one's documents and ``documents``, the new ones ranked at once
        with the same vocabulary and topic profiles (no refit). This index is left exactly
        as it was for the readers still using it; what did not change (the vectorizer, the
        topic profiles) is shared. Documents this index already holds are skipped."""
        documents = [d for d in documents if d.id not in self.position]
        if not documents:
            return self
        rows = self.vectorise([document_text(d) for d in documents])
        raw = (self.topic_profiles @ rows.T).toarray()
        mean = self.affinity_mean[:, None]
        std = self.affinity_std[:, None]
        affinity = ((raw - mean) / std).astype(np.float32) if len(self.topics) else raw
        tags = tag_matrix(documents, self.topic_position)
        if len(self.topics):
            affinity = apply_tag_floor(affinity, tags)
        source_position = dict(self.source_position)
        for doc in documents:
            if doc.source and doc.source not in source_position:
                source_position[doc.source] = len(source_position)
        return Index(
            vectorizer=self.vectorizer,
            matrix=sp.vstack([self.matrix, rows]).tocsr(),
            doc_ids=[*self.doc_ids, *(d.id for d in documents)],
            topics=self.topics,
            topic_profiles=self.topic_profiles,
            affinity=np.ascontiguousarray(np.hstack([self.affinity, affinity])),
            affinity_mean=self.affinity_mean,
            affinity_std=self.affinity_std,
            tags=sp.vstack([self.tags, tags]).tocsr(),
            sources=np.concatenate([self.sources, source_codes(documents, source_position)]),
            source_names=list(source_position),
            published=np.concatenate([self.published, timestamps(documents)]),
            regions=[*self.regions, *(d.region for d in documents)],
            term_stems=self.term_stems,
        )
