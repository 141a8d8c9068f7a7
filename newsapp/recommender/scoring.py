"""What scoring one profile against one index gives: the value the explainer reads.

``Index.score`` returns a :class:`Scoring`, so the explainer needs nothing of the index
itself (no private member, no import of ``index.py``). Its arrays are read-only: the
document matrix and the affinity rows are the index's own, shared, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from newsapp.recommender.types import DocId


class FollowedTopic(NamedTuple):
    """A topic the reader follows, as it counted for every document."""

    slug: str
    shift: float  # what the reader's weight adds: 0 for the most wanted, less per halving
    affinity: np.ndarray  # the topic's affinity to every document, in ``doc_ids`` order
    term_weights: np.ndarray  # what one unit of each term's TF-IDF adds to the affinity


@dataclass(frozen=True)
class Scoring:
    """One profile scored against one index, in the order of the index's ``doc_ids``.

    ``relevance`` is what ``Index.relevance`` gives; the rest is what "Why this?" needs to
    tell what really made it: the followed topics (with each term's weight in them), the
    parts of the relevance (followed topics, typed keywords; the larger counts), a dense
    query over the vocabulary for the keywords and for the liked articles (what one unit of a
    term's TF-IDF adds to the score, so explaining a pick costs a gather), the vocabulary
    columns each typed keyword stands for, the liked articles' rows and the likeness to
    them, and whether each document is about the reader's region.
    """

    relevance: np.ndarray
    followed: tuple[FollowedTopic, ...]
    topic_rows: np.ndarray  # the followed topics' rows in the two matrices below
    topic_shifts: np.ndarray  # what each followed topic's weight adds, as in ``followed``
    topic_affinity: np.ndarray  # topics x documents (the index's own, not copied)
    topic_term_weights: np.ndarray  # vocabulary x topics: what a unit of TF-IDF adds
    topic_relevance: np.ndarray | None  # log of the followed topics' summed odds
    keyword_relevance: np.ndarray | None  # the typed keywords' anchored score
    keyword_query: np.ndarray | None
    liked_query: np.ndarray | None
    matrix: sp.csr_matrix  # documents x vocabulary, normalised TF-IDF
    terms: np.ndarray  # the word of each vocabulary column
    keyword_columns: tuple[tuple[str, frozenset[int]], ...]
    liked_rows: tuple[tuple[DocId, int], ...]  # (liked id, its row), latest last
    liked_scores: np.ndarray | None  # standardised likeness to the liked articles
    local: np.ndarray | None  # 1.0 for documents about the reader's region
