"""Full coverage: which articles tell the same story, found as they arrive.

Two articles are versions of one story when their TF-IDF vectors (the index's own, the
title weighted) are close (cosine at least ``threshold``) and they were published within
``window_hours`` of each other. Each new article joins the story of the closest earlier
one, if any is close enough; otherwise it starts alone. That is single-link clustering,
done incrementally: no refit and no nightly job, and what was decided is never undone by
later arrivals. Run on a whole corpus in publication order it gives the same groups.

Plain Python (numpy, scipy): the Django side (``newsapp.coverage``) stores the groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from newsapp.recommender.index import Index
from newsapp.recommender.terms import document_text
from newsapp.recommender.types import Document

# Tuned on versions of Wikinews articles and on the demo newsroom's own rewrites
# (tests/benchmarks/test_coverage_quality.py reports precision and recall on pairs).
THRESHOLD = 0.45
WINDOW_HOURS = 72.0
# Rows compared at once: bounds the dense similarity block to CHUNK x len(pool) floats.
CHUNK = 256


@dataclass(frozen=True)
class Match:
    """The closest earlier version of a new article: a position in the pool or, when
    ``in_batch``, in the batch itself (an earlier article of the same batch)."""

    position: int
    similarity: float
    in_batch: bool = False


def document_vectors(index: Index, documents: Sequence[Document]) -> sp.csr_matrix:
    """Unit TF-IDF rows of ``documents``: the index's own row for those it holds, the
    others transformed with its vocabulary (no refit), so a brand-new article compares."""
    rows = [index.position.get(d.id) for d in documents]
    missing = [d for d, row in zip(documents, rows, strict=True) if row is None]
    width = index.matrix.shape[1]
    extra = (
        index.vectorise([document_text(d) for d in missing])
        if missing
        else sp.csr_matrix((0, width), dtype=np.float32)
    )
    parts, taken = [], 0
    for row in rows:
        if row is None:
            parts.append(extra[taken])
            taken += 1
        else:
            parts.append(index.matrix[row])
    if not parts:
        return sp.csr_matrix((0, width), dtype=np.float32)
    return sp.vstack(parts).tocsr()


def closest_versions(
    new: sp.csr_matrix,
    new_times: np.ndarray,
    pool: sp.csr_matrix,
    pool_times: np.ndarray,
    *,
    threshold: float = THRESHOLD,
    window_hours: float = WINDOW_HOURS,
    new_sources: Sequence | None = None,
    pool_sources: Sequence | None = None,
) -> list[Match | None]:
    """For each row of ``new`` (unit TF-IDF rows, publication times in epoch seconds, in
    the order they are decided), the closest row of ``pool`` or of an earlier row of
    ``new`` that is close enough and near enough in time, or None.

    With sources given (any hashable, None for unknown), a version only counts when
    another outlet published it: one outlet's follow-ups stay cards of their own."""
    n, p = new.shape[0], pool.shape[0]
    if not n:
        return []
    candidates = sp.vstack([pool, new]).tocsr() if p else new
    times = np.concatenate([np.asarray(pool_times, dtype=np.float64), new_times]).astype(np.float64)
    window = window_hours * 3600.0
    codes = None
    if new_sources is not None and pool_sources is not None:
        labels: dict = {}
        codes = np.array(
            [
                labels.setdefault(s, len(labels)) if s is not None else -1 - i
                for i, s in enumerate([*pool_sources, *new_sources])
            ],
            dtype=np.int64,
        )
    found: list[Match | None] = []
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        block = (new[start:stop] @ candidates.T).toarray()
        block[np.abs(times[p + start : p + stop, None] - times[None, :]) > window] = 0.0
        if codes is not None:
            block[codes[p + start : p + stop, None] == codes[None, :]] = 0.0
        for row in range(start, stop):
            sims = block[row - start, : p + row]  # the pool and the batch before this row
            if not sims.size:
                found.append(None)
                continue
            j = int(np.argmax(sims))
            if sims[j] < threshold:
                found.append(None)
            elif j < p:
                found.append(Match(position=j, similarity=float(sims[j])))
            else:
                found.append(Match(position=j - p, similarity=float(sims[j]), in_batch=True))
    return found


def cluster(
    vectors: sp.csr_matrix,
    times: np.ndarray,
    *,
    threshold: float = THRESHOLD,
    window_hours: float = WINDOW_HOURS,
) -> list[int]:
    """A story label for every row, deciding them in publication order as they would have
    arrived (for evaluation; the Django side stores the same decisions one batch at a time)."""
    order = np.argsort(times, kind="stable")
    matches = closest_versions(
        vectors[order],
        np.asarray(times)[order],
        sp.csr_matrix((0, vectors.shape[1]), dtype=vectors.dtype),
        np.zeros(0),
        threshold=threshold,
        window_hours=window_hours,
    )
    labels = np.zeros(len(order), dtype=np.int64)
    for rank, match in enumerate(matches):
        labels[order[rank]] = labels[order[match.position]] if match else order[rank]
    return labels.tolist()


def pair_scores(predicted: Sequence, truth: Sequence) -> tuple[float, float]:
    """Precision and recall over pairs: of the pairs put together, how many belong
    together, and of the pairs that belong together, how many were put together. Labels
    are any hashables, one per item, aligned."""
    predicted_pairs = _pairs(predicted)
    true_pairs = _pairs(truth)
    both = len(predicted_pairs & true_pairs)
    precision = both / len(predicted_pairs) if predicted_pairs else 1.0
    recall = both / len(true_pairs) if true_pairs else 1.0
    return precision, recall


def _pairs(labels: Sequence) -> set[tuple[int, int]]:
    members: dict = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    return {
        (a, b)
        for group in members.values()
        if len(group) > 1
        for x, a in enumerate(group)
        for b in group[x + 1 :]
    }
