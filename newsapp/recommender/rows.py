"""What the index stores per document, for a build and for growth alike: the editors' tags,
the source codes and the publication times, as arrays in ``doc_ids`` order."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp

from newsapp.recommender.types import Document

# An editor's tag is certain: a tagged article scores at least this many standard deviations.
TAG_FLOOR = 3.0


def utc_timestamp(value: datetime | None) -> float:
    """UTC epoch seconds; NaN when unknown (a naive time is taken as UTC)."""
    if value is None:
        return math.nan
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def timestamps(documents: Sequence[Document]) -> np.ndarray:
    return np.asarray([utc_timestamp(d.published_at) for d in documents], dtype=np.float64)


def tag_matrix(documents: Sequence[Document], topic_position: Mapping[str, int]) -> sp.csr_matrix:
    """(documents x topics) booleans: the topics editors tagged each document with."""
    rows, cols = [], []
    for i, doc in enumerate(documents):
        for slug in doc.topics:
            if slug in topic_position:
                rows.append(i)
                cols.append(topic_position[slug])
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.bool_), (rows, cols)),
        shape=(len(documents), len(topic_position)),
    )


def apply_tag_floor(affinity: np.ndarray, tags: sp.csr_matrix) -> np.ndarray:
    """Affinities (topics x documents) raised to ``TAG_FLOOR`` where an editor tagged."""
    tagged = tags.T.toarray()
    return np.where(tagged, np.maximum(affinity, TAG_FLOOR), affinity).astype(np.float32)


def source_codes(documents: Sequence[Document], source_position: Mapping[str, int]) -> np.ndarray:
    """Each document's source as its position in ``source_position``, -1 when none."""
    return np.asarray(
        [source_position.get(d.source, -1) if d.source else -1 for d in documents], dtype=np.int32
    )
