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
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

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

SCHEMA = "newsapp.private-pack/1"
# How many of the newest articles a pack holds: a reader's first page is almost always
# from the last few days (freshness halves every 72 hours and relevance is capped), and a
# newsroom of 100k articles publishes a few hundred a day, so 2,000 covers about a week
# while the compressed pack stays under 300 KB.
PACK_ARTICLES = 2000
# Terms kept over all the pack's articles (each article keeps at least MIN_TERMS).
TERM_BUDGET = 60_000
MIN_TERMS = 24
# Quantisation: affinities in 1/AFFINITY_SCALE of log-odds, TF-IDF in 1/TFIDF_SCALE.
AFFINITY_SCALE = 1000
TFIDF_SCALE = 10000
# "Why this?": for an article's likeliest topics (and any it is about), the terms that
# add most to that topic's score (SHOWN_TERMS and a margin, so a mix of topics still finds
# its five), in EXPLAIN_LEVELS steps of the pack's largest.
EXPLAIN_TOPICS = 3
EXPLAIN_TERMS = 10
EXPLAIN_HEAVIEST = 5
EXPLAIN_WINDOW = 6.0
EXPLAIN_LEVELS = 100_000


def _stem_code(word: str, stem: str) -> int | str:
    """The stem as the length of the word's prefix it is, or itself when it is not one."""
    return len(stem) if word.startswith(stem) else stem


def pack_arrays(index: Index, positions: Sequence[int], *, term_budget: int = TERM_BUDGET):
    """The ranking part of a pack for the index rows ``positions`` (newest first), as plain
    JSON values. ``doc_ids`` of the same rows are returned beside it, for the caller to add
    what the index does not hold (titles, links)."""
    rows = np.asarray(list(positions), dtype=np.int64)
    n = len(rows)
    matrix = index.matrix[rows] if n else index.matrix[:0]
    keep = max(MIN_TERMS, term_budget // max(n, 1))
    affinity = index.affinity[:, rows] if len(index.topics) else np.zeros((0, n))

    kept_columns: list[np.ndarray] = []
    kept_values: list[np.ndarray] = []
    explain: list[list[tuple[int, np.ndarray, np.ndarray]]] = []
    for j in range(n):
        start, end = matrix.indptr[j], matrix.indptr[j + 1]
        columns = matrix.indices[start:end]
        values = matrix.data[start:end]
        scores = affinity[:, j]
        # The terms "Why this?" can name for it: those that add most to its likeliest
        # topics (and any it is about), and what each adds to every topic whose share of
        # a reader's odds can matter (within EXPLAIN_WINDOW of its likeliest), so a reader
        # following several gets the same mix as on the server.
        likeliest = set(np.argsort(-scores, kind="stable")[:EXPLAIN_TOPICS].tolist())
        likeliest |= set(np.flatnonzero(scores >= 0).tolist())
        candidates: list[int] = []
        for t in sorted(likeliest):
            contribution = values * index.term_weights[columns, t]
            best = np.argsort(-contribution, kind="stable")[:EXPLAIN_TERMS]
            candidates.extend(int(b) for b in best[contribution[best] > 0])
        # and its heaviest words, which "more like this" lifts most.
        candidates.extend(int(b) for b in np.argsort(-values, kind="stable")[:EXPLAIN_HEAVIEST])
        places = np.asarray(sorted(set(candidates)), dtype=np.int64)
        window: list[int] = (
            np.flatnonzero(scores >= scores.max() - EXPLAIN_WINDOW).tolist() if len(scores) else []
        )
        entries = (
            [
                (int(t), columns[places], values[places] * index.term_weights[columns[places], t])
                for t in window
            ]
            if len(places)
            else []
        )
        explain.append(entries)
        chosen = np.ones(len(columns), dtype=bool)
        if len(columns) > keep:
            # The heaviest terms (ties by column), and every term "Why this?" may show.
            chosen[:] = False
            chosen[np.lexsort((columns, -values))[:keep]] = True
            chosen |= np.isin(columns, [c for _, cs, _ in entries for c in cs.tolist()])
        kept_columns.append(columns[chosen])
        kept_values.append(values[chosen])

    # The pack's vocabulary: every kept term, in alphabetical order (which compresses
    # best), numbered afresh.
    used: set[int] = set()
    for columns in kept_columns:
        used.update(columns.tolist())
    vocabulary = sorted(used, key=lambda c: index.terms[c])
    local = {column: i for i, column in enumerate(vocabulary)}
    idf = np.asarray(index.vectorizer.idf_, dtype=np.float32)
    largest = max(
        (float(np.abs(v).max()) for entries in explain for _, _, v in entries if len(v)),
        default=1.0,
    )
    explain_scale = EXPLAIN_LEVELS / largest

    terms_out, values_out, explain_out = [], [], []
    for columns, values, entries in zip(kept_columns, kept_values, explain, strict=True):
        mapped = np.asarray([local[c] for c in columns.tolist()], dtype=np.int64)
        order = np.argsort(mapped, kind="stable")
        mapped, quantised = mapped[order], values[order]
        # Ascending positions, sent as differences (small numbers compress well).
        terms_out.append(np.diff(mapped, prepend=0).tolist())
        values_out.append(np.maximum(1, np.rint(quantised * TFIDF_SCALE)).astype(int).tolist())
        # "Why this?" names terms by their place in the article's own list.
        place = {int(c): i for i, c in enumerate(columns[order].tolist())}
        # [[places of the candidate terms in the article's list], [topic, what each adds]...]
        candidates = entries[0][1].tolist() if entries else []
        explain_out.append(
            [[place[int(c)] for c in candidates]]
            + [[t, *np.rint(v * explain_scale).astype(int).tolist()] for t, _, v in entries]
            if entries
            else []
        )

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
    arrays = {
        "topics": list(index.topics),
        "sources": [index.source_names[s] for s in used_sources],
        "regions": region_names,
        "stop_words": sorted(ENGLISH_STOP_WORDS),
        "vocabulary": [str(index.terms[c]) for c in vocabulary],
        "stems": [_stem_code(str(index.terms[c]), index.term_stems[c]) for c in vocabulary],
        "idf": [round(float(idf[c]), 5) for c in vocabulary],
        "source": [source_local.get(s, -1) for s in sources],
        "published": [None if math.isnan(p) else int(p) for p in published.tolist()],
        "region": [region_local.get(r, -1) if r else -1 for r in regions],
        "tags": [
            sorted(tag_rows.indices[tag_rows.indptr[r] : tag_rows.indptr[r + 1]].tolist())
            for r in rows.tolist()
        ],
        "about": index.about[rows].tolist() if n else [],
        "predicted": index.predicted[rows].tolist() if n else [],
        "affinity": np.rint(np.clip(affinity, -LOGIT_LIMIT, LOGIT_LIMIT) * AFFINITY_SCALE)
        .astype(int)
        .T.tolist(),
        "terms": terms_out,
        "tfidf": values_out,
        "explain": explain_out,
        "explain_scale": explain_scale,
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
        "half_life_hours": half_life_hours,
        "depth": depth,
        "page_size": page_size,
    }
