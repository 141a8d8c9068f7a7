"""The ranking pack: what a browser needs to rank the recent articles as the index does.

Private mode (``/private/``) ranks in the reader's browser, so nothing they state reaches
us. The browser gets one file, the same for everyone, built from the index every web
worker serves: for each of the recent articles its topic affinities (the index's own
log-odds, editors' tags already floored), its source, time, region and story, its tags and
what it is about (for mutes and the exploration slot), its heaviest TF-IDF terms (typed
keywords and "more / less like this" are scored through them), the terms that make each
topic's score (for "Why this?"), and the articles it is a near-duplicate of (the diversity
pass). It holds nothing about any reader.

Exact where it can be, quantised where that keeps the ranking: affinities to 1/100 of a
unit of log-odds, TF-IDF to 1/1000. Every term of an article is kept while the pack's
term budget allows (at a few hundred articles, all of them: the browser's keyword scores
are the server's); past it, each article keeps its ``TERM_BUDGET / n`` heaviest terms.

Typed keywords are matched by Snowball stem, as the index does: the pack carries the stem
of each of its words, so a keyword that is one of the pack's words (or shares a stem with
one) finds every inflection the index would (see docs/private-mode.md).

Plain Python over the index's arrays, no Django: the Django side adds the titles and links.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from newsapp.recommender.explain import LIKED_COMPARED, LIKED_REASON, LOGIT_CAP, SHOWN_TERMS
from newsapp.recommender.index import (
    DISLIKE_WEIGHT,
    EXPLORATION_POSITION,
    FRESHNESS_WEIGHT,
    NEAR_DUPLICATE,
    PREDICT_THRESHOLD,
    QUERY_TERMS,
    REGION_BOOST,
    RELEVANCE_CAP,
    WEIGHT_SHIFT,
    Index,
)
from newsapp.recommender.learning import LOGIT_LIMIT, PROTOTYPE_THRESHOLD
from newsapp.recommender.stopwords import STOP_WORDS

SCHEMA = "newsapp.private-pack/2"
# How many of the newest articles a pack holds: a reader's first page is almost always
# from the last few days (freshness halves every 72 hours and relevance is capped), and a
# newsroom of 100k articles publishes a few hundred a day, so 2,000 covers about a week
# while the compressed pack stays under 300 KB.
PACK_ARTICLES = 2000
# Terms kept: every term of every article in a pack of up to ALL_TERMS articles (the
# browser's scores are then the server's); past it, an article keeps its TERM_BUDGET / n
# heaviest (at least MIN_TERMS), and the terms "Why this?" may name for it.
ALL_TERMS = 500
TERM_BUDGET = 16_000
MIN_TERMS = 4
# Quantisation: affinities in 1/AFFINITY_SCALE of log-odds down to AFFINITY_FLOOR (odds of
# 1 in 3,000: no page is made of them), in 1/AFFINITY_COARSE below; TF-IDF in 1/TFIDF_SCALE.
AFFINITY_SCALE = 1000
AFFINITY_FLOOR = -8.0
AFFINITY_COARSE = 1
TFIDF_SCALE = 10000
IDF_SCALE = 10000
# "Why this?": what every kept term adds to each topic whose share of a reader's odds can
# matter (its window: within EXPLAIN_WINDOW of its likeliest), in EXPLAIN_LEVELS steps of
# the largest; past ALL_TERMS, each keeps the EXPLAIN_TERMS that add most to each topic of
# its window (SHOWN_TERMS and a margin, so a mix of topics still finds its five).
EXPLAIN_TERMS = 8
EXPLAIN_WINDOW = 6.0
EXPLAIN_LEVELS = 100_000


def _stem_code(word: str, stem: str) -> int | str:
    """The stem as how many letters it leaves off the word, or itself when not a prefix."""
    return len(word) - len(stem) if word.startswith(stem) else stem


def _affinity_code(value: float) -> int:
    """An affinity in 1/AFFINITY_SCALE of log-odds, in coarser steps under the floor."""
    if value >= AFFINITY_FLOOR:
        return round(value * AFFINITY_SCALE)
    step = AFFINITY_SCALE // AFFINITY_COARSE
    return round(value * AFFINITY_COARSE) * step


def _kept_terms(index: Index, columns, values, window: list[int], keep: int) -> np.ndarray:
    """Which of an article's terms the pack keeps: its ``keep`` heaviest (ties by column),
    and the ones that add most to the topics of its window."""
    if len(columns) <= keep:
        return np.ones(len(columns), dtype=bool)
    chosen = np.zeros(len(columns), dtype=bool)
    chosen[np.lexsort((columns, -values))[:keep]] = True
    for t in window:
        contribution = values * index.term_weights[columns, t]
        best = np.argsort(-contribution, kind="stable")[:EXPLAIN_TERMS]
        chosen[best[contribution[best] > 0]] = True
    return chosen


def _ties(quantised: np.ndarray, exact: np.ndarray, row_place: np.ndarray) -> list[list[int]]:
    """Groups of an article's terms the browser cannot tell apart (the same quantised TF-IDF
    and the same quantised share of every topic of the window), as places in the pack's
    list, in the order the explainer would show them: by what they exactly add to the
    article's likeliest topic, then as the index's row holds them (its stable sort shows
    the first of a tie). Only the groups whose order is not already the pack's."""
    groups: dict[bytes, list[int]] = {}
    for place in range(len(quantised)):
        groups.setdefault(quantised[place].tobytes(), []).append(place)
    ties = []
    for places in groups.values():
        ranked = sorted(places, key=lambda p: (-float(exact[p]), int(row_place[p])))
        if ranked != places:
            ties.append(ranked)
    return ties


def pack_arrays(index: Index, positions: Sequence[int], *, term_budget: int = TERM_BUDGET):
    """The ranking part of a pack for the index rows ``positions`` (newest first), as plain
    JSON values. ``doc_ids`` of the same rows are returned beside it, for the caller to add
    what the index does not hold (titles, links)."""
    rows = np.asarray(list(positions), dtype=np.int64)
    n = len(rows)
    matrix = index.matrix[rows] if n else index.matrix[:0]
    keep = max(MIN_TERMS, term_budget // n) if n > ALL_TERMS else len(index.terms)
    affinity = index.affinity[:, rows] if len(index.topics) else np.zeros((0, n))

    kept: list[tuple[np.ndarray, np.ndarray, list[int], np.ndarray]] = []
    for j in range(n):
        start, end = matrix.indptr[j], matrix.indptr[j + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        scores = affinity[:, j]
        window: list[int] = (
            np.flatnonzero(scores >= scores.max() - EXPLAIN_WINDOW).tolist() if len(scores) else []
        )
        chosen = _kept_terms(index, columns, values, window, keep)
        # The index's row order (its ties), kept: the sort into the pack's order comes later.
        columns, values = columns[chosen], values[chosen]
        weights = index.term_weights[columns][:, window] if window else np.zeros((len(columns), 0))
        kept.append((columns, values, window, weights))

    # The pack's vocabulary: every kept term, in the index's (alphabetical) column order,
    # numbered afresh: an article's terms in ascending order are then the row's sorted.
    vocabulary = sorted({c for columns, _, _, _ in kept for c in columns.tolist()})
    local = np.full(len(index.terms), -1, dtype=np.int64)
    local[vocabulary] = np.arange(len(vocabulary))
    idf = np.asarray(index.vectorizer.idf_, dtype=np.float32)
    largest = max(
        (float(np.abs(v[:, None] * w).max()) for _, v, _, w in kept if w.size), default=1.0
    )
    explain_scale = EXPLAIN_LEVELS / (largest or 1.0)

    counts: list[int] = []
    terms_out: list[int] = []
    values_out: list[int] = []
    explain_topics: list[list[int]] = []
    explain_out: list[int] = []
    ties_out: list[list[int]] = []
    for d, (columns, values, window, weights) in enumerate(kept):
        order = np.argsort(columns, kind="stable")
        mapped = local[columns[order]]
        counts.append(len(mapped))
        # Ascending places, sent as differences (small numbers compress well).
        terms_out.extend(np.diff(mapped, prepend=0).tolist())
        tfidf = np.maximum(1, np.rint(values[order] * TFIDF_SCALE)).astype(np.int64)
        values_out.extend(tfidf.tolist())
        # What each kept term adds to each topic of the window, topic by topic.
        explain_topics.append(window)
        added = values[order][:, None] * weights[order]
        quantised = np.rint(added * explain_scale).astype(np.int64)
        explain_out.extend(quantised.T.ravel().tolist())
        best = int(np.argmax(affinity[window, d])) if window else None
        exact = added[:, best] if best is not None else values[order]
        key = np.column_stack([tfidf, quantised])
        ties_out.extend([d, *group] for group in _ties(key, exact, order))

    # Near-duplicates among the pack's articles, from their whole TF-IDF rows (as the
    # diversity pass compares them).
    similar = (matrix @ matrix.T).tocsr() if n else matrix
    near: list[list[int]] = []
    for j in range(n):
        start, end = similar.indptr[j], similar.indptr[j + 1]
        others = similar.indices[start:end][similar.data[start:end] > NEAR_DUPLICATE]
        near.append(sorted(int(o) for o in others if o != j))

    sources = index.sources[rows].tolist() if n else []
    used_sources = sorted({s for s in sources if s >= 0})
    source_local = {s: i for i, s in enumerate(used_sources)}
    regions = [index.regions[int(r)] for r in rows]
    region_names = sorted({r for r in regions if r})
    region_local = {r: i for i, r in enumerate(region_names)}
    tag_rows = index.tags.tocsr()
    published = index.published[rows] if n else np.zeros(0)
    clipped = np.clip(affinity, -LOGIT_LIMIT, LOGIT_LIMIT)
    arrays = {
        "topics": list(index.topics),
        "sources": [index.source_names[s] for s in used_sources],
        "regions": region_names,
        "stop_words": sorted(STOP_WORDS),
        "vocabulary": [str(index.terms[c]) for c in vocabulary],
        "stems": [_stem_code(str(index.terms[c]), index.term_stems[c]) for c in vocabulary],
        "idf": np.rint(idf[vocabulary] * IDF_SCALE).astype(int).tolist(),
        "source": [source_local.get(s, -1) for s in sources],
        "published": np.diff([0] + [0 if math.isnan(p) else int(p) for p in published.tolist()])
        .astype(int)
        .tolist(),
        "undated": [d for d, p in enumerate(published.tolist()) if math.isnan(p)],
        "region": [region_local.get(r, -1) if r else -1 for r in regions],
        "tags": [
            sorted(tag_rows.indices[tag_rows.indptr[r] : tag_rows.indptr[r + 1]].tolist())
            for r in rows.tolist()
        ],
        "about": index.about[rows].tolist() if n else [],
        "predicted": index.predicted[rows].tolist() if n else [],
        # Article by article, topic by topic.
        "affinity": [_affinity_code(float(a)) for a in clipped.T.ravel().tolist()],
        "counts": counts,
        "terms": terms_out,
        "tfidf": values_out,
        "explain_topics": explain_topics,
        "explain": explain_out,
        "explain_scale": explain_scale,
        "ties": ties_out,
        "near": near,
    }
    return arrays, [index.doc_ids[int(r)] for r in rows]


def recent_positions(index: Index, limit: int = PACK_ARTICLES) -> list[int]:
    """The rows of the ``limit`` newest dated documents, newest first (ties: later row)."""
    published = np.where(np.isnan(index.published), -np.inf, index.published)
    order = np.lexsort((-np.arange(len(published)), -published))
    return [int(r) for r in order[:limit] if np.isfinite(published[r])]


def constants(*, half_life_hours: float, depth: int, page_size: int) -> dict[str, float]:
    """The recommender's settings the browser's ranking uses: the index's own constants."""
    return {
        "relevance_cap": RELEVANCE_CAP,
        "freshness_weight": FRESHNESS_WEIGHT,
        "weight_shift": WEIGHT_SHIFT,
        "logit_limit": LOGIT_LIMIT,
        "logit_cap": LOGIT_CAP,
        "prototype_threshold": PROTOTYPE_THRESHOLD,
        "predict_threshold": PREDICT_THRESHOLD,
        "near_duplicate": NEAR_DUPLICATE,
        "exploration_position": EXPLORATION_POSITION,
        "dislike_weight": DISLIKE_WEIGHT,
        "region_boost": REGION_BOOST,
        "query_terms": QUERY_TERMS,
        "shown_terms": SHOWN_TERMS,
        "liked_reason": LIKED_REASON,
        "liked_compared": LIKED_COMPARED,
        "affinity_scale": AFFINITY_SCALE,
        "tfidf_scale": TFIDF_SCALE,
        "idf_scale": IDF_SCALE,
        "half_life_hours": half_life_hours,
        "depth": depth,
        "page_size": page_size,
    }
